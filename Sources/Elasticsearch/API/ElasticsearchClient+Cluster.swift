extension ElasticsearchClient {
    /// `GET /`: name, cluster and version.
    public func info() async throws(ElasticsearchError) -> ClusterInfo {
        try await send(HTTPRequest(.get, "/"), as: ClusterInfo.self)
    }

    /// `GET /_cluster/health`, optionally waiting for a status. A wait that times out answers
    /// 408 with the health body and `timed_out: true`; that is returned, not thrown.
    public func health(waitForStatus status: ClusterHealth.Status? = nil, timeout: String? = nil) async throws(ElasticsearchError) -> ClusterHealth {
        var query: [(name: String, value: String)] = []
        if let status { query.append(("wait_for_status", status.rawValue)) }
        if let timeout { query.append(("timeout", timeout)) }
        let request = HTTPRequest(.get, "/_cluster/health", query: query)
        let response = try await transport.send(request)
        guard response.isSuccess || response.status == 408 else {
            throw ElasticsearchError(response: response, method: "GET", path: request.target, node: nil)
        }
        return try Self.decode(ClusterHealth.self, from: response.body, request: request)
    }
}
