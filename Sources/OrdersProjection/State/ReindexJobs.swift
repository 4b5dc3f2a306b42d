package import Foundation
package import GRDB

/// A reindex as recorded: who runs it, since when, and how far it got. The row is also the
/// read side's reindex lock.
package struct ReindexJob: Sendable, Hashable, Codable {
    package enum Phase: String, Sendable, Codable {
        /// Folding the snapshot at `snapshot` into `target`.
        case loading
        /// Projecting the events after the snapshot into `target`.
        case catchingUp = "catching_up"
        /// `target` is live; catching up what raced the swap and retiring old generations.
        case swapped
    }

    package var readSide: String
    package var owner: String
    package var startedAt: Date
    /// When the owner was last heard of; the epoch when it let go (stopped, to be resumed).
    package var heartbeatAt: Date
    /// The generation that was live when it started.
    package var source: String?
    package var target: String
    /// The position P of the snapshot that is bulk-loaded.
    package var snapshot: Int64
    package var phase: Phase
    /// The last order stream loaded (the load resumes after it).
    package var loadedThrough: String?
    package var loaded: Int

    package init(
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

    /// The catch-up checkpoint of this job (beside the live projector's).
    package var checkpointName: String { "reindex:\(readSide):\(target)" }

    /// Whether its owner let go of it (stopped, to be resumed by the next run).
    package var isReleased: Bool { heartbeatAt.timeIntervalSince1970 == 0 }
}

/// Another reindex holds the lock (or took it over from this one).
package struct ReindexLockError: Error, Sendable, CustomStringConvertible {
    package var job: ReindexJob
    package var now: Date
    package var lost = false

    package var description: String {
        let age = Int(now.timeIntervalSince(job.heartbeatAt).rounded())
        let who =
            "\(job.owner), started \(job.startedAt.formatted(.iso8601)), building \(job.target) (\(job.phase.rawValue)), last heard of \(age) s ago"
        return lost ? "this reindex lost its lock to \(who)" : "a reindex is already running: \(who). Wait for it, or stop it and run again to resume"
    }
}

/// The reindex jobs of the read sides: one per read side, which is its lock.
package struct ReindexJobs: Sendable {
    package let writer: any DatabaseWriter

    package init(writer: any DatabaseWriter) { self.writer = writer }

    package func job(_ readSide: String) async throws -> ReindexJob? {
        try await writer.read { db in try Self.job(readSide, db) }
    }

    /// Takes the reindex lock of `readSide` for `owner`: a new job when there is none, or the
    /// recorded one to resume when its owner stopped (released it, its heartbeat is older than
    /// `staleAfter`, or it is a process of this host that is gone). Throws `ReindexLockError` naming the holder otherwise.
    package func acquire(
        _ readSide: String, owner: String, now: Date, staleAfter: TimeInterval, otherwise start: @Sendable () -> ReindexJob
    ) async throws -> (job: ReindexJob, resumed: Bool) {
        try await writer.write { db in
            if var job = try Self.job(readSide, db) {
                guard now.timeIntervalSince(job.heartbeatAt) > staleAfter || job.owner == owner || ProcessOwner.isGone(job.owner) else {
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
    package func update(_ job: ReindexJob, now: Date) async throws {
        try await writer.write { db in
            guard let stored = try Self.job(job.readSide, db), stored.owner == job.owner else {
                throw ReindexLockError(job: try Self.job(job.readSide, db) ?? job, now: now, lost: true)
            }
            try Self.save(job, db)
        }
    }

    /// Lets go of the lock but keeps the job, so the next run resumes it at once.
    package func release(_ job: ReindexJob, now: Date) async throws {
        var released = job
        released.heartbeatAt = Date(timeIntervalSince1970: 0)
        try await update(released, now: now)
    }

    /// Forgets the job (done, or aborted) and its catch-up checkpoint.
    package func end(_ job: ReindexJob) async throws {
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
                readSide: row[0], owner: row[1], startedAt: Date(epochMilliseconds: row[2]), heartbeatAt: Date(epochMilliseconds: row[3]),
                source: row[4], target: row[5], snapshot: row[6], phase: ReindexJob.Phase(rawValue: row[7]) ?? .loading, loadedThrough: row[8],
                loaded: row[9])
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
                job.readSide, job.owner, job.startedAt.epochMilliseconds, job.heartbeatAt.epochMilliseconds, job.source, job.target,
                job.snapshot, job.phase.rawValue, job.loadedThrough, job.loaded,
            ])
    }
}
