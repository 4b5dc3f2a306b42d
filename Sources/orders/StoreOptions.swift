public import ArgumentParser
public import Logging
public import OrdersStore

/// Options shared by every command that opens the write store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The write store's SQLite file (its folder is created).")
    var db: String = StoreConfiguration.defaultPath

    @Option(
        name: .long,
        help: "full: an acknowledged command survives power loss (default). normal: faster; the last commands may be lost on power loss."
    )
    var durability: StoreConfiguration.Durability = .full

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func open() throws -> EventStore {
        EventStore(database: try StoreDatabase.open(StoreConfiguration(path: db, durability: durability)))
    }

    /// Bootstraps logging to standard error once and returns the root logger.
    func makeLogger() -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        return Logger(label: "orders")
    }
}

extension StoreConfiguration.Durability: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Options for commands that use the embedded read side.
struct ReadOptions: ParsableArguments {
    @Option(name: .long, help: "The embedded read index's SQLite file (separate from the write store).")
    var readDB: String = "data/read.sqlite"
}
