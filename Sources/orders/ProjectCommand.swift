import ArgumentParser
import Logging
import OrdersProjection

struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Project the event log into the read index, Elasticsearch or embedded (until interrupted, or --once)."
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
        let readSide = try read.open(logger: logger, besides: store.db)
        var configuration = ProjectorConfiguration()
        configuration.pollInterval = .milliseconds(Int64(pollSeconds * 1000))
        let eventStore = try store.open()
        try await readSide.bind(to: eventStore)
        let projector = readSide.projector(store: eventStore, configuration: configuration, logger: logger)
        if once {
            let position = try await withServices(readSide.services, logger: logger) { try await projector.catchUp() }
            print("projected up to position \(position) into \(readSide.location)")
        } else {
            logger.info("projecting", metadata: ["read.index": "\(readSide.location)"])
            // Until SIGINT or SIGTERM. The checkpoint moves only after each batch is stored:
            // stopping at any moment loses nothing.
            try await withServices(readSide.services, logger: logger) { try await projector.run() }
        }
    }
}
