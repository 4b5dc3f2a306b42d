import Elasticsearch
import Foundation
import Logging
import LoopbackHTTP
import OrdersProjection
import OrdersSearch
import OrdersStore
import OrdersTestSupport
import ProjectionTestSupport
import Testing
import Timing

/// The fault suite's second half (the first is `ProjectorKillTests`): the projector writes to a
/// loopback endpoint that keeps documents with external versions (`DocumentKeepingEndpoint`, a
/// test double) while a writer keeps sending commands, and the endpoint fails requests from a
/// seeded plan (`FaultPlan`): outages, whole-bulk 429/503, per-item 429/503/404, resets before
/// and after applying, slow answers and answers later than the client's timeout. Then the
/// faults stop, the projector catches up, and the endpoint must hold exactly the reference fold
/// of the log, with no version that ever went backwards and no dead letter.
///
/// The seed is printed (`FAULT_SEED=<n>` repeats its decisions). The assertions do not depend on
/// timing; the waits are on conditions, bounded only to fail instead of hanging.
@Suite(.serialized, .timeLimit(.minutes(3))) struct FaultInjectionTests {
    static let definitionPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("index-mappings/orders.json").path

    /// The longest any wait for a condition may take before the test fails.
    static let patience: Duration = .seconds(90)

    struct TimedOut: Error, CustomStringConvertible {
        var what: String
        var description: String { "still not true after \(FaultInjectionTests.patience): \(what)" }
    }

    /// Checks `condition` every 5 ms until it holds; throws after `patience`.
    static func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + patience
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The reference fold of the whole log: every order's document, and its document as of
    /// every position that changed it.
    static func fold(_ store: TestStore) async throws -> (documents: [String: OrderDocument], asOf: [String: [Int64: OrderDocument]]) {
        var fold = ReferenceFold()
        var asOf: [String: [Int64: OrderDocument]] = [:]
        for event in try await store.allEvents() {
            for id in try fold.apply([event]) { asOf[id, default: [:]][event.position] = fold.documents[id]! }
        }
        return (fold.documents, asOf)
    }

    @Test func theProjectorLosesNothingAndNeverRegressesAVersionUnderInjectedFaults() async throws {
        let started = ContinuousClock.now
        let seed = ProcessInfo.processInfo.environment["FAULT_SEED"].flatMap { UInt64($0) } ?? UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000
        print("fault injection seed \(seed) (FAULT_SEED=\(seed) repeats its decisions)")
        // The client gives a request 500 ms (plus 0.5 s per MiB); late answers come after 2 s.
        let requestTimeout: Duration = .milliseconds(500)
        let plan = FaultPlan(seed: seed, settings: FaultPlan.Settings(timeoutDelay: requestTimeout * 4))
        let endpoint = try DocumentKeepingEndpoint { request, operations in plan.decide(request, operations) }
        defer { endpoint.stop() }
        let quiet = Logger(label: "fault-injection") { _ in SwiftLogNoOpLogHandler() }

        try await TestStore.with { store in
            let connection = ElasticsearchConfiguration(
                nodes: [endpoint.url], requestTimeout: requestTimeout,
                retry: RetryPolicy(maximumRetries: 1, baseDelay: .milliseconds(1), maximumDelay: .milliseconds(5)),
                deadNodeBaseDelay: .milliseconds(5))
            var settings = ElasticsearchSearchIndex.Configuration()
            settings.bulkTimeoutPerMebibyte = .milliseconds(500)
            settings.itemRetries = RetryPolicy(maximumRetries: 2, baseDelay: .milliseconds(1), maximumDelay: .milliseconds(5))
            let read = try ReadSide.open(
                ReadSideConfiguration(
                    index: .elasticsearch(connection, index: settings, definition: try IndexDefinition(contentsOf: Self.definitionPath)),
                    statePath: store.directory.appendingPathComponent("state.sqlite").path),
                logger: quiet)
            let projector = read.projector(store: store.store, configuration: ReadSide.fastProjection, wallClock: store.clock, logger: quiet)
            let shop = try await BusyShop.open(store)

            var steps = 0
            var faultsStopped = ContinuousClock.now
            var caughtUp = ContinuousClock.now
            var readBack: (documents: Int, differing: [String]) = (0, [])
            let expected = try await read.withServices {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await projector.run() }
                    defer { group.cancelAll() }
                    // Given a writer that keeps sending commands while faults are injected, until
                    // every kind of fault came up (at least 40 steps, at most 1,500), staying
                    // within 400 events of the projector
                    while steps < 40 || (!plan.covered(times: 2) && steps < 1500) {
                        try await Self.waitUntil("the projector within 400 events of the head") {
                            let position = await projector.position
                            return try await store.store.headPosition() - position <= 400
                        }
                        try await shop.step(steps)
                        steps += 1
                    }
                    // When the faults stop
                    plan.stop()
                    faultsStopped = ContinuousClock.now
                    // Then the projector catches up with the head
                    let head = try await store.store.headPosition()
                    try await Self.waitUntil("the projector at the head (\(head))") { await projector.position == head }
                    caughtUp = ContinuousClock.now
                }
                // The read side's own reads see the fold of the log.
                let expected = try await Self.fold(store)
                readBack.documents = try await read.index.stats().documents
                for (id, document) in expected.documents where try await read.index.order(id: id) != document { readBack.differing.append(id) }
                return expected
            }
            let head = try await store.store.headPosition()
            #expect(readBack.documents == expected.documents.count)
            #expect(readBack.differing.count == 0, "read back: \(readBack.differing.count) orders differ, e.g. \(readBack.differing.prefix(5))")

            // Every order of the log is there with the fold's document and version, nothing else.
            let stored = endpoint.documents(in: "orders")
            let ids = Set(expected.documents.keys)
            let missing = ids.subtracting(stored.keys).sorted()
            let extra = Set(stored.keys).subtracting(ids).sorted()
            #expect(
                missing.count == 0 && extra.count == 0,
                "\(missing.count) missing, e.g. \(missing.prefix(5)); \(extra.count) extra, e.g. \(extra.prefix(5))")
            var differing: [String] = []
            for (id, document) in expected.documents.sorted(by: { $0.key < $1.key }) {
                if stored[id]?.version != document.version || stored[id]?.source != DocumentJSON.encode(document) { differing.append(id) }
            }
            #expect(differing.count == 0, "\(differing.count) of \(ids.count) orders differ from the fold, e.g. \(differing.prefix(5))")
            #expect(try await read.state.checkpoints.position(read.checkpointName) == head)
            let deadLetters = try await read.state.deadLetters.all()
            #expect(deadLetters.count == 0, "\(deadLetters.count) dead letters, e.g. \(deadLetters.prefix(3).map { "\($0.orderID): \($0.reason)" })")
            #expect(endpoint.unhandledRequests.isEmpty, "\(endpoint.unhandledRequests.prefix(5))")

            // No accepted version ever went backwards (per index incarnation: a lost index starts
            // afresh), and every accepted write is the fold's document as of its version.
            let accepted = endpoint.acceptedWrites
            var latest: [String: Int64] = [:]
            var regressions: [String] = []
            var notTheFold: [String] = []
            for write in accepted {
                let key = "\(write.incarnation)/\(write.id)"
                if let previous = latest[key], write.version <= previous { regressions.append("\(key): \(previous) then \(write.version)") }
                latest[key] = write.version
                if expected.asOf[write.id]?[write.version].map({ DocumentJSON.encode($0) }) != write.source {
                    notTheFold.append("\(write.id)@\(write.version)")
                }
            }
            #expect(regressions.count == 0, "\(regressions.count) accepted versions went backwards, e.g. \(regressions.prefix(5))")
            #expect(notTheFold.count == 0, "\(notTheFold.count) accepted writes are not the fold as of their version, e.g. \(notTheFold.prefix(5))")

            // The faults did happen: every kind, a split of a late bulk, a recreated index, stale writes.
            let injected = plan.injected
            for kind in FaultPlan.Kind.allCases { #expect(injected[kind, default: 0] >= 1, "no \(kind.rawValue) fault was injected") }
            #expect(plan.splits >= 1, "no bulk answered too late was split")
            #expect(endpoint.indicesDeleted >= 1 && endpoint.indicesCreated == 1 + endpoint.indicesDeleted)
            #expect(endpoint.conflictsAnswered >= 1)
            #expect(endpoint.replaysAbsorbed >= 1, "no write applied under a reset connection was sent again and absorbed as stale")

            let kinds = injected.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
            let seconds = { (d: Duration) in String(format: "%.1f s", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) }
            print(
                "fault injection (seed \(seed)): \(steps) writer steps, \(head) events, \(ids.count) orders; "
                    + "\(endpoint.server.handledRequests) requests (\(plan.bulks) bulk while faulty); faults: \(kinds); "
                    + "\(plan.droppedInOutages) requests dropped in outages, \(plan.itemsRefused) items refused, \(plan.splits) late bulks split, "
                    + "index created \(endpoint.indicesCreated)x (lost \(endpoint.indicesDeleted)x), \(endpoint.conflictsAnswered) 409s absorbed "
                    + "(\(endpoint.replaysAbsorbed) of them replays of writes applied before a reset), "
                    + "\(accepted.count) writes accepted, \(regressions.count) regressed; faults for \(seconds(faultsStopped - started)), "
                    + "caught up \(seconds(caughtUp - faultsStopped)) later, wall \(seconds(ContinuousClock.now - started))")
        }
    }
}
