extension ElasticsearchClient {
    /// `refresh` of a write: `true` refreshes now, `waitFor` waits for the next refresh (never use
    /// it while an index has `refresh_interval: -1`: it would wait forever).
    public enum Refresh: String, Sendable { case `true`, waitFor = "wait_for", `false` }

    /// `POST /_bulk` (or `/<index>/_bulk`). The HTTP request succeeds even when items fail: check
    /// every item. Retried on overload only when `idempotent` (external versions make it so).
    /// `requireAlias`: fail items whose target is not an alias, instead of letting Elasticsearch
    /// create a concrete index of that name with guessed mappings. `timeout`: the longest the
    /// request may take (nil: the configuration's `requestTimeout`).
    public func bulk(
        _ body: BulkBody, index: String? = nil, refresh: Refresh? = nil, filterPath: String? = nil, requireAlias: Bool = false,
        idempotent: Bool = false, timeout: Duration? = nil
    ) async throws(ElasticsearchError) -> BulkResponse {
        var query: [(name: String, value: String)] = []
        if requireAlias { query.append(("require_alias", "true")) }
        if let refresh { query.append(("refresh", refresh.rawValue)) }
        if let filterPath { query.append(("filter_path", filterPath)) }
        let path = index.map { Self.path($0, "_bulk") } ?? "/_bulk"
        let request = HTTPRequest(
            .post, path, query: query, body: body.bytes, contentType: "application/x-ndjson", isIdempotent: idempotent,
            timeout: timeout)
        let response = try await send(request)
        do {
            return try BulkResponse.parse(response.body)
        } catch {
            throw ElasticsearchError(.decoding, method: "POST", path: request.target, underlying: "bulk response: \(error)")
        }
    }
}
