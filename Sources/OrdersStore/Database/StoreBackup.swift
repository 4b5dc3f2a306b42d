import Crypto
package import Foundation
package import GRDB
import Timing

/// What a backup holds, checked: SQLite's integrity check, the head position, the number of
/// events and a SHA-256 over the whole log (every column of every event, in position order).
package struct BackupReport: Sendable, Codable, Equatable {
    package var path: String
    package var headPosition: Int64
    package var events: Int64
    /// Hex SHA-256 over the log (`StoreBackup.logChecksum`).
    package var logChecksum: String
    package var bytes: Int64
    package var seconds: Double

    package init(path: String, headPosition: Int64, events: Int64, logChecksum: String, bytes: Int64, seconds: Double) {
        self.path = path
        self.headPosition = headPosition
        self.events = events
        self.logChecksum = logChecksum
        self.bytes = bytes
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case path, events, bytes, seconds
        case headPosition = "head_position"
        case logChecksum = "log_checksum"
    }
}

/// A backup or restore refused or failed, in words.
package struct BackupError: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// Online backups of the write store (SQLite's backup API through GRDB, inside one read
/// transaction: a consistent snapshot while commands go on) and their verification.
package enum StoreBackup {
    /// Copies the store to `path` (which must not exist), then verifies the copy against the
    /// store: the copy's log must be exactly the store's log up to the copy's head. The copy is
    /// written beside `path` and renamed into place only once verified.
    package static func backup(_ database: StoreDatabase, to path: String) throws -> BackupReport {
        let start = ContinuousClock.now
        guard !FileManager.default.fileExists(atPath: path) else { throw BackupError("\(path) exists already: a backup never overwrites a file") }
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let partial = path + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            // One step (all pages) inside one read transaction of the store: a snapshot of every
            // commit acknowledged before it began, whatever is written meanwhile.
            try copy(database.writer, to: partial)
            var report = try verify(path: partial)
            // The store's log up to the copy's head must be the copy's log.
            let source = try database.writer.read { db in try logChecksum(db, through: report.headPosition) }
            guard source.checksum == report.logChecksum, source.events == report.events else {
                throw BackupError("the copy's log differs from the store's up to position \(report.headPosition): the copy is not kept")
            }
            try FileManager.default.moveItem(atPath: partial, toPath: path)
            report.path = path
            report.seconds = (ContinuousClock.now - start).inSeconds
            return report
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// Copies `source` into a new SQLite file at `path` with SQLite's backup API (synced), as one
    /// self-contained file (a WAL store's journal mode would come with its pages).
    private static func copy(_ source: any DatabaseReader, to path: String) throws {
        let copy = try DatabaseQueue(path: path)
        try source.backup(to: copy)
        try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        try copy.close()
    }

    /// `date` as a file name may carry it: UTC, to the second, without colons
    /// (`2026-12-08T000545Z`).
    package static func fileStamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date).replacingOccurrences(of: ":", with: "")
    }

    /// A backup as recorded in the store: when it finished, where, and its report or why it
    /// failed.
    package struct Record: Sendable, Codable, Equatable {
        package var finishedAt: Date
        package var path: String
        package var report: BackupReport?
        package var error: String?

        enum CodingKeys: String, CodingKey {
            case path, report, error
            case finishedAt = "finished_at"
        }
    }

    /// Takes a backup (`backup(_:to:)`) and records how it went in the store; rethrows a failure
    /// after recording it.
    @discardableResult
    package static func backupRecorded(
        _ database: StoreDatabase, to path: String, now: @Sendable () -> Date = Date.init
    ) throws
        -> BackupReport
    {
        let start = ContinuousClock.now
        do {
            let report = try backup(database, to: path)
            try? record(Record(finishedAt: now(), path: path, report: report, error: nil), in: database)
            return report
        } catch {
            let seconds = (ContinuousClock.now - start).inSeconds
            try? record(Record(finishedAt: now(), path: path, report: nil, error: "\(error)"), in: database, seconds: seconds)
            throw error
        }
    }

    static func record(_ record: Record, in database: StoreDatabase, seconds: Double? = nil) throws {
        let duration: Double = seconds ?? record.report?.seconds ?? 0
        try database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO backups (finished_at, path, head_position, events, log_checksum, bytes, seconds, error)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    RecordedEvent.milliseconds(record.finishedAt), record.path, record.report?.headPosition,
                    record.report?.events, record.report?.logChecksum, record.report?.bytes, duration,
                    record.error,
                ])
        }
    }

    /// The last backup recorded in the store, nil when none was taken.
    package static func lastRecorded(in reader: any DatabaseReader) throws -> Record? {
        try reader.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT finished_at, path, head_position, events, log_checksum, bytes, seconds, error
                        FROM backups ORDER BY id DESC LIMIT 1
                        """)
            else { return nil }
            let finishedAt = Date(timeIntervalSince1970: Double(row["finished_at"] as Int64) / 1000)
            let path: String = row["path"]
            var report: BackupReport?
            if let head = row["head_position"] as Int64?, let events = row["events"] as Int64?, let checksum = row["log_checksum"] as String? {
                report = BackupReport(
                    path: path, headPosition: head, events: events, logChecksum: checksum, bytes: row["bytes"] ?? 0, seconds: row["seconds"])
            }
            return Record(finishedAt: finishedAt, path: path, report: report, error: row["error"])
        }
    }

    /// A restore done: what the store now holds, where the store it replaced was kept, and the
    /// exclusive hold, for the caller to keep while it rebuilds the read side (no process can
    /// open the store meanwhile; open it with `StoreDatabase.open(_:hold:)`).
    package struct Restored: Sendable {
        package var report: BackupReport
        package var kept: String?
        package var hold: StoreHold
    }

    /// Replaces the store at `path` with the backup at `backup`. The backup is verified; its copy
    /// is written beside the store with SQLite's backup API (synced) and verified again; only
    /// then, holding the store alone (`StoreHold`), is the store moved aside (with its `-wal` and
    /// `-shm`, never deleted) and the copy renamed into place. A failure leaves the store as it
    /// was.
    package static func restore(from backup: String, to path: String, now: Date = Date()) throws -> Restored {
        let report = try verify(path: backup)
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        guard let hold = try StoreHold.exclusive(path) else {
            throw BackupError(
                "\(path) is in use by a running process (orders serve, project, seed, ...): stop it before restoring; nothing was changed")
        }
        let files = FileManager.default
        let partial = path + ".restoring"
        try? files.removeItem(atPath: partial)
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let source = try DatabaseQueue(path: backup, configuration: configuration)
            try copy(source, to: partial)
            try source.close()
            guard try verify(path: partial).logChecksum == report.logChecksum else {
                throw BackupError("the copy of \(backup) differs from it: nothing was restored")
            }
        } catch {
            try? files.removeItem(atPath: partial)
            throw error
        }
        // The store (if any) aside, under a name none of its three files has.
        let stamp = fileStamp(now)
        var kept: String?
        var moved: [(from: String, to: String)] = []
        func rollBack() {
            for move in moved.reversed() { try? files.moveItem(atPath: move.to, toPath: move.from) }
            try? files.removeItem(atPath: partial)
        }
        if files.fileExists(atPath: path) {
            var aside = "\(path).before-restore-\(stamp)"
            var attempt = 1
            while ["", "-wal", "-shm"].contains(where: { files.fileExists(atPath: aside + $0) }) {
                attempt += 1
                aside = "\(path).before-restore-\(stamp)-\(attempt)"
            }
            do {
                for suffix in ["", "-wal", "-shm"] where files.fileExists(atPath: path + suffix) {
                    try files.moveItem(atPath: path + suffix, toPath: aside + suffix)
                    moved.append((path + suffix, aside + suffix))
                }
            } catch {
                rollBack()
                throw BackupError("could not move \(path) aside: \(error); the store is as it was")
            }
            kept = aside
        }
        do {
            try files.moveItem(atPath: partial, toPath: path)
        } catch {
            rollBack()
            throw BackupError("could not put the backup's copy in place: \(error); the store is as it was")
        }
        syncFolder(of: path)
        var result = report
        result.path = path
        return Restored(report: result, kept: kept, hold: hold)
    }

    /// Makes the renames in `path`'s folder durable.
    private static func syncFolder(of path: String) {
        let folder = Foundation.open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { return }
        fsync(folder)
        close(folder)
    }

    /// Opens `path` read-only and checks it: SQLite's `integrity_check`, a store's schema, and
    /// positions 1...head without a hole. Throws `BackupError` naming what is wrong.
    package static func verify(path: String) throws -> BackupReport {
        guard FileManager.default.fileExists(atPath: path) else { throw BackupError("no backup at \(path)") }
        var configuration = Configuration()
        configuration.readonly = true
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw BackupError("\(path) cannot be opened as an SQLite database: \(error)")
        }
        defer { try? queue.close() }
        return try queue.read { db in
            let integrity: [String]
            do {
                integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            } catch {
                throw BackupError("\(path) fails SQLite's integrity check: \(error)")
            }
            guard integrity == ["ok"] else {
                throw BackupError("\(path) fails SQLite's integrity check: \(integrity.prefix(3).joined(separator: "; "))")
            }
            guard try db.tableExists("events") else { throw BackupError("\(path) is not an order store (it has no events table)") }
            let head = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(position), 0) FROM events") ?? 0
            let log = try logChecksum(db, through: head)
            guard log.events == head else {
                throw BackupError("\(path) has \(log.events) events for head position \(head): positions have holes")
            }
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
            return BackupReport(path: path, headPosition: head, events: log.events, logChecksum: log.checksum, bytes: bytes, seconds: 0)
        }
    }

    /// SHA-256 over every column of the events up to `position`, in position order, each value
    /// typed and length-prefixed (so that no two logs hash alike by shifting bytes between
    /// columns).
    package static func logChecksum(_ db: Database, through position: Int64) throws -> (checksum: String, events: Int64) {
        var hash = SHA256()
        var events: Int64 = 0
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT position, stream_id, stream_version, type, schema_version, payload, command_id, correlation_id, recorded_at
                FROM events WHERE position <= ? ORDER BY position
                """, arguments: [position])
        while let row = try rows.next() {
            events += 1
            for index in 0..<row.count {
                // A type tag, then the value's bytes with their length.
                let (tag, bytes): (UInt8, Data)
                switch (row[index] as DatabaseValue).storage {
                case .null: (tag, bytes) = (0, Data())
                case .int64(let value): (tag, bytes) = (1, withUnsafeBytes(of: value.littleEndian) { Data($0) })
                case .double(let value): (tag, bytes) = (2, withUnsafeBytes(of: value.bitPattern.littleEndian) { Data($0) })
                case .string(let value): (tag, bytes) = (3, Data(value.utf8))
                case .blob(let value): (tag, bytes) = (4, value)
                }
                hash.update(data: Data([tag]))
                withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { hash.update(bufferPointer: $0) }
                hash.update(data: bytes)
            }
        }
        return (hash.finalize().map { String(format: "%02x", $0) }.joined(), events)
    }
}
