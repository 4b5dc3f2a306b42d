/// What each metric family on `/metrics` means: its `# HELP` line.
///
/// The families are made through swift-metrics (`Counter(label:)`, ...), whose Prometheus
/// factory registers them without help text, so `/metrics` adds it here, from one list. A test
/// checks that every family the sources create is in it.
package enum MetricsHelp {
    package static let text: [String: String] = [
        // Commands (the write side)
        "orders_commands_total":
            "Commands handled, by command and outcome: ok, replayed (an Idempotency-Key seen before: the first outcome, nothing appended), refused (a domain rule or invalid input), conflict (concurrency or a unique key), error (storage).",
        "orders_command_duration_seconds": "Time to handle a command, from the bus to the stored events, by command.",
        // The HTTP edge
        "orders_http_rate_limited_total": "Requests refused with 429 because their caller was over its rate limit.",
        "orders_http_connections_refused_total": "Connections closed unanswered because the server held --max-connections already.",
        // The projection
        "orders_projection_lag_events": "Events in the log not yet acknowledged by the read side (head position minus checkpoint).",
        "orders_projection_lag_seconds": "Age of the oldest event the read side has not acknowledged; 0 when caught up.",
        "orders_projection_last_batch_timestamp_seconds": "When the projection's checkpoint last moved (Unix time).",
        "orders_projection_failing_seconds": "How long the projection has been failing to write to the read side; 0 when it is not.",
        "orders_projection_failures_total":
            "Read-side failures met by the projector, by kind (connect, timeout, transport, http_status, elasticsearch, items_refused, index_missing, other); each is retried after a backoff.",
        "orders_projection_batches_total": "Batches of events the projector has written to the read side and checkpointed.",
        "orders_projection_events_total": "Events the projector has taken in (checkpointed).",
        "orders_projection_documents_total": "Order documents the projector has written to the read side.",
        "orders_projection_batch_duration_seconds": "Time to project one batch: read, fold, write and checkpoint.",
        // Backups (serve --backup-dir)
        "orders_backups_total": "Scheduled backups of the write store, by outcome: ok (copied and verified) or failed.",
        "orders_backup_last_success_timestamp_seconds": "When the last verified backup of the write store finished (Unix time).",
        // Elasticsearch bulk writes
        "orders_es_bulk_requests_total": "_bulk requests sent to Elasticsearch.",
        "orders_es_bulk_documents_total": "Documents sent to Elasticsearch in _bulk requests.",
        "orders_es_bulk_bytes_total": "Bytes of _bulk request bodies sent to Elasticsearch (before compression).",
        "orders_es_bulk_item_retries_total": "_bulk items sent again after a retryable per-item status (429, 503).",
        "orders_es_bulk_failures_total":
            "_bulk failures by kind: rejected (an item Elasticsearch refused for good), retryable (an item to send again), request (the whole request failed).",
        "orders_es_bulk_duration_seconds": "Time of one _bulk request to Elasticsearch, retries included.",
    ]

    /// `exposition` (Prometheus text format) with a `# HELP` line before each family's
    /// `# TYPE` line that has none.
    package static func annotate(_ exposition: [UInt8]) -> [UInt8] {
        var annotated: [UInt8] = []
        annotated.reserveCapacity(exposition.count + 4096)
        var previous: ArraySlice<UInt8> = []
        for line in exposition.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if line.starts(with: "# TYPE ".utf8), !previous.starts(with: "# HELP ".utf8) {
                let name = line.dropFirst(7).prefix { $0 != UInt8(ascii: " ") }
                if let help = text[String(decoding: name, as: UTF8.self)] {
                    annotated.append(contentsOf: "# HELP ".utf8)
                    annotated.append(contentsOf: name)
                    annotated.append(UInt8(ascii: " "))
                    // The text format escapes a backslash and a line feed in help text.
                    for byte in help.utf8 {
                        switch byte {
                        case UInt8(ascii: "\\"): annotated.append(contentsOf: #"\\"#.utf8)
                        case UInt8(ascii: "\n"): annotated.append(contentsOf: #"\n"#.utf8)
                        default: annotated.append(byte)
                        }
                    }
                    annotated.append(UInt8(ascii: "\n"))
                }
            }
            annotated.append(contentsOf: line)
            annotated.append(UInt8(ascii: "\n"))
            previous = line
        }
        // `split` saw the final line feed as the end of one more, empty line.
        if exposition.last == UInt8(ascii: "\n") || exposition.isEmpty { annotated.removeLast() }
        return annotated
    }
}
