import Foundation
import Logging
import OrdersSearch

/// Writes documents to an index until each one is applied, stale or dead-lettered: the
/// per-item outcome rules of DESIGN.md invariant 6, shared by the live projector and reindex.
/// Retryable documents (only those) go again with jittered, growing delays; rejected ones get a
/// dead letter. A whole request that fails counts as every document retryable.
struct DocumentWriter {
    var index: any SearchIndex
    var state: ProjectionStateStore
    var configuration: ProjectorConfiguration
    var logger: Logger

    /// Returns the orders whose documents were rejected (now dead-lettered).
    func write(_ documents: [OrderDocument], waitForVisibility: @Sendable () async -> Bool = { false }) async throws -> Set<String> {
        var pending = documents
        var rejected: Set<String> = []
        var attempt = 0
        var random = SystemRandomNumberGenerator()
        while !pending.isEmpty {
            let outcomes: [ApplyOutcome]
            do {
                outcomes = try await index.apply(pending, waitForVisibility: await waitForVisibility())
            } catch {
                // The whole request failed (unreachable, overloaded): every document is retried.
                outcomes = pending.map { _ in .retryable("\(error)") }
            }
            var retry: [OrderDocument] = []
            for (document, outcome) in zip(pending, outcomes) {
                switch outcome {
                case .applied, .stale: break
                case .retryable: retry.append(document)
                case .rejected(let reason):
                    try await state.addDeadLetter(orderID: document.orderID, position: document.version, reason: reason, at: Date())
                    rejected.insert(document.orderID)
                    logger.error(
                        "document rejected; order parked",
                        metadata: ["order.id": "\(document.orderID)", "projection.position": "\(document.version)", "error": "\(reason)"]
                    )
                }
            }
            pending = retry
            guard !pending.isEmpty else { break }
            logger.warning(
                "retrying documents", metadata: ["projection.retry.documents": "\(pending.count)", "projection.retry.attempt": "\(attempt + 1)"])
            try await Task.sleep(for: configuration.retryDelay(doublings: attempt, using: &random))
            attempt += 1
        }
        return rejected
    }
}
