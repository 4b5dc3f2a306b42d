import Logging
import OrdersSearch
import OrdersStore
import Timing

/// Writes documents to an index until each one is applied, stale or dead-lettered: the
/// per-item outcome rules of DESIGN.md invariant 6, shared by the live projector, the reindex
/// and dead-letter retries. Retryable documents (only those) go again after the backoff's
/// delays; rejected ones get a dead letter. A whole request that fails counts as every
/// document retryable, except when the index is missing (`SearchIndexMissing` is thrown).
struct DocumentWriter: Sendable {
    var context: ProjectionContext
    var index: any SearchIndexWriter
    var retry: Backoff
    /// Told of every failed attempt before it is retried (the projector records it for status).
    var failures: @Sendable (ReadSideFailure) async -> Void = { _ in }

    /// What a write did.
    struct Report: Sendable {
        /// The orders whose documents were rejected (now dead-lettered).
        var rejected: Set<String> = []
        /// Whether the last request asked the index to make the write visible.
        var visible = false
    }

    /// Writes `documents`; `visibility` says, before each request, whether a reader waits for
    /// it (then the request asks the index to make it visible).
    func write(_ documents: [OrderDocument], visibility: @Sendable () -> Bool = { false }) async throws -> Report {
        var report = Report(visible: documents.isEmpty)
        var pending = documents
        var attempt = 0
        while !pending.isEmpty {
            let outcomes: [ApplyOutcome]
            var requestFailure: ReadSideFailure?
            report.visible = visibility()
            do {
                outcomes = try await index.apply(pending, waitForVisibility: report.visible)
            } catch  where Task.isCancelled {
                // Stopping: nothing to retry, and nothing to warn about.
                throw error
            } catch let missing as SearchIndexMissing {
                // Retrying cannot help: the index must be made again (the projector does).
                throw missing
            } catch {
                // The whole request failed (unreachable, overloaded): every document is retried.
                requestFailure = ReadSideFailure(error)
                outcomes = pending.map { _ in .retryable("\(error)") }
            }
            var retry: [OrderDocument] = []
            var firstRetryReason: String?
            for (document, outcome) in zip(pending, outcomes) {
                switch outcome {
                case .applied, .stale: break
                case .retryable(let reason):
                    retry.append(document)
                    if firstRetryReason == nil { firstRetryReason = reason }
                case .rejected(let reason):
                    try await context.state.deadLetters.add(
                        orderID: document.orderID, position: document.version, reason: reason, at: context.wallClock.now())
                    report.rejected.insert(document.orderID)
                    context.logger.error(
                        "document rejected; order parked",
                        metadata: ["order.id": "\(document.orderID)", "projection.position": "\(document.version)", "error": "\(reason)"]
                    )
                }
            }
            pending = retry
            guard !pending.isEmpty else { break }
            let failure = requestFailure ?? ReadSideFailure(refusedDocuments: pending.count, reason: firstRetryReason ?? "")
            await failures(failure)
            let delay = self.retry.delay(attempt)
            context.logger.warning(
                "retrying documents",
                metadata: [
                    "projection.retry.documents": "\(pending.count)", "projection.retry.attempt": "\(attempt + 1)",
                    "projection.retry.in": "\(delay)", "error.kind": "\(failure.kind)", "error.status": "\(failure.status.map(String.init) ?? "-")",
                    "error.type": "\(failure.type ?? "-")", "error": "\(failure.reason)",
                ])
            try await context.clock.sleep(for: delay)
            attempt += 1
        }
        return report
    }
}
