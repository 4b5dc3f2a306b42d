import Elasticsearch

extension ElasticsearchError {
    /// Whether the cluster could not answer now, rather than refused the request: it was not
    /// reached (connect, timeout, a dropped connection), the client was shutting down, or the
    /// cluster answered 429 or 5xx. A 4xx (a malformed request, a missing index, no rights) is
    /// not an outage.
    var meansReadSideUnavailable: Bool {
        switch kind {
        case .connect, .timeout, .transport, .shutDown: true
        case .elasticsearch, .httpStatus: status.map { $0 == 429 || $0 >= 500 } ?? false
        default: false
        }
    }
}

extension ElasticsearchSearchIndex {
    /// Runs a read; a cluster that cannot answer now becomes `ReadSideUnavailable`, every other
    /// failure stays what it is.
    func reading<T>(_ read: () async throws -> T) async throws -> T {
        do {
            return try await read()
        } catch let error as ElasticsearchError where error.meansReadSideUnavailable {
            throw ReadSideUnavailable(underlying: error)
        }
    }
}
