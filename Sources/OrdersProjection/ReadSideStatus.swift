package import Foundation
package import OrdersSearch
package import OrdersStore

/// What an operator asks first: how far the write side is, how far the projection has got, what
/// the read index holds and whether anything needs a hand. `orders status` prints it and
/// `GET /admin/status` serves it.
package struct ReadSideStatus: Sendable, Encodable {
    package var headPosition: Int64
    package var checkpoint: Int64
    package var lagEvents: Int64
    /// Age of the oldest event not yet projected; 0 when caught up.
    package var lagSeconds: Double
    /// When the projection last acknowledged a batch.
    package var lastBatchAt: Date?
    /// Since when every attempt at the next batch has failed (a stuck batch); nil when none does.
    package var failingSince: Date?
    /// The last failure (kind, status, type, reason), and when it happened.
    package var lastFailure: ReadSideFailure?
    package var lastFailureAt: Date?
    /// The index as its backend describes it (unreachable: said in its `problems`).
    package var index: IndexDescription
    package var deadLetters: [DeadLetter]
    /// A reindex in progress (or interrupted, waiting to be resumed or aborted).
    package var reindex: ReindexJob?
    /// The last backup of the write store (`orders backup`, `serve --backup-dir`), nil when none
    /// was taken.
    package var lastBackup: StoreBackup.Record?

    enum CodingKeys: String, CodingKey {
        case headPosition = "head_position", checkpoint, lagEvents = "lag_events", lagSeconds = "lag_seconds", index
        case lastBatchAt = "last_batch_at", failingSince = "failing_since", lastFailure = "last_failure", lastFailureAt = "last_failure_at"
        case deadLetters = "dead_letters", reindex, lastBackup = "last_backup"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(headPosition, forKey: .headPosition)
        try container.encode(checkpoint, forKey: .checkpoint)
        try container.encode(lagEvents, forKey: .lagEvents)
        try container.encode(lagSeconds, forKey: .lagSeconds)
        try container.encode(index, forKey: .index)
        try container.encodeIfPresent(lastBatchAt, forKey: .lastBatchAt)
        try container.encodeIfPresent(failingSince, forKey: .failingSince)
        try container.encodeIfPresent(lastFailure, forKey: .lastFailure)
        try container.encodeIfPresent(lastFailureAt, forKey: .lastFailureAt)
        try container.encode(deadLetters, forKey: .deadLetters)
        try container.encodeIfPresent(reindex, forKey: .reindex)
        // Always there, null when no backup was taken: a monitor tells "none" from "not reported".
        try container.encode(lastBackup, forKey: .lastBackup)
    }

    /// Reads it all; an unreachable index is reported in `index.problems`, not thrown.
    package static func read(
        store: EventStore, index: any SearchIndexReader, state: ProjectionDatabase, checkpointName: String, now: Date
    ) async throws -> ReadSideStatus {
        let health = try await state.checkpoints.health(checkpointName)
        let head = try await store.headPosition()
        let checkpoint = health.position
        let oldest = head > checkpoint ? try await store.readAll(after: checkpoint, limit: 1).first : nil
        return ReadSideStatus(
            headPosition: head, checkpoint: checkpoint, lagEvents: head - checkpoint,
            lagSeconds: oldest.map { max(0, now.timeIntervalSince($0.recordedAt)) } ?? 0, lastBatchAt: health.movedAt,
            failingSince: health.failingSince, lastFailure: health.lastFailure, lastFailureAt: health.lastFailureAt, index: await index.describe(),
            deadLetters: try await state.deadLetters.all(),
            reindex: try await state.reindexJobs.job(checkpointName),
            lastBackup: try StoreBackup.lastRecorded(in: store.writer)
        )
    }

    /// The status of a store whose embedded read index was never built: nothing projected,
    /// and the index said to be missing (it is not created to be described).
    package static func notBuilt(store: EventStore, location: String, now: Date) async throws -> ReadSideStatus {
        let head = try await store.headPosition()
        let oldest = head > 0 ? try await store.readAll(after: 0, limit: 1).first : nil
        return ReadSideStatus(
            headPosition: head, checkpoint: 0, lagEvents: head, lagSeconds: oldest.map { max(0, now.timeIntervalSince($0.recordedAt)) } ?? 0,
            lastBatchAt: nil, failingSince: nil, lastFailure: nil, lastFailureAt: nil,
            index: IndexDescription(
                backend: "embedded", location: location,
                problems: ["not built yet: `orders project --once` or `orders serve` builds it from the event store"]),
            deadLetters: [], reindex: nil, lastBackup: try StoreBackup.lastRecorded(in: store.writer))
    }
}
