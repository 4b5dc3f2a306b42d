package import GRDB

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

    /// Moves checkpoint `name` from `expected` to `position`; false if it was not at `expected`
    /// (another projector moved it: two must never run against one read side).
    package func move(_ name: String, from expected: Int64, to position: Int64) async throws -> Bool {
        try await writer.write { db in
            if expected == 0 {
                try db.execute(
                    sql: "INSERT INTO projection_checkpoints (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING", arguments: [name]
                )
            }
            try db.execute(
                sql: "UPDATE projection_checkpoints SET position = ? WHERE name = ? AND position = ?", arguments: [position, name, expected]
            )
            return db.changesCount == 1
        }
    }

    /// Forgets checkpoint `name` (a finished or aborted reindex's catch-up).
    package func remove(_ name: String) async throws {
        try await writer.write { db in try db.execute(sql: "DELETE FROM projection_checkpoints WHERE name = ?", arguments: [name]) }
    }
}
