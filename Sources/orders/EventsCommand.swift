import ArgumentParser
import Foundation
import OrdersStore

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print the event log as NDJSON, one event per line, in position order."
    )

    @Option(parsing: .unconditional, help: "Print events after this position.") var after: Int64 = 0
    @Option(parsing: .unconditional, help: "Print at most this many events (default: all).") var limit: Int?
    @OptionGroup var store: StoreOptions

    func validate() throws {
        guard after >= 0 else { throw ValidationError("--after must be 0 or more, got \(after)") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
    }

    func run() async throws {
        _ = store.makeLogger()
        let eventStore = try store.openExisting()
        var position = after
        var remaining = limit ?? Int.max
        let output = FileHandle.standardOutput
        while remaining > 0 {
            let batch = try await eventStore.readAll(after: position, limit: min(remaining, 1000))
            guard let last = batch.last else { break }
            var chunk = Data()
            for event in batch { chunk.append(event.ndjsonLine()) }
            try output.write(contentsOf: chunk)
            position = last.position
            remaining -= batch.count
        }
    }
}
