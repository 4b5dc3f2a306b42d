import ArgumentParser
import Foundation
import Logging
import OrdersProjection
import OrdersSearch
import Synchronization

struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Rebuild the read index into its next generation while the service runs, then swap it in.",
        discussion: """
            Folds every order as of the current head into <alias>-<n+1> (or <read-db>-<n+1>.sqlite), catches up \
            with what was written meanwhile, verifies the count, swaps atomically and deletes old generations \
            beyond --keep. Interrupted, it resumes when run again; --abort removes what it left.
            """
    )

    @Option(help: "Generations to keep after the swap, the new one included.") var keep = 1
    @Flag(help: "Say what would be done, change nothing.") var dryRun = false
    @Flag(help: "Remove what an interrupted reindex left (its unfinished generation and lock).") var abort = false
    @Flag(help: "Print the plan or summary as JSON, and progress as JSON lines.") var json = false
    @OptionGroup var store: StoreOptions
    @OptionGroup var read: ReadOptions

    func validate() throws {
        guard keep >= 1 else { throw ValidationError("--keep must be at least 1 (the new generation), got \(keep)") }
        guard !(dryRun && abort) else { throw ValidationError("--dry-run and --abort cannot be combined") }
    }

    func run() async throws {
        let logger = store.makeLogger()
        let readSide = try read.open(logger: logger, besides: store.db)
        var options = ReindexOptions()
        options.keep = keep
        let eventStore = try store.open()
        try await readSide.bind(to: eventStore)
        let reindexer = readSide.reindexer(store: eventStore, options: options, logger: logger)
        if abort {
            print(try await withServices(readSide.services, logger: logger) { try await reindexer.abort() })
            return
        }
        if dryRun {
            let plan = try await withServices(readSide.services, logger: logger) { try await reindexer.plan() }
            if json { return print(try Self.json(plan)) }
            if let job = plan.resume {
                print("would resume the reindex into \(job.target) (\(job.phase.rawValue), \(job.loaded) orders loaded, owner \(job.owner))")
            } else {
                print("would create \(plan.target) and load \(plan.orders) orders as of position \(plan.snapshot)")
            }
            print(
                "would catch up from position \(plan.snapshot), verify the count, then point \(readSide.generations.name) "
                    + "from \(plan.live ?? "nothing") to \(plan.target)")
            print(plan.retire.isEmpty ? "would delete no old generation (--keep \(keep))" : "would delete \(plan.retire.joined(separator: ", "))")
            return
        }
        let reporter = ProgressReporter(json: json || isatty(STDERR_FILENO) == 0)
        // Ctrl-C (SIGINT) or SIGTERM stops it gracefully: settings restored, lock released for a resume.
        let summary: ReindexSummary
        do {
            summary = try await withServices(readSide.services, logger: logger) { try await reindexer.run { reporter.report($0) } }
        } catch let interrupted as ReindexInterrupted {
            reporter.finish()
            FileHandle.standardError.write(Data("\(interrupted)\n".utf8))
            // 128 + SIGINT, as shells report an interrupted command.
            throw ExitCode(130)
        }
        reporter.finish()
        if json { return print(try Self.json(summary)) }
        print(
            "reindexed \(summary.documents) orders in \(String(format: "%.1f", summary.seconds)) s "
                + "(\(String(format: "%.0f", summary.documentsPerSecond)) orders/s): \(summary.source ?? "nothing") → \(summary.target); "
                + "\(summary.caughtUpEvents) events caught up, \(summary.indexed) documents live")
        if !summary.retired.isEmpty { print("deleted \(summary.retired.joined(separator: ", "))") }
        if summary.deadLetters > 0 { print("\(summary.deadLetters) new dead letter(s): see `orders status`") }
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Progress on standard error: a bar redrawn in place on a terminal, otherwise one JSON line
/// every few seconds (and at each phase change).
final class ProgressReporter: Sendable {
    private let json: Bool
    private let last = Mutex<(at: ContinuousClock.Instant, phase: ReindexProgress.Phase?, drawn: Bool)>((.now, nil, false))

    init(json: Bool) { self.json = json }

    func report(_ progress: ReindexProgress) {
        let line: String? = last.withLock { state in
            let now = ContinuousClock.now
            let interval: Duration = json ? .seconds(5) : .milliseconds(200)
            guard progress.phase != state.phase || now - state.at >= interval else { return nil }
            state.at = now
            state.phase = progress.phase
            state.drawn = !json
            return json ? (try? ReindexCommand.json(progress)).map { $0 + "\n" } : "\r\u{1B}[2K" + Self.bar(progress)
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    func finish() {
        if last.withLock({ $0.drawn }) { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func bar(_ progress: ReindexProgress) -> String {
        let width = 30
        let fraction = progress.total > 0 ? min(1, Double(progress.done) / Double(progress.total)) : 0
        let filled = Int(fraction * Double(width))
        let unit = progress.phase == .catchingUp ? "events" : "orders"
        let eta = progress.etaSeconds.map { String(format: ", ETA %.0f s", $0) } ?? ""
        let phase = progress.phase.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        return "\(phase) [\(bar)] \(progress.done)/\(progress.total) \(unit), \(String(format: "%.0f", progress.rate))/s\(eta)"
    }
}
