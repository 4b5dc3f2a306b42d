import Foundation
package import GRDB

/// The write store's SQLite database: one `DatabasePool` (WAL) for the life of the process,
/// migrated on open.
package struct StoreDatabase: Sendable {
    package let writer: any DatabaseWriter
    package let configuration: StoreConfiguration

    /// Opens (creating the file and its folder if needed) and migrates the store.
    package static func open(_ configuration: StoreConfiguration) throws -> StoreDatabase {
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
        return StoreDatabase(writer: pool, configuration: configuration)
    }
}
