import Foundation
package import GRDB

/// The write store's SQLite database: one `DatabasePool` (WAL) for the life of the process,
/// migrated on open.
package struct StoreDatabase: Sendable {
    package let writer: any DatabaseWriter
    package let configuration: StoreConfiguration
    /// This process's shared hold on the store file, for as long as the store is open:
    /// `orders restore` replaces a store only when it can hold it alone.
    private let hold: StoreHold?

    /// Opens (creating the file and its folder if needed) and migrates the store.
    package static func open(_ configuration: StoreConfiguration) throws -> StoreDatabase {
        do {
            return try openOrThrow(configuration)
        } catch let error as DatabaseError {
            throw StoreOpenError(path: configuration.path, error: error)
        }
    }

    private static func openOrThrow(_ configuration: StoreConfiguration) throws -> StoreDatabase {
        let url = URL(fileURLWithPath: configuration.path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
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
        return StoreDatabase(writer: pool, configuration: configuration, hold: StoreHold(path: configuration.path, exclusive: false))
    }
}

/// A `flock` on the store file: shared by every process that has the store open, exclusive for
/// `orders restore`, which may replace the file only while no process has it open. (SQLite locks
/// with `fcntl`, which on Linux is independent of `flock`.) Released when the process exits,
/// however it exits.
package final class StoreHold: Sendable {
    private let descriptor: Int32

    /// Holds `path`; nil when it cannot be held (exclusive: another process has it).
    package init?(path: String, exclusive: Bool) {
        let descriptor = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        guard flock(descriptor, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
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
