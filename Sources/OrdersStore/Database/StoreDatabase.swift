import Foundation
package import GRDB

/// The write store's SQLite database: one `DatabasePool` (WAL) for the life of the process,
/// migrated on open.
package struct StoreDatabase: Sendable {
    package let writer: any DatabaseWriter
    package let configuration: StoreConfiguration
    /// This process's shared hold on the store (its lock file), for as long as the store or an
    /// `EventStore` made from it is in use: `orders restore` replaces a store only when it can
    /// hold it alone.
    package let hold: StoreHold?

    /// Opens (creating the file and its folder if needed) and migrates the store. `hold` is a
    /// hold this process has already (a restore's exclusive one); else a shared one is taken.
    package static func open(_ configuration: StoreConfiguration, hold: StoreHold? = nil) throws -> StoreDatabase {
        do {
            return try openOrThrow(configuration, hold: hold)
        } catch let error as DatabaseError {
            throw StoreOpenError(path: configuration.path, error: error)
        }
    }

    private static func openOrThrow(_ configuration: StoreConfiguration, hold existing: StoreHold?) throws -> StoreDatabase {
        let url = URL(fileURLWithPath: configuration.path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Taken before the store is opened: a restore in progress holds it alone.
        let hold = try existing ?? StoreHold.shared(configuration.path)
        var config = Configuration()
        config.busyMode = .timeout(configuration.busyTimeoutSeconds)
        config.maximumReaderCount = configuration.maximumReaderCount
        let pool = try DatabasePool(path: configuration.path, configuration: config)
        // `synchronous` is per connection, and only the writer commits. `DatabasePool` sets it to
        // NORMAL on its writer when it enables WAL, after `prepareDatabase` has run, so it is set
        // here, on the writer, once the pool is open.
        let synchronous = configuration.durability == .full ? "FULL" : "NORMAL"
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        try StoreMigrations.migrator.migrate(pool)
        return StoreDatabase(writer: pool, configuration: configuration, hold: hold)
    }
}

/// A `flock` on the store's lock file (`<store>.lock`, beside it): shared by every process that
/// uses the store, exclusive for `orders restore`, which replaces the store only while no process
/// uses it. A lock file of its own, never the database file: closing a descriptor of the database
/// file would drop the process's POSIX locks on it, SQLite's included. Released when the process
/// exits, however it exits.
package final class StoreHold: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    /// The lock file of the store at `path`.
    package static func lockPath(_ path: String) -> String { path + ".lock" }

    /// A shared hold; throws when a restore holds the store alone.
    package static func shared(_ path: String) throws -> StoreHold {
        guard let hold = try take(path, exclusive: false) else {
            throw StoreHoldError(description: "\(path) is being restored (`orders restore` holds it): try again when it is done")
        }
        return hold
    }

    /// The exclusive hold; nil when a process uses the store.
    package static func exclusive(_ path: String) throws -> StoreHold? { try take(path, exclusive: true) }

    private static func take(_ path: String, exclusive: Bool) throws -> StoreHold? {
        let descriptor = Foundation.open(lockPath(path), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreHoldError(description: "cannot open the store's lock file \(lockPath(path)): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
            let reason = errno
            close(descriptor)
            guard reason == EWOULDBLOCK else {
                throw StoreHoldError(description: "cannot lock \(lockPath(path)): \(String(cString: strerror(reason)))")
            }
            return nil
        }
        return StoreHold(descriptor: descriptor)
    }

    deinit { close(descriptor) }
}

/// The store's lock file could not be taken, in words.
package struct StoreHoldError: Error, CustomStringConvertible {
    package var description: String
}

/// The write store could not be opened, in words: a full disk or a read-only file system is
/// named as such, with the space left where the store lives.
package struct StoreOpenError: Error, CustomStringConvertible {
    package let path: String
    package let error: DatabaseError
    /// Bytes free on the store's file system (nil when unknown).
    package let freeBytes: Int64?

    package init(path: String, error: DatabaseError, freeBytes: Int64? = nil) {
        self.path = path
        self.error = error
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        self.freeBytes =
            freeBytes
            ?? (try? FileManager.default.attributesOfFileSystem(forPath: folder))?[.systemFreeSize].flatMap { ($0 as? NSNumber)?.int64Value }
    }

    package var description: String {
        let free = freeBytes.map { ", \($0.formatted()) bytes free on its file system" } ?? ""
        guard let why = EventStoreError.unavailability(error) else { return "cannot open the order store at \(path)\(free): \(error)" }
        return "cannot open the order store at \(path): \(why)\(free) (\(error))"
    }
}
