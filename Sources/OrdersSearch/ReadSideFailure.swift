import Elasticsearch

/// Why the read side could not take a batch, as an operator needs it (`orders status`,
/// `/ready`, logs): the kind of failure, the HTTP status and Elasticsearch's error type when
/// there are some, and the message.
package struct ReadSideFailure: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `connect`, `timeout`, `transport`, `http_status`, `elasticsearch` (the client's kinds),
    /// `index_missing`, `items_refused` (documents refused for now, retried), or `other`.
    package var kind: String
    package var status: Int?
    /// Elasticsearch's `error.type` (`es_rejected_execution_exception`).
    package var type: String?
    package var reason: String

    package init(kind: String, status: Int? = nil, type: String? = nil, reason: String) {
        self.kind = kind
        self.status = status
        self.type = type
        self.reason = reason
    }

    /// What a thrown error says.
    package init(_ error: any Error) {
        switch error {
        case let error as ElasticsearchError:
            self.init(kind: error.kind.description, status: error.status, type: error.errorType, reason: error.description)
        case let missing as SearchIndexMissing:
            self.init(kind: "index_missing", status: 404, type: "index_not_found_exception", reason: missing.description)
        default:
            self.init(kind: "other", reason: "\(error)")
        }
    }

    /// `count` documents refused for now, the first for `reason` (an `ApplyOutcome.retryable`'s).
    package init(refusedDocuments count: Int, reason: String) {
        let parsed = BulkItemFailure.parse(reason: reason)
        self.init(
            kind: "items_refused", status: parsed?.status, type: parsed?.type,
            reason: "\(count) document(s) refused for now, the first: \(parsed?.message ?? reason)")
    }

    package var description: String {
        [kind, status.map(String.init), type, reason].compactMap { $0 }.joined(separator: " ")
    }
}
