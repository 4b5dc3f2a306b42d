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
    @Option(help: "Orders folded and written per batch.") var batchOrders = ReindexOptions().batchOrders
    @Flag(help: "Say what would be done, change nothing.") var dryRun = false
    @Flag(help: "Remove what an interrupted reindex left (its unfinished generation and lock).") var abort = false
    @Flag(help: "Print the plan or summary as JSON, and progress as JSON lines.") var json = false
    @OptionGroup var store: StoreOptions
    @OptionGroup var read: ReadOptions

    func validate() throws {
        guard keep >= 1 else { throw ValidationError("--keep must be at least 1 (the new generation), got \(keep)") }
        guard (1...100_000).contains(batchOrders) else { throw ValidationError("--batch-orders must be between 1 and 100000, got \(batchOrders)") }
        guard !(dryRun && abort) else { throw ValidationError("--dry-run and --abort cannot be combined") }
    }

    func run() async throws {
        // On a terminal a progress bar is drawn, and log lines go above it; otherwise progress
        // is JSON lines among the log lines.
        let statusLine = !json && !dryRun && !abort && isatty(STDERR_FILENO) == 1 ? StatusLine() : nil
        let logger = store.makeLogger(above: statusLine)
        let readSide = try read.open(logger: logger, besides: store.db)
        var options = ReindexOptions()
        options.keep = keep
        options.batchOrders = batchOrders
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
        let reporter = ProgressReporter(statusLine: statusLine)
        // Ctrl-C (SIGINT) or SIGTERM stops it gracefully: settings restored, lock released for a resume.
        let summary: ReindexSummary
        do {
            summary = try await withServices(readSide.services, logger: logger) { try await reindexer.run { reporter.report($0) } }
        } catch let interrupted as ReindexInterrupted {
            statusLine?.end()
            throw CommandFailure(
                "interrupted; run it again to resume (stopped while \(interrupted.phase) \(interrupted.target), "
                    + "\(interrupted.loaded) orders loaded), or run it with --abort to clean up",
                status: .interrupted)
        }
        statusLine?.end()
        if json { return print(try Self.json(summary)) }
        for line in Self.summary(summary) { print(line) }
    }

    /// What the reindex did, in the order it did it: load and catch up, swap, delete.
    static func summary(_ summary: ReindexSummary) -> [String] {
        let seconds = String(format: "%.1f", summary.seconds)
        let rate = String(format: "%.0f", summary.documentsPerSecond)
        var lines = [
            "\(summary.resumed ? "resumed: " : "")loaded \(summary.documents) orders into \(summary.target) in \(seconds) s (\(rate) orders/s), "
                + "then caught up \(summary.caughtUpEvents) events",
            "\(summary.target) is live with \(summary.indexed) orders" + (summary.source.map { ", in place of \($0)" } ?? ""),
        ]
        if !summary.retired.isEmpty { lines.append("deleted \(summary.retired.joined(separator: ", "))") }
        if summary.deadLetters > 0 { lines.append("\(summary.deadLetters) new dead letter(s): see `orders status`") }
        return lines
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Progress on standard error: a bar redrawn in place on a terminal (a `StatusLine`), otherwise
/// one JSON line every few seconds (and at each phase change).
final class ProgressReporter: Sendable {
    private struct State {
        var at = ContinuousClock.now
        var phase: ReindexProgress.Phase?
        /// The last progress that counted something: phases that count nothing (finishing,
        /// swapped) show it, never 0/0.
        var counted: ReindexProgress?
    }

    private let statusLine: StatusLine?
    private let state = Mutex(State())

    init(statusLine: StatusLine?) { self.statusLine = statusLine }

    func report(_ progress: ReindexProgress) {
        let line: String? = state.withLock { state in
            if progress.total > 0 { state.counted = progress }
            let now = ContinuousClock.now
            let interval: Duration = statusLine == nil ? .seconds(5) : .milliseconds(200)
            guard progress.phase != state.phase || now - state.at >= interval else { return nil }
            state.at = now
            state.phase = progress.phase
            guard statusLine != nil else { return (try? ReindexCommand.json(progress)).map { $0 + "\n" } }
            return Self.bar(progress, counted: state.counted)
        }
        guard let line else { return }
        if let statusLine { statusLine.draw(line) } else { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// The phase, and the bar of what `counted` counted (the rate and time left only while the
    /// phase counts).
    static func bar(_ progress: ReindexProgress, counted: ReindexProgress?) -> String {
        let phase = progress.phase.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
        guard let counted else { return phase }
        let width = 30
        let fraction = min(1, Double(counted.done) / Double(counted.total))
        let filled = Int(fraction * Double(width))
        let unit = counted.phase == .catchingUp ? "events" : "orders"
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        guard progress.total > 0 else { return "\(phase) [\(bar)] \(counted.done)/\(counted.total) \(unit)" }
        let eta = progress.etaSeconds.map { String(format: ", ETA %.0f s", $0) } ?? ""
        return "\(phase) [\(bar)] \(counted.done)/\(counted.total) \(unit), \(String(format: "%.0f", progress.rate))/s\(eta)"
    }
}
