extension ElasticsearchClient {
    /// `POST /<index>/_search` (or `/_search` with a point in time), `_source` decoded as `Document`.
    public func search<Document: Decodable & Sendable>(
        _ index: String?, _ search: SearchRequest, as type: Document.Type = JSONValue.self, typedKeys: Bool = false
    ) async throws(ElasticsearchError) -> SearchResponse<Document> {
        let path = search.pointInTime == nil ? (index.map { Self.path($0, "_search") } ?? "/_search") : "/_search"
        var query: [(name: String, value: String)] = []
        if typedKeys { query.append(("typed_keys", "true")) }
        return try await send(
            HTTPRequest(.post, path, query: query, body: search.json.serialized, isIdempotent: true), as: SearchResponse<Document>.self
        )
    }

    /// `POST /<index>/_count`.
    public func count(_ index: String, query: Query? = nil) async throws(ElasticsearchError) -> CountResponse {
        let body: JSONValue = query.map { ["query": $0.json] } ?? [:]
        return try await send(HTTPRequest(.post, Self.path(index, "_count"), body: body.serialized, isIdempotent: true), as: CountResponse.self)
    }
}
