import ArgumentParser

@main
struct Orders: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "An order service built on CQRS: an SQLite event store on the write side, search indices on the read side.",
        subcommands: [
            ServeCommand.self, SeedCommand.self, EventsCommand.self, ProjectCommand.self, SearchCommand.self, StatusCommand.self, ReindexCommand.self,
            DeadLettersCommand.self, KeysCommand.self,
        ]
    )
}
