package import Foundation
package import GRDB
package import OrdersSearch

/// Where each projection into a read side stands: the position of the last event the read side
/// acknowledged. It moves only by compare-and-set, after the documents are stored (DESIGN.md
/// invariant 6), so two projectors can never both move one.
package struct Checkpoints: Sendable {
    package let writer: any DatabaseWriter

    package init(writer: any DatabaseWriter) { self.writer = writer }

    /// The position of checkpoint `name` (0 before its first move).
    package func position(_ name: String) async throws -> Int64 {
        try await writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT position FROM projection_checkpoints WHERE name = ?", arguments: [name]) ?? 0
        }
    }

    /// Moves checkpoint `name` from `expected` to `position` at `date` (a batch acknowledged: it
    /// is no longer failing); false if it was not at `expected` (another projector moved it: two
    /// must never run against one read side).
    /// `fingerprint` names the event at `position` (`EventStore.fingerprint(at:)`); a move
    /// without one forgets the last.
    package func move(
        _ name: String, from expected: Int64, to position: Int64, at date: Date? = nil, fingerprint: String? = nil
    ) async throws -> Bool {
        try await writer.write { db in
            if expected == 0 {
                try db.execute(
                    sql: "INSERT INTO projection_checkpoints (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING", arguments: [name]
                )
            }
            try db.execute(
                sql: """
                    UPDATE projection_checkpoints
                    SET position = ?, moved_at = coalesce(?, moved_at), failing_since = NULL, event_fingerprint = ?
                    WHERE name = ? AND position = ?
                    """,
                arguments: [position, date?.epochMilliseconds, fingerprint, name, expected]
            )
            return db.changesCount == 1
        }
    }

    /// What named the event at checkpoint `name` when it last moved (nil: not recorded).
    package func fingerprint(_ name: String) async throws -> String? {
        try await writer.read { db in
            try String.fetchOne(db, sql: "SELECT event_fingerprint FROM projection_checkpoints WHERE name = ?", arguments: [name])
        }
    }

    /// Notes that the batch after checkpoint `name` failed at `date` and why: failing since the
    /// first such failure after the last move.
    package func recordFailure(_ name: String, _ failure: ReadSideFailure, at date: Date) async throws {
        let json = String(decoding: try JSONEncoder().encode(failure), as: UTF8.self)
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO projection_checkpoints (name, position, failing_since, last_failure, last_failure_at) VALUES (?, 0, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET failing_since = coalesce(failing_since, excluded.failing_since),
                        last_failure = excluded.last_failure, last_failure_at = excluded.last_failure_at
                    """,
                arguments: [name, date.epochMilliseconds, json, date.epochMilliseconds])
        }
    }

    /// Where checkpoint `name` stands and how it has been going.
    package func health(_ name: String) async throws -> CheckpointHealth {
        try await writer.read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT position, moved_at, failing_since, last_failure, last_failure_at FROM projection_checkpoints WHERE name = ?",
                arguments: [name])
            guard let row else { return CheckpointHealth(position: 0) }
            let failure = (row[3] as String?).flatMap { try? JSONDecoder().decode(ReadSideFailure.self, from: Data($0.utf8)) }
            return CheckpointHealth(
                position: row[0], movedAt: (row[1] as Int64?).map(Date.init(epochMilliseconds:)),
                failingSince: (row[2] as Int64?).map(Date.init(epochMilliseconds:)), lastFailure: failure,
                lastFailureAt: (row[4] as Int64?).map(Date.init(epochMilliseconds:)))
        }
    }

    /// Forgets checkpoint `name` (a finished or aborted reindex's catch-up).
    package func remove(_ name: String) async throws {
        try await writer.write { db in try db.execute(sql: "DELETE FROM projection_checkpoints WHERE name = ?", arguments: [name]) }
    }
}

/// A checkpoint's position and how its projection has been going.
package struct CheckpointHealth: Sendable, Hashable {
    package var position: Int64
    /// When a batch was last acknowledged (nil before the first, or in stores older than this).
    package var movedAt: Date?
    /// Since when every attempt at the next batch has failed; nil while batches are acknowledged.
    package var failingSince: Date?
    /// The last failure, even if batches have been acknowledged since.
    package var lastFailure: ReadSideFailure?
    package var lastFailureAt: Date?

    package init(position: Int64, movedAt: Date? = nil, failingSince: Date? = nil, lastFailure: ReadSideFailure? = nil, lastFailureAt: Date? = nil) {
        self.position = position
        self.movedAt = movedAt
        self.failingSince = failingSince
        self.lastFailure = lastFailure
        self.lastFailureAt = lastFailureAt
    }
}
