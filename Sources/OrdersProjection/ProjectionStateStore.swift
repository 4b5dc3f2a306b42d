public import Foundation
public import GRDB
import Logging
import OrdersSearch

/// The projector's own durable state, beside the read side: its checkpoint (moved by
/// compare-and-set) and its dead letters (documents the index refused; their orders are parked
/// until an operator retries or discards them).
public struct ProjectionStateStore: Sendable {
    public let writer: any DatabaseWriter

    public struct DeadLetter: Sendable, Hashable, Encodable {
        public var id: Int64
        public var orderID: String
        /// The document version (event position) that was refused.
        public var position: Int64
        public var reason: String
        public var recordedAt: Date
        /// When an operator discarded it (the order stays parked as it is).
        public var discardedAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, orderID = "order_id", position, reason, recordedAt = "recorded_at", discardedAt = "discarded_at"
        }
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
        try migrator.migrate(writer)
    }

    /// Opens the state store in its own SQLite file. A write waits up to `busyTimeout` seconds
    /// for another process's (a reindex beside the service, `orders dead-letters retry`).
    public init(path: String, busyTimeout: TimeInterval = 5) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        try self.init(writer: try DatabasePool(path: path, configuration: configuration))
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
            try Row.fetchAll(db, sql: "SELECT id, order_id, position, reason, recorded_at, discarded_at FROM dead_letters ORDER BY id").map { row in
                DeadLetter(
                    id: row[0], orderID: row[1], position: row[2], reason: row[3],
                    recordedAt: Date(timeIntervalSince1970: Double(row[4] as Int64) / 1000),
                    discardedAt: (row[5] as Int64?).map { Date(timeIntervalSince1970: Double($0) / 1000) }
                )
            }
        }
    }

    /// Removes an order's dead letters (it was retried and written): the projector unparks it.
    public func removeDeadLetters(orderID: String) async throws {
        try await writer.write { db in try db.execute(sql: "DELETE FROM dead_letters WHERE order_id = ?", arguments: [orderID]) }
    }

    /// Marks a dead letter discarded; false if there is no such letter.
    public func discardDeadLetter(id: Int64, at date: Date) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE dead_letters SET discarded_at = ? WHERE id = ? AND discarded_at IS NULL",
                arguments: [Int64(date.timeIntervalSince1970 * 1000), id])
            return db.changesCount == 1
        }
    }

    /// Orders with an open dead letter: their documents are not written until it is resolved.
    public func parkedOrders() async throws -> Set<String> {
        try await writer.read { db in Set(try String.fetchAll(db, sql: "SELECT DISTINCT order_id FROM dead_letters")) }
    }

    // MARK: Reindex jobs

    /// A reindex as recorded: who runs it, since when, and how far it got.
    public struct ReindexJob: Sendable, Hashable, Codable {
        public enum Phase: String, Sendable, Codable {
            /// Folding the snapshot at `snapshot` into `target`.
            case loading
            /// Projecting the events after the snapshot into `target`.
            case catchingUp = "catching_up"
            /// `target` is live; catching up what raced the swap and retiring old generations.
            case swapped
        }

        public var readSide: String
        public var owner: String
        public var startedAt: Date
        public var heartbeatAt: Date
        /// The generation that was live when it started.
        public var source: String?
        public var target: String
        /// The position P of the snapshot that is bulk-loaded.
        public var snapshot: Int64
        public var phase: Phase
        /// The last order stream loaded (the load resumes after it).
        public var loadedThrough: String?
        public var loaded: Int

        public init(
            readSide: String, owner: String, startedAt: Date, heartbeatAt: Date, source: String?, target: String, snapshot: Int64, phase: Phase,
            loadedThrough: String?, loaded: Int
        ) {
            self.readSide = readSide
            self.owner = owner
            self.startedAt = startedAt
            self.heartbeatAt = heartbeatAt
            self.source = source
            self.target = target
            self.snapshot = snapshot
            self.phase = phase
            self.loadedThrough = loadedThrough
            self.loaded = loaded
        }

        enum CodingKeys: String, CodingKey {
            case readSide = "read_side", owner, startedAt = "started_at", heartbeatAt = "heartbeat_at", source, target, snapshot, phase
            case loadedThrough = "loaded_through", loaded
        }
    }

    public func reindexJob(_ readSide: String) async throws -> ReindexJob? {
        try await writer.read { db in try Self.job(readSide, db) }
    }

    /// Takes the reindex lock of `readSide` for `owner`: a new job when there is none, or the
    /// recorded one to resume when its owner stopped (released it, or its heartbeat is older
    /// than `staleAfter`). Throws `ReindexLockError` naming the holder otherwise.
    public func acquireReindex(
        _ readSide: String, owner: String, now: Date, staleAfter: TimeInterval, otherwise start: @Sendable () -> ReindexJob
    ) async throws -> (job: ReindexJob, resumed: Bool) {
        try await writer.write { db in
            if var job = try Self.job(readSide, db) {
                guard now.timeIntervalSince(job.heartbeatAt) > staleAfter || job.owner == owner else {
                    throw ReindexLockError(job: job, now: now)
                }
                job.owner = owner
                job.heartbeatAt = now
                try Self.save(job, db)
                return (job, true)
            }
            let job = start()
            try Self.save(job, db)
            return (job, false)
        }
    }

    /// Records progress (and a heartbeat); throws `ReindexLockError` if another owner took over.
    public func updateReindex(_ job: ReindexJob) async throws {
        try await writer.write { db in
            guard let stored = try Self.job(job.readSide, db), stored.owner == job.owner else {
                throw ReindexLockError(job: try Self.job(job.readSide, db) ?? job, now: Date(), lost: true)
            }
            try Self.save(job, db)
        }
    }

    /// Lets go of the lock but keeps the job, so the next run resumes it at once.
    public func releaseReindex(_ job: ReindexJob) async throws {
        var released = job
        released.heartbeatAt = Date(timeIntervalSince1970: 0)
        try await updateReindex(released)
    }

    /// Forgets the job (done, or aborted) and its catch-up checkpoint.
    public func endReindex(_ job: ReindexJob) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM reindex_jobs WHERE read_side = ?", arguments: [job.readSide])
            try db.execute(sql: "DELETE FROM projection_checkpoints WHERE name = ?", arguments: [job.checkpointName])
        }
    }

    private static func job(_ readSide: String, _ db: Database) throws -> ReindexJob? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT read_side, owner, started_at, heartbeat_at, source, target, snapshot, phase, loaded_through, loaded
                FROM reindex_jobs WHERE read_side = ?
                """, arguments: [readSide]
        ).map { row in
            ReindexJob(
                readSide: row[0], owner: row[1], startedAt: date(row[2]), heartbeatAt: date(row[3]), source: row[4], target: row[5],
                snapshot: row[6], phase: ReindexJob.Phase(rawValue: row[7]) ?? .loading, loadedThrough: row[8], loaded: row[9])
        }
    }

    private static func save(_ job: ReindexJob, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO reindex_jobs
                    (read_side, owner, started_at, heartbeat_at, source, target, snapshot, phase, loaded_through, loaded)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                job.readSide, job.owner, milliseconds(job.startedAt), milliseconds(job.heartbeatAt), job.source, job.target, job.snapshot,
                job.phase.rawValue, job.loadedThrough, job.loaded,
            ])
    }

    private static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    private static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

extension ProjectionStateStore.ReindexJob {
    /// The catch-up checkpoint of this job (beside the live projector's).
    public var checkpointName: String { "reindex:\(readSide):\(target)" }
}

/// Another reindex holds the lock (or took it over from this one).
public struct ReindexLockError: Error, Sendable, CustomStringConvertible {
    public var job: ProjectionStateStore.ReindexJob
    public var now: Date
    public var lost = false

    public var description: String {
        let age = Int(now.timeIntervalSince(job.heartbeatAt).rounded())
        let who =
            "\(job.owner), started \(job.startedAt.formatted(.iso8601)), building \(job.target) (\(job.phase.rawValue)), last heard of \(age) s ago"
        return lost ? "this reindex lost its lock to \(who)" : "a reindex is already running: \(who). Wait for it, or stop it and run again to resume"
    }
}

extension ProjectionStateStore {
    /// An order event that cannot be projected: its order gets a dead letter (and is parked
    /// there) and the error is logged; returns the order id. Any other event's failure is
    /// thrown: it is not one order's to park.
    func deadLetter(_ failure: ProjectionError, logger: Logger) async throws -> String {
        guard let orderID = ProjectionState.orderID(failure.streamID) else { throw failure }
        try await addDeadLetter(orderID: orderID, position: failure.position, reason: failure.reason, at: Date())
        logger.error(
            "event dead-lettered; order parked",
            metadata: ["order.id": "\(orderID)", "projection.position": "\(failure.position)", "error": "\(failure.reason)"])
        return orderID
    }
}
