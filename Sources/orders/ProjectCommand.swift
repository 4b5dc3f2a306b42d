import ArgumentParser
import Logging
import OrdersProjection
import OrdersSearch
import OrdersStore

struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Project the event log into the embedded read index (until interrupted, or --once)."
    )

    @Flag(help: "Catch up once and exit.") var once = false
    @Option(help: "Seconds between polls for events written by other processes.") var pollSeconds: Double = 1
    @OptionGroup var store: StoreOptions
    @OptionGroup var read: ReadOptions

    func validate() throws {
        guard pollSeconds > 0, pollSeconds <= 3600 else { throw ValidationError("--poll-seconds must be between 0 and 3600, got \(pollSeconds)") }
    }

    func run() async throws {
        let logger = store.makeLogger()
        let projector = try Self.makeProjector(store: try store.open(), readDB: read.readDB, logger: logger)
        if once {
            let position = try await projector.catchUp()
            print("projected up to position \(position) into \(read.readDB)")
        } else {
            logger.info("projecting", metadata: ["read.db": "\(read.readDB)"])
            // The checkpoint moves only after each batch is stored: stopping at any moment loses nothing.
            try await projector.run(pollInterval: .milliseconds(Int64(pollSeconds * 1000)))
        }
    }

    /// The embedded read side: the index and the projector's checkpoint in one SQLite file.
    static func makeProjector(store: EventStore, readDB: String, logger: Logger) throws -> Projector {
        let index = try EmbeddedSearchIndex(path: readDB)
        return Projector(store: store, index: index, state: try ProjectionStateStore(writer: index.writer), logger: logger)
    }
}
