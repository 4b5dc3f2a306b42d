import Foundation
import Logging
import OrdersProjection
import OrdersSearch
import OrdersStore
import ProjectionTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The fault suite's first half: `orders project` killed with SIGKILL at random points while
/// commands keep coming, then run again, many times. However it dies, the read index must end
/// equal to the fold of the log (the reference fold), with nothing dead-lettered.
///
/// The kill points are random (the seed is printed, so a failing run can be repeated); the
/// outcome must not depend on them, so the assertions do not depend on timing.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ProjectorKillTests {
    /// Starts `orders arguments` in `directory` without waiting for it.
    static func start(_ arguments: [String], in directory: URL) throws -> Process {
        let process = Process()
        process.executableURL = try CLITests.ordersExecutable()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func aProjectorKilledAtRandomPointsEndsWithTheFoldOfTheLog() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orders-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let seed = UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000
            var random = SeededGenerator(seed: seed)
            let store = ["--db", "data/orders.sqlite", "--durability", "normal"]
            let read = ["--read-db", "data/read.sqlite"]
            let first = try CLITests.run(["seed", "--customers", "20", "--products", "12", "--orders", "200", "--seed", "1"] + store, in: directory)
            try #require(first.status == 0, "\(first.stderr)")
            var kills: [Int] = []
            for round in 0..<8 {
                // A projector runs while another process writes more orders (and renames, as the
                // seeder does); it is killed without warning at a random point.
                let projector = try Self.start(["project", "--poll-seconds", "0.05"] + store + read, in: directory)
                let writer = try Self.start(
                    ["seed", "--customers", "3", "--products", "2", "--orders", "150", "--seed", "\(100 + round)"] + store, in: directory)
                let after = Int(random.next() % 900) + 100
                kills.append(after)
                try await Task.sleep(for: .milliseconds(after))
                kill(projector.processIdentifier, SIGKILL)
                projector.waitUntilExit()
                writer.waitUntilExit()
                #expect(writer.terminationStatus == 0)
            }
            let last = try CLITests.run(["project", "--once"] + store + read, in: directory)
            #expect(last.status == 0, "\(last.stderr)")
            print("projector killed 8 times (seed \(seed)), after \(kills.map { "\($0) ms" }.joined(separator: ", "))")

            // The index holds exactly the fold of the log, at the head, with no dead letter.
            let database = try StoreDatabase.open(StoreConfiguration(path: directory.appendingPathComponent("data/orders.sqlite").path))
            let events = EventStore(database: database)
            var fold = ReferenceFold()
            var after: Int64 = 0
            while true {
                let page = try await events.readAll(after: after, limit: 1000)
                guard let end = page.last else { break }
                _ = try fold.apply(page)
                after = end.position
            }
            let readSide = try ReadSide.open(
                .embedded(path: directory.appendingPathComponent("data/read.sqlite").path), logger: Logger(label: "kill-test"))
            #expect(try await readSide.state.checkpoints.position(readSide.checkpointName) == after)
            #expect(try await readSide.state.deadLetters.all().isEmpty)
            #expect(try await readSide.index.stats().documents == fold.documents.count)
            var differing: [String] = []
            for (id, document) in fold.documents where try await readSide.index.order(id: id) != document { differing.append(id) }
            #expect(differing.count == 0, "\(differing.count) of \(fold.documents.count) orders differ from the fold, e.g. \(differing.prefix(5))")
            print("compared the index with the fold of the log: \(fold.documents.count) orders, \(after) events, \(differing.count) differ")
        }
    }
}
