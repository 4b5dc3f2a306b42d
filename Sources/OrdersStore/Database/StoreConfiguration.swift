/// How the write store is opened. Every property has a documented default.
package struct StoreConfiguration: Sendable {
    /// SQLite's `synchronous` setting for the WAL-mode write store.
    package enum Durability: String, Sendable, CaseIterable {
        /// `synchronous=FULL` (default): a command acknowledged to its caller survives a power
        /// loss. One fsync per write transaction (group commit shares it between concurrent commands).
        case full
        /// `synchronous=NORMAL`: survives a crash of the process, but the last transactions
        /// before a power loss or OS crash may be lost. The database is never corrupted.
        case normal
    }

    /// The SQLite file. Its folder is created if missing.
    package var path: String
    /// Default `.full`.
    package var durability: Durability
    /// How long a writer waits for another process's write lock before failing. Default 5 s.
    package var busyTimeoutSeconds: Double
    /// At most this many commands are committed in one write transaction. Default 256.
    package var maximumGroupCommit: Int
    /// Concurrent reader connections. Default 4.
    package var maximumReaderCount: Int

    package init(
        path: String,
        durability: Durability = .full,
        busyTimeoutSeconds: Double = 5,
        maximumGroupCommit: Int = 256,
        maximumReaderCount: Int = 4
    ) {
        self.path = path
        self.durability = durability
        self.busyTimeoutSeconds = busyTimeoutSeconds
        self.maximumGroupCommit = maximumGroupCommit
        self.maximumReaderCount = maximumReaderCount
    }

    /// `./data/orders.sqlite`, the CLI's default.
    package static let defaultPath = "data/orders.sqlite"
}
