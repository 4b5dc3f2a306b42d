extension ElasticsearchClient {
    /// `GET /_alias/<name>` (or all aliases): alias names and their options by index name. An
    /// alias that does not exist answers `[:]`.
    public func aliases(named name: String? = nil) async throws(ElasticsearchError) -> [String: [String: JSONValue]] {
        struct Entry: Decodable {
            var aliases: [String: JSONValue]
        }
        let request = HTTPRequest(.get, name.map { Self.path("_alias", $0) } ?? "/_alias")
        let response = try await transport.send(request)
        if response.status == 404 { return [:] }
        guard response.isSuccess else { throw ElasticsearchError(response: response, method: "GET", path: request.target, node: nil) }
        return try Self.decode([String: Entry].self, from: response.body, request: request).mapValues(\.aliases)
    }

    /// `POST /_aliases`: all actions apply atomically, or none do.
    @discardableResult
    public func updateAliases(_ actions: [AliasAction]) async throws(ElasticsearchError) -> Acknowledged {
        try await send(HTTPRequest(.post, "/_aliases", body: AliasAction.body(actions).serialized, isIdempotent: true), as: Acknowledged.self)
    }
}
