extension ElasticsearchClient {
    /// `GET /<index>/_doc/<id>`; `nil` when there is no such document.
    public func document<Document: Decodable & Sendable>(
        _ index: String, id: String, routing: String? = nil, as type: Document.Type = JSONValue.self
    ) async throws(ElasticsearchError) -> GetResult<Document>? {
        let request = HTTPRequest(.get, Self.path(index, "_doc", id), query: routing.map { [("routing", $0)] } ?? [])
        let response = try await transport.send(request)
        if response.status == 404, let body = try? JSONValue.parse(response.body), body["found"] == .bool(false) { return nil }
        guard response.isSuccess else { throw ElasticsearchError(response: response, method: "GET", path: request.target, node: nil) }
        return try Self.decode(GetResult<Document>.self, from: response.body, request: request)
    }

    /// `POST /<index>/_mget`: one entry per id, in order (`found: false` for missing ones).
    public func documents<Document: Decodable & Sendable>(
        _ index: String, ids: [String], as type: Document.Type = JSONValue.self
    ) async throws(ElasticsearchError) -> [GetResult<Document>] {
        let body: JSONValue = ["ids": .array(ids.map(JSONValue.string))]
        return try await send(
            HTTPRequest(.post, Self.path(index, "_mget"), body: body.serialized, isIdempotent: true), as: MultiGetResponse<Document>.self
        ).docs
    }

    /// `POST /<index>/_update_by_query`. `conflictsProceed` counts version conflicts instead of aborting.
    public func updateByQuery(
        _ index: String, query: Query, script: JSONValue? = nil, conflictsProceed: Bool = true, refresh: Bool = false
    ) async throws(ElasticsearchError) -> UpdateByQueryResponse {
        var body: [String: JSONValue] = ["query": query.json]
        if let script { body["script"] = script }
        var parameters: [(name: String, value: String)] = []
        if conflictsProceed { parameters.append(("conflicts", "proceed")) }
        if refresh { parameters.append(("refresh", "true")) }
        return try await send(
            HTTPRequest(.post, Self.path(index, "_update_by_query"), query: parameters, body: JSONValue.object(body).serialized),
            as: UpdateByQueryResponse.self
        )
    }

    /// `POST /<index>/_pit?keep_alive=...`.
    public func openPointInTime(_ index: String, keepAlive: String) async throws(ElasticsearchError) -> PointInTime {
        try await send(HTTPRequest(.post, Self.path(index, "_pit"), query: [("keep_alive", keepAlive)], isIdempotent: true), as: PointInTime.self)
    }

    /// `DELETE /_pit`.
    @discardableResult
    public func closePointInTime(_ id: String) async throws(ElasticsearchError) -> ClosedPointInTime {
        let body: JSONValue = ["id": .string(id)]
        return try await send(HTTPRequest(.delete, "/_pit", body: body.serialized), as: ClosedPointInTime.self)
    }
}
