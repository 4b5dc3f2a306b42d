import ArgumentParser
import Foundation
import OrdersProjection

struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract: "Documents the index refused and events that could not be projected; their orders are parked.",
        subcommands: [List.self, Retry.self, Discard.self], defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead letters (parked orders).")
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var store: StoreOptions
        @OptionGroup var read: ReadOptions

        func run() async throws {
            let readSide = try read.openExisting(logger: store.makeLogger(), besides: store.db)
            let letters = try await readSide.state.deadLetters.all()
            if json { return print(try ReindexCommand.json(letters)) }
            if letters.isEmpty { return print("no dead letters") }
            for letter in letters {
                let discarded = letter.discardedAt.map { " (discarded \($0.formatted(.iso8601)))" } ?? ""
                print(
                    "#\(letter.id) order \(letter.orderID) at position \(letter.position), \(letter.recordedAt.formatted(.iso8601))\(discarded): \(letter.reason)"
                )
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fold the order again from the log and write it; on success its dead letters go and it is projected again.")
        @Argument(help: "Dead letter id(s); all open ones when none is given.") var ids: [Int64] = []
        @OptionGroup var store: StoreOptions
        @OptionGroup var read: ReadOptions

        func run() async throws {
            let logger = store.makeLogger()
            let readSide = try read.open(logger: logger, besides: store.db)
            let eventStore = try store.open()
            try await readSide.bind(to: eventStore)
            let retry = readSide.deadLetterRetry(store: eventStore, logger: logger)
            let outcomes = try await withServices(readSide.services, logger: logger) { try await retry.retry(ids: ids) }
            if outcomes.isEmpty { return print("no open dead letters") }
            for outcome in outcomes { print(outcome) }
            if outcomes.contains(where: { if case .stillFailing = $0 { true } else { false } }) { throw ExitCode(1) }
        }
    }

    struct Discard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accept a dead letter: it stays on record as discarded, its order keeps its last good document and stays parked.")
        @Argument(help: "The dead letter id.") var id: Int64
        @OptionGroup var store: StoreOptions
        @OptionGroup var read: ReadOptions

        func run() async throws {
            let readSide = try read.open(logger: store.makeLogger(), besides: store.db)
            guard try await readSide.state.deadLetters.discard(id: id, at: Date()) else {
                throw CommandFailure("no open dead letter #\(id) (see `orders dead-letters list`)")
            }
            print("discarded dead letter #\(id)")
        }
    }
}
