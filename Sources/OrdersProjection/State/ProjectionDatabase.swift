package import Foundation
package import GRDB
import OrdersSearch

/// The projection's own durable state, in one SQLite file beside the read side (never in the
/// write store): the checkpoints, the dead letters and the reindex jobs, each behind its own
/// small type. The embedded backend keeps it beside its index file, so an index and its
/// checkpoint move together.
package struct ProjectionDatabase: Sendable {
    package let writer: any DatabaseWriter

    /// Where each read side's projection stands (moved by compare-and-set).
    package var checkpoints: Checkpoints { Checkpoints(writer: writer) }
    /// Documents the index refused and events that could not be projected: their orders are parked.
    package var deadLetters: DeadLetters { DeadLetters(writer: writer) }
    /// The reindex lock and where an interrupted reindex stands.
    package var reindexJobs: ReindexJobs { ReindexJobs(writer: writer) }

    /// Records that this read side is built from the event store `storeID`, or checks that it
    /// is: a read side built from another store's log throws `ReadSideOfAnotherStore` (it would
    /// serve that store's orders, and its checkpoint would mean nothing here). A read side
    /// from before stores had ids takes the first one it is bound to.
    package func bind(toStore storeID: String, location: String) async throws {
        let recorded = try await writer.write { db -> String? in
            if let recorded = try String.fetchOne(db, sql: "SELECT store_id FROM event_store WHERE id = 1") { return recorded }
            try db.execute(sql: "INSERT INTO event_store (id, store_id) VALUES (1, ?)", arguments: [storeID])
            return nil
        }
        if let recorded, recorded != storeID { throw ReadSideOfAnotherStore(location: location, recorded: recorded, store: storeID) }
    }

    /// Migrates `writer` (a temporary or in-memory database in tests).
    package init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.migrator.migrate(writer)
    }

    /// Opens the state in its own SQLite file (the folder is created). A write waits up to
    /// `busyTimeout` seconds for another process's (a reindex beside the service,
    /// `orders dead-letters retry`).
    package init(path: String, busyTimeout: TimeInterval = 5) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        try self.init(writer: try DatabasePool(path: path, configuration: configuration))
    }

    /// Named migrations, never edited once shipped.
    static var migrator: DatabaseMigrator {
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
        migrator.registerMigration("2026-11-22 reindex jobs") { db in
            // One reindex per read side at a time: this row is its lock (owner + heartbeat) and
            // where it stands, so an interrupted one resumes or is cleaned up.
            try db.execute(
                sql: """
                    CREATE TABLE reindex_jobs (
                        read_side TEXT PRIMARY KEY,
                        owner TEXT NOT NULL,
                        started_at INTEGER NOT NULL,
                        heartbeat_at INTEGER NOT NULL,
                        source TEXT,
                        target TEXT NOT NULL,
                        snapshot INTEGER NOT NULL,
                        phase TEXT NOT NULL,
                        loaded_through TEXT,
                        loaded INTEGER NOT NULL DEFAULT 0
                    ) STRICT;
                    """
            )
        }
        migrator.registerMigration("2026-11-22 discarded dead letters") { db in
            // An operator accepted the order as it is: the letter stays on record, the order parked.
            try db.execute(sql: "ALTER TABLE dead_letters ADD COLUMN discarded_at INTEGER")
        }
        migrator.registerMigration("2026-12-07 projection health") { db in
            // When each checkpoint last moved, and what has failed since (a stuck batch shows).
            try db.execute(
                sql: """
                    ALTER TABLE projection_checkpoints ADD COLUMN moved_at INTEGER;
                    ALTER TABLE projection_checkpoints ADD COLUMN failing_since INTEGER;
                    ALTER TABLE projection_checkpoints ADD COLUMN last_failure TEXT;
                    ALTER TABLE projection_checkpoints ADD COLUMN last_failure_at INTEGER;
                    """)
        }
        migrator.registerMigration("2026-12-07 event store") { db in
            // The event store this read side is built from (`bind(to:)`).
            try db.execute(sql: "CREATE TABLE event_store (id INTEGER PRIMARY KEY CHECK (id = 1), store_id TEXT NOT NULL) STRICT")
        }
        migrator.registerMigration("2026-12-08 checkpoint fingerprint") { db in
            // What names the event at each checkpoint (`EventStore.fingerprint(at:)`).
            try db.execute(sql: "ALTER TABLE projection_checkpoints ADD COLUMN event_fingerprint TEXT")
        }
        return migrator
    }
}

extension Date {
    /// Stored dates are epoch milliseconds.
    var epochMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    init(epochMilliseconds: Int64) { self.init(timeIntervalSince1970: Double(epochMilliseconds) / 1000) }
}
