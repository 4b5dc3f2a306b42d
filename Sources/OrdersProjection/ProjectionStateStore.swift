public import Foundation
public import GRDB
import OrdersSearch

/// The projector's own durable state, beside the read side: its checkpoint (moved by
/// compare-and-set) and its dead letters (documents the index refused; their orders are parked
/// until an operator retries or discards them).
public struct ProjectionStateStore: Sendable {
    public let writer: any DatabaseWriter

    public struct DeadLetter: Sendable, Hashable {
        public var id: Int64
        public var orderID: String
        /// The document version (event position) that was refused.
        public var position: Int64
        public var reason: String
        public var recordedAt: Date
    }

    public init(writer: any DatabaseWriter) throws {
        self.writer = writer
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-22 projection state") { db in
            try db.execute(
                sql: """
                    CREATE TABLE projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL) STRICT;
                    CREATE TABLE dead_letters (
                        id INTEGER PRIMARY KEY,
                        order_id TEXT NOT NULL,
                        position INTEGER NOT NULL,
                        reason TEXT NOT NULL,
                        recorded_at INTEGER NOT NULL,
                        UNIQUE (order_id, position)
                    ) STRICT;
                    """
            )
        }
        try migrator.migrate(writer)
    }

    /// Opens the state store in its own SQLite file.
    public init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try self.init(writer: try DatabasePool(path: path))
    }

    public func checkpoint(_ name: String) async throws -> Int64 {
        try await writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT position FROM projection_checkpoints WHERE name = ?", arguments: [name]) ?? 0
        }
    }

    /// Moves the checkpoint from `expected` to `position`; false if it was not at `expected`
    /// (another projector moved it: two must never run against one read side).
    public func moveCheckpoint(_ name: String, from expected: Int64, to position: Int64) async throws -> Bool {
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

    public func addDeadLetter(orderID: String, position: Int64, reason: String, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO dead_letters (order_id, position, reason, recorded_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (order_id, position) DO NOTHING
                    """,
                arguments: [orderID, position, reason, Int64(date.timeIntervalSince1970 * 1000)]
            )
        }
    }

    public func deadLetters() async throws -> [DeadLetter] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, order_id, position, reason, recorded_at FROM dead_letters ORDER BY id").map { row in
                DeadLetter(
                    id: row[0], orderID: row[1], position: row[2], reason: row[3],
                    recordedAt: Date(timeIntervalSince1970: Double(row[4] as Int64) / 1000)
                )
            }
        }
    }

    /// Orders with an open dead letter: their documents are not written until it is resolved.
    public func parkedOrders() async throws -> Set<String> {
        try await writer.read { db in Set(try String.fetchAll(db, sql: "SELECT DISTINCT order_id FROM dead_letters")) }
    }
}
