import ArgumentParser
import Foundation
import OrdersProjection
import OrdersStore

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the write store while the service runs (SQLite's online backup), then verify the copy.",
        discussion: """
            The copy is a consistent snapshot: every command acknowledged before the backup began is in it, \
            whatever is written meanwhile. It is verified before it is kept: SQLite's integrity check, the head \
            position, the number of events, and a SHA-256 over the log that must equal the store's up to the \
            copy's head. The read side needs no backup: it is rebuilt from the log.
            """
    )

    @Option(help: "The backup file to write (it must not exist).") var to: String
    @Flag(help: "Print the report as JSON.") var json = false
    @OptionGroup var store: StoreOptions

    func run() async throws {
        _ = store.makeLogger()
        _ = try store.openExisting()
        let report = try StoreBackup.backupRecorded(try store.openDatabase(), to: to)
        print(try Self.describe(report, json: json, verb: "backed up"))
    }

    static func describe(_ report: BackupReport, json: Bool, verb: String) throws -> String {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(report), as: UTF8.self)
        }
        return """
            \(verb) \(report.events) events (head position \(report.headPosition)) to \(report.path), \(report.bytes) bytes\
            \(report.seconds > 0 ? String(format: " in %.2f s", report.seconds) : "")
            integrity check ok; log SHA-256 \(report.logChecksum)
            """
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the write store with a verified backup, then rebuild the read side from it.",
        discussion: """
            Refuses while a process has the store open (stop `orders serve` first) and refuses a backup that \
            does not verify; the store it replaces is kept beside it (.before-restore-<time>). The read side \
            is then rebuilt from the restored log (as `orders reindex` does), so that it never serves orders \
            the log no longer holds.
            """
    )

    @Option(help: "The backup file to restore.") var from: String
    @Flag(help: "Restore the store only; the read side is left as it is (a projector refuses it until it is rebuilt).")
    var skipReadSide = false
    @OptionGroup var store: StoreOptions
    @OptionGroup var read: ReadOptions

    func run() async throws {
        let logger = store.makeLogger()
        // A malformed read-side configuration is named before anything changes.
        _ = try read.configuration(besides: store.db)
        let restored = try StoreBackup.restore(from: from, to: store.db)
        print(try BackupCommand.describe(restored.report, json: false, verb: "restored"))
        if let kept = restored.kept { print("the store it replaced is kept at \(kept)") }
        guard !skipReadSide else { return }
        // Still held alone (no process can open the store) until the read side is rebuilt.
        let eventStore = EventStore(database: try store.openDatabase(hold: restored.hold))
        let readSide = try read.open(logger: logger, besides: store.db)
        try await readSide.bind(to: eventStore)
        let reindexer = readSide.reindexer(store: eventStore, logger: logger)
        let summary = try await withServices(readSide.services, logger: logger) { try await reindexer.run { _ in } }
        // Nothing could write meanwhile: the new generation holds the whole log, and the live
        // projector goes on from its end instead of projecting it all again.
        let head = try await eventStore.headPosition()
        let live = try await readSide.state.checkpoints.position(readSide.checkpointName)
        if live < head { _ = try await readSide.state.checkpoints.move(readSide.checkpointName, from: live, to: head) }
        print("rebuilt the read side from the restored log: \(summary.target) is live with \(summary.indexed) orders, projected to \(head)")
    }
}
