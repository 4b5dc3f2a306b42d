/// What Elasticsearch's refusal of one bulk item means, read from the error's `type` first and
/// its status only when the type is unknown. The status alone misleads: a missing index answers
/// 404 per item, the flood-stage disk block 429 or 403, and neither is about the document.
package enum BulkItemFailure: Sendable, Hashable {
    /// The document itself was refused (mapping or parsing): retrying cannot help. It becomes a
    /// dead letter and its order is parked.
    case document
    /// The index or the cluster cannot take writes now (a block, overload, missing shards, a
    /// circuit breaker): retried with backoff, never dead-lettered, the checkpoint held.
    case outage
    /// The index (or the alias writes go through) does not exist: it was deleted or lost. The
    /// projector recreates it and projects again from the first event.
    case indexMissing

    /// Error types that say the index or the cluster is at fault, not the document.
    static let outageTypes: Set<String> = [
        "cluster_block_exception",  // read-only blocks, the flood-stage disk watermark
        "unavailable_shards_exception",
        "no_shard_available_action_exception",
        "primary_missing_action_exception",
        "shard_not_found_exception",
        "es_rejected_execution_exception",  // write thread pool full
        "circuit_breaking_exception",
        "process_cluster_event_timeout_exception",
        "receive_timeout_transport_exception",
        "node_not_connected_exception",
        "node_disconnected_exception",
        "node_closed_exception",
        "connect_transport_exception",
        "index_closed_exception",
        "security_exception",  // the credentials lost their privileges on the index
        "timeout_exception",
    ]

    /// Error types that say the document is at fault.
    static let documentTypes: Set<String> = [
        "mapper_parsing_exception",
        "document_parsing_exception",
        "strict_dynamic_mapping_exception",
        "illegal_argument_exception",  // a field beyond a limit (say, too many terms)
        "x_content_parse_exception",
        "number_format_exception",
        "action_request_validation_exception",
        "document_missing_exception",
        "document_source_missing_exception",
    ]

    /// Error types that say the index is gone.
    static let indexMissingTypes: Set<String> = ["index_not_found_exception"]

    /// Error types that are not failures of the document's write or carry no meaning of their
    /// own: a version conflict (409) means the stored version is as new or newer, and the
    /// generic `status_exception` means what its status says.
    static let otherKnownTypes: Set<String> = ["version_conflict_engine_exception", "status_exception"]

    /// Classifies a failed item (status outside 2xx, not a version conflict) by its error type;
    /// an unknown type by its status: 429 and 5xx are outages, other 4xx the document's fault.
    package init(type: String?, status: Int) {
        if let type {
            if Self.indexMissingTypes.contains(type) {
                self = .indexMissing
                return
            }
            if Self.outageTypes.contains(type) {
                self = .outage
                return
            }
            if Self.documentTypes.contains(type) {
                self = .document
                return
            }
        }
        self = status == 429 || status >= 500 ? .outage : .document
    }

    /// Whether `type` is one this classification knows by name.
    package static func knows(_ type: String) -> Bool {
        outageTypes.contains(type) || documentTypes.contains(type) || indexMissingTypes.contains(type) || otherKnownTypes.contains(type)
    }

    /// The reason of a rejected item as the index reports it (and a dead letter keeps it):
    /// `"<status> <type>: <reason>"`.
    package static func reason(status: Int, type: String?, reason: String?) -> String {
        "\(status) \(type ?? ""): \(reason ?? "")"
    }

    /// The classification of a dead letter's reason written by `reason(status:type:reason:)`;
    /// nil for reasons that did not come from the index (an event the fold could not read).
    package init?(deadLetterReason: String) {
        guard let (status, type, _) = Self.parse(reason: deadLetterReason) else { return nil }
        self.init(type: type, status: status)
    }
}

extension BulkItemFailure {
    /// The status, error type and message of a reason written by `reason(status:type:reason:)`.
    static func parse(reason: String) -> (status: Int, type: String?, message: String)? {
        let parts = reason.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let status = Int(parts[0]), (100...599).contains(status), parts[1].hasSuffix(":") else { return nil }
        let type = parts[1].dropLast()
        return (status, type.isEmpty ? nil : String(type), parts.count == 3 ? String(parts[2]) : "")
    }
}
