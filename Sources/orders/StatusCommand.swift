import ArgumentParser
import Foundation
import OrdersProjection
import OrdersSearch
import OrdersStore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The write side's head, the projection's checkpoint and lag, the read index and its dead letters."
    )

    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var store: StoreOptions
    @OptionGroup var read: ReadOptions

    func run() async throws {
        let logger = store.makeLogger()
        // A malformed read-side configuration is named before the store is looked for.
        _ = try read.configuration()
        let eventStore = try store.openExisting()
        // A read index never built is reported as such, not created.
        let status: ReadSideStatus
        if case .embedded(let path) = try read.configuration(besides: store.db).index, !ReadOptions.exists(path) {
            status = try await ReadSideStatus.notBuilt(store: eventStore, location: path, now: Date())
        } else {
            let readSide = try read.open(logger: logger, besides: store.db)
            try await readSide.bind(to: eventStore)
            status = try await withServices(readSide.services, logger: logger) { try await readSide.status(store: eventStore) }
        }
        let index = status.index
        let head = status.headPosition
        let checkpoint = status.checkpoint
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
            return
        }
        print("write side      head position \(head)")
        print(
            "projection      checkpoint \(checkpoint), lag \(status.lagEvents) event(s)"
                + (status.lagEvents > 0 ? String(format: ", oldest waiting %.1f s", status.lagSeconds) : ""))
        let now = Date()
        func ago(_ date: Date) -> String { "\(date.formatted(.iso8601)) (\(Int(max(0, now.timeIntervalSince(date)))) s ago)" }
        if checkpoint > head {
            print("  ! the read side is ahead of the event log (the store was restored or replaced): rebuild it with `orders reindex`")
        }
        if let lastBatch = status.lastBatchAt { print("                last batch acknowledged \(ago(lastBatch))") }
        if let failingSince = status.failingSince {
            print("  ! every attempt at the next batch has failed since \(ago(failingSince))")
        }
        if let failure = status.lastFailure, let at = status.lastFailureAt {
            print("                last failure \(ago(at)): \(failure)")
        }
        var line = "read index      \(index.backend): \(index.location)"
        if let name = index.name { line += ", index \(name)" }
        if let documents = index.documents { line += ", \(documents) order(s)" }
        if let version = index.mappingVersion { line += ", mapping version \(version)" }
        print(line)
        for problem in index.problems { print("  ! \(problem)") }
        if let job = status.reindex {
            print(
                "reindex         \(job.phase.rawValue) into \(job.target) (\(job.loaded) orders loaded, snapshot \(job.snapshot)), "
                    + (job.isReleased
                        ? "stopped: run `orders reindex` to resume it or `orders reindex --abort`"
                        : "owner \(job.owner), last heard of \(Int(Date().timeIntervalSince(job.heartbeatAt))) s ago"))
        }
        if let backup = status.lastBackup {
            if let report = backup.report {
                print("last backup     \(ago(backup.finishedAt)): \(report.path), head position \(report.headPosition), verified")
            } else {
                print("  ! last backup \(ago(backup.finishedAt)) failed: \(backup.error ?? "?") (\(backup.path))")
            }
        } else {
            print("last backup     none recorded (`orders backup --to FILE`, or `serve --backup-dir DIR`)")
        }
        print("dead letters    \(status.deadLetters.count)")
        for letter in status.deadLetters.prefix(20) {
            print("  #\(letter.id) order \(letter.orderID) at position \(letter.position): \(letter.reason)")
        }
    }
}
