import Foundation
import GRDB
import Logging
import MetricsTestKit
import OrdersDomain
import OrdersSearch
import OrdersStore
import OrdersTestSupport
import ProjectionTestSupport
import Synchronization
import TestClocks
import Testing

@testable import OrdersProjection

/// Tests that wait for one another (gates, a test clock) fail after 5 minutes rather than hang.
@Suite(.timeLimit(.minutes(5))) struct ProjectorTests {
    static let fast = ReadSide.fastProjection

    static func seed(_ t: TestStore, orders: Int = 60) async throws {
        _ = try await Seeder(store: t.store, logger: Logger(label: "seed")).run(
            SeedOptions(
                customers: 10, products: 8, orders: orders, seed: 9, since: ReferenceFoldTests.since,
                until: ReferenceFoldTests.since.addingTimeInterval(86400 * 30))
        )
    }

    /// Writes an event straight into the log, past the command bus (what this build cannot
    /// read, or a hole in positions).
    static func insertRaw(
        _ t: TestStore, position: Int64, stream: String, version: Int, type: String, schemaVersion: Int, payload: String
    ) throws {
        try t.store.writer.write { db in
            try db.execute(
                sql:
                    "INSERT INTO events (position, stream_id, stream_version, type, schema_version, payload, recorded_at) VALUES (?, ?, ?, ?, ?, ?, 0)",
                arguments: [position, stream, version, type, schemaVersion, payload])
        }
    }

    static func expectedDocuments(_ t: TestStore) async throws -> [String: OrderDocument] {
        var fold = ReferenceFold()
        _ = try fold.apply(try await t.allEvents())
        return fold.documents
    }

    @Test func projectsTheLogAndMovesTheCheckpointLast() async throws {
        try await TestStore.with { t throws in
            try await Self.seed(t)
            let read = try ReadSide.embedded(in: t)
            let head = try await t.store.headPosition()
            #expect(try await read.projector(t).catchUp() == head)
            #expect(try await read.state.checkpoints.position("orders") == head)
            let expected = try await Self.expectedDocuments(t)
            #expect(try await read.index.stats().documents == expected.count)
            for (id, document) in expected { #expect(try await read.index.order(id: id) == document) }
        }
    }

    @Test func aLostIndexIsProjectedAgainFromTheStart() async throws {
        try await TestStore.with { t throws in
            try await Self.seed(t, orders: 30)
            let read = try ReadSide.embedded(in: t)
            let head = try await read.projector(t).catchUp()
            // The index is replaced by an empty one (deleted, restored from nothing), the
            // checkpoint stays: the next projector must not trust it.
            let replacement = try EmbeddedSearchIndex(path: t.directory.appendingPathComponent("replacement.sqlite").path)
            #expect(try await read.projector(t, writingThrough: replacement).catchUp() == head)
            let expected = try await Self.expectedDocuments(t)
            #expect(try await replacement.stats().documents == expected.count)
            for (id, document) in expected { #expect(try await replacement.order(id: id) == document) }
        }
    }

    @Test func anIndexDeletedWhileRunningIsRecreatedAndEveryOrderEndsAtItsLatestVersion() async throws {
        try await TestStore.with { t throws in
            // Given a running projector that has projected 40 orders
            try await Self.seed(t, orders: 40)
            let read = try ReadSide.embedded(in: t)
            let first = try EmbeddedSearchIndex(path: t.directory.appendingPathComponent("first.sqlite").path)
            let losable = LosableIndex(first: first, directory: t.directory)
            let clock = ManualClock()
            let projector = read.projector(t, writingThrough: losable, clock: clock)
            try await clock.advancing {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await projector.run() }
                    defer { group.cancelAll() }
                    let seeded = try await t.store.headPosition()
                    await eventually { await projector.position == seeded }
                    // When its index is deleted and orders keep coming (and a customer is renamed)
                    losable.lose()
                    let customer = try await t.registerCustomer("late-customer", name: "Ada Late")
                    let product = try await t.addProduct("late-product")
                    for n in 0..<5 {
                        let order = try await t.createOrder("late-\(n)", customer: customer)
                        _ = try await t.bus.send(AddItem(orderID: order, productID: product, quantity: n + 1))
                    }
                    _ = try await t.bus.send(RenameCustomer(customerID: customer, name: "Ada Lovelace"))
                    // Then the projector recreates the index and projects every event again
                    let head = try await t.store.headPosition()
                    await eventually { await projector.position == head && losable.recreations == 1 }
                }
            }
            let expected = try await Self.expectedDocuments(t)
            #expect(expected.count == 45)
            #expect(try await losable.current.stats().documents == expected.count)
            for (id, document) in expected { #expect(try await losable.current.order(id: id) == document, "\(id)") }
            #expect(try await losable.current.order(id: "late-4")?.customer.name == "Ada Lovelace")
            #expect(try await read.state.deadLetters.all().isEmpty, "a missing index is not the documents' fault")
        }
    }

    @Test func eachBatchCountsItsEventsAndDocumentsAndIsTimed() async throws {
        try await TestStore.with { t throws in
            // Given 20 orders, and a projector whose batches take 25 events
            try await Self.seed(t, orders: 20)
            let head = try await t.store.headPosition()
            let metrics = TestMetrics()
            var configuration = Self.fast
            configuration.metrics = metrics
            configuration.batchEvents = 25
            let projector = try ReadSide.embedded(in: t).projector(t, configuration: configuration)
            // When it catches up
            #expect(try await projector.catchUp() == head)
            // Then every event is counted once, each batch once (a batch with a rename grows past
            // 25 events), and every batch is timed
            let batches = Int(try metrics.expectCounter("orders_projection_batches_total").totalValue)
            #expect(batches >= 2 && batches <= (Int(head) + 24) / 25)
            #expect(try metrics.expectCounter("orders_projection_events_total").totalValue == head)
            #expect(try metrics.expectCounter("orders_projection_documents_total").totalValue >= 20)
            #expect(try metrics.expectTimer("orders_projection_batch_duration_seconds").values.count == batches)
        }
    }

    @Test func whileABatchIsStuckTheLagAndItsCauseAreCurrent() async throws {
        try await TestStore.with { t throws in
            // Given a projector that has projected the log, and then an index that refuses every write
            try await Self.seed(t, orders: 20)
            let read = try ReadSide.embedded(in: t)
            let metrics = TestMetrics()
            var configuration = Self.fast
            configuration.metrics = metrics
            let refusing = Mutex(false)
            let index = ScriptedIndex(
                read.index,
                script: { _, _ in
                    refusing.withLock { $0 } ? .retryable("429 es_rejected_execution_exception: rejected execution of coordinating operation") : nil
                })
            let clock = ManualClock()
            let projector = read.projector(t, writingThrough: index, configuration: configuration, clock: clock)
            let projected = try await projector.catchUp()
            refusing.withLock { $0 = true }
            // When orders keep coming and the next batch is refused for a minute
            let customer = try await t.registerCustomer("c-late")
            for n in 0..<5 { _ = try await t.createOrder("late-\(n)", customer: customer) }
            let head = try await t.store.headPosition()
            let stuck = Task { try await projector.catchUp() }
            await clock.sleepers(atLeast: 1)
            t.clock.advance(by: 60)
            // Then the lag, the time it has been failing and why are there, before any batch succeeds
            try await projector.recordLag()
            #expect(try metrics.expectGauge("orders_projection_lag_events").lastValue == Double(head - projected))
            #expect(try metrics.expectGauge("orders_projection_lag_seconds").lastValue == 60)
            #expect(try metrics.expectGauge("orders_projection_failing_seconds").lastValue == 60)
            #expect(try metrics.expectCounter("orders_projection_failures_total", [("kind", "items_refused")]).lastValue ?? 0 >= 1)
            let status = try await ReadSideStatus.read(
                store: t.store, index: read.index, state: read.state, checkpointName: read.checkpointName, now: t.clock.now())
            #expect(status.lagEvents == head - projected)
            #expect(status.failingSince == t.clock.now().addingTimeInterval(-60))
            #expect(status.lastFailure?.kind == "items_refused")
            #expect(status.lastFailure?.status == 429)
            #expect(status.lastFailure?.type == "es_rejected_execution_exception")
            #expect(status.lastFailure?.reason.contains("rejected execution of coordinating operation") == true)

            // And once the index takes writes again, the batch goes through and nothing is failing
            refusing.withLock { $0 = false }
            _ = try await clock.advancing { try await stuck.value }
            try await projector.recordLag()
            #expect(try metrics.expectGauge("orders_projection_lag_events").lastValue == 0)
            #expect(try metrics.expectGauge("orders_projection_failing_seconds").lastValue == 0)
            let after = try await read.state.checkpoints.health(read.checkpointName)
            #expect(after.position == head && after.failingSince == nil && after.movedAt == t.clock.now())
            #expect(after.lastFailure?.kind == "items_refused", "the last failure stays on record")
        }
    }

    @Test func deadLettersTheIndexCausedAreRetriedAtStartAndTheDocumentsOwnStay() async throws {
        try await TestStore.with { t throws in
            try await Self.seed(t, orders: 12)
            let read = try ReadSide.embedded(in: t)
            let orders = try await Self.expectedDocuments(t).keys.sorted()
            // Given letters written by an earlier version for a missing index and a read-only
            // block, and one for a document the mapping refused
            let (lost, blocked, refused) = (orders[0], orders[1], orders[2])
            let date = Date(timeIntervalSince1970: 0)
            try await read.state.deadLetters.add(
                orderID: lost, position: 3, reason: "404 index_not_found_exception: no such index [orders]", at: date)
            try await read.state.deadLetters.add(
                orderID: blocked, position: 4, reason: "403 cluster_block_exception: index [orders-1] blocked by: [FORBIDDEN/8/index write (api)];",
                at: date)
            try await read.state.deadLetters.add(
                orderID: refused, position: 5, reason: "400 mapper_parsing_exception: failed to parse field [notes]", at: date)
            // When the projector starts
            try await read.projector(t).catchUp()
            // Then the orders of the first two are written; the refused one stays parked
            let expected = try await Self.expectedDocuments(t)
            #expect(try await read.index.order(id: lost) == expected[lost])
            #expect(try await read.index.order(id: blocked) == expected[blocked])
            #expect(try await read.index.order(id: refused) == nil)
            #expect(try await read.state.deadLetters.all().map(\.orderID) == [refused])
        }
    }

    @Test func aRestartResumesFromTheCheckpointAndReplayGivesTheSameIndex() async throws {
        try await TestStore.with { t throws in
            try await Self.seed(t, orders: 30)
            let read = try ReadSide.embedded(in: t)
            try await read.projector(t).catchUp()
            // New commands after the first run; a new projector (a restart) picks up from the checkpoint.
            let customer = try await t.registerCustomer("late-c", name: "Åsa Lindström")
            _ = try await t.createOrder("late-o", customer: customer)
            let counting = ScriptedIndex(read.index)
            try await read.projector(t, writingThrough: counting).catchUp()
            #expect(try await read.index.order(id: "late-o")?.customer.name == "Åsa Lindström")
            #expect(counting.calls.withLock { $0 } == 1, "only the new events were projected")
            // Replaying the whole log into a fresh read side gives the same documents.
            let replay = try ReadSide.embedded(in: t, name: "replay")
            try await replay.projector(t).catchUp()
            for (id, document) in try await Self.expectedDocuments(t) {
                #expect(try await replay.index.order(id: id) == document)
                #expect(try await read.index.order(id: id) == document)
            }
        }
    }

    /// The projector keeps no documents: after a restart, a rename reaches the orders projected
    /// before it through the event store's indexes, and only the orders it changes are written.
    @Test func aRenameAfterARestartReachesExactlyTheOrdersItChanges() async throws {
        try await TestStore.with { t throws in
            try await Self.seed(t, orders: 60)
            // An order that held the product and no longer does: the rename does not change it.
            let product = try ProductID("p-renamed")
            try await t.addProduct(product.rawValue)
            let other = try await t.createOrder("o-removed", customer: try await t.registerCustomer("c-other"))
            _ = try await t.bus.send(AddItem(orderID: other, productID: product, quantity: 1))
            _ = try await t.bus.send(RemoveItem(orderID: other, productID: product))
            let holder = try await t.createOrder("o-holding", customer: try await t.registerCustomer("c-holder"))
            _ = try await t.bus.send(AddItem(orderID: holder, productID: product, quantity: 3))
            let read = try ReadSide.embedded(in: t)
            try await read.projector(t).catchUp()
            let before = try await Self.expectedDocuments(t)
            // The customer with the most orders.
            let customer = try #require(Dictionary(grouping: before.values, by: \.customer.id).max { $0.value.count < $1.value.count }?.key)
            _ = try await t.bus.send(RenameCustomer(customerID: try CustomerID(customer), name: "Renée Ångström"))
            _ = try await t.bus.send(RenameProduct(productID: product, name: "Thé vert"))
            // Another customer's new email reaches that customer's orders.
            // (Not the customer of o-removed, whose document would change then; chosen by id, not
            // by the dictionary's order, which differs from run to run.)
            let emailed = try #require(before.values.map(\.customer.id).filter { $0 != customer && $0 != "c-other" }.min())
            _ = try await t.bus.send(ChangeCustomerEmail(customerID: try CustomerID(emailed), email: "new-address@example.com"))

            let written = Mutex<[String]>([])
            let index = ScriptedIndex(
                read.index,
                script: { document, _ in
                    written.withLock { $0.append(document.orderID) }
                    return nil
                })
            try await read.projector(t, writingThrough: index).catchUp()
            let after = try await Self.expectedDocuments(t)
            let changed = Set(after.filter { before[$0.key] != $0.value }.keys)
            #expect(changed.count >= 3 && changed.contains("o-holding") && !changed.contains("o-removed"))
            #expect(after.values.contains { $0.customer.id == emailed && $0.customer.email == "new-address@example.com" })
            #expect(written.withLock { $0 }.sorted() == changed.sorted(), "each changed order written once, no other")
            for (id, document) in after { #expect(try await read.index.order(id: id) == document, "order \(id)") }
        }
    }

    /// A rename that reaches more orders than one write takes is folded and written in parts;
    /// the checkpoint moves once, after the last part, and the index is the fold of the log.
    @Test func aRenameReachingManyOrdersIsWrittenInParts() async throws {
        try await TestStore.with { t throws in
            let customer = try await t.registerCustomer("c-many")
            let product = try await t.addProduct("p-many")
            for number in 0..<11 {
                let order = try await t.createOrder("o-\(number)", customer: customer)
                _ = try await t.bus.send(AddItem(orderID: order, productID: product, quantity: 1))
            }
            let read = try ReadSide.embedded(in: t)
            var configuration = Self.fast
            configuration.ordersPerWrite = 4
            try await read.projector(t, configuration: configuration).catchUp()
            // More renames than the facts keep uncompacted, then one batch reaching all 11 orders.
            for number in 0..<70 { _ = try await t.bus.send(RenameCustomer(customerID: customer, name: "Kundin \(number)")) }
            _ = try await t.bus.send(RenameProduct(productID: product, name: "Thé vert"))
            let head = try await t.store.headPosition()

            let writes = Mutex<[Int: Int]>([:])  // call number: documents
            let index = ScriptedIndex(
                read.index,
                script: { _, call in
                    writes.withLock { $0[call, default: 0] += 1 }
                    return nil
                })
            configuration.batchEvents = 1000
            #expect(try await read.projector(t, writingThrough: index, configuration: configuration).catchUp() == head)
            let sizes = writes.withLock { $0 }.sorted { $0.key < $1.key }.map(\.value)
            #expect(sizes == [4, 4, 3], "documents per write: \(sizes)")
            let expected = try await Self.expectedDocuments(t)
            for (id, document) in expected { #expect(try await read.index.order(id: id) == document, "order \(id)") }
            #expect(expected["o-0"]?.customer.name == "Kundin 69" && expected["o-0"]?.items.first?.name == "Thé vert")
        }
    }

    /// Renames spread over many batches' worth of events are folded together: each order they
    /// reach is written once, at its latest version, not once per batch with a rename.
    @Test func renamesInABatchTakeInTheEventsThatFollowSoEachOrderIsFoldedOnce() async throws {
        try await TestStore.with { t throws in
            let customer = try await t.registerCustomer("c-renamed")
            var orders: [OrderID] = []
            for number in 0..<5 { orders.append(try await t.createOrder("o-\(number)", customer: customer)) }
            let read = try ReadSide.embedded(in: t)
            var configuration = Self.fast
            configuration.batchEvents = 3
            try await read.projector(t, configuration: configuration).catchUp()
            // Ten renames, each followed by other commands: ten batches of 3 events would each fold
            // the customer's five orders again.
            let other = try await t.registerCustomer("c-other")
            for number in 0..<10 {
                _ = try await t.bus.send(RenameCustomer(customerID: customer, name: "Kundin \(number)"))
                _ = try await t.createOrder("other-\(number)", customer: other)
                _ = try await t.createOrder("another-\(number)", customer: other)
            }
            let head = try await t.store.headPosition()
            let written = Mutex<[String: Int]>([:])
            let index = ScriptedIndex(
                read.index,
                script: { document, _ in
                    written.withLock { $0[document.orderID, default: 0] += 1 }
                    return nil
                })
            configuration.eventsPerRenameBatch = 1000
            #expect(try await read.projector(t, writingThrough: index, configuration: configuration).catchUp() == head)
            let counts = written.withLock { $0 }
            #expect(orders.allSatisfy { counts[$0.rawValue] == 1 }, "each of the customer's orders written once: \(counts)")
            let expected = try await Self.expectedDocuments(t)
            for (id, document) in expected { #expect(try await read.index.order(id: id) == document, "order \(id)") }
            #expect(expected["o-0"]?.customer.name == "Kundin 9")
        }
    }

    /// A read side records the event store it is built from, and another store's projector
    /// refuses it rather than serve or overwrite that store's orders.
    @Test func aReadSideBuiltFromAnotherStoreIsRefused() async throws {
        try await TestStore.with { t throws in
            try await Self.seed(t, orders: 6)
            let read = try ReadSide.embedded(in: t)
            try await read.bind(to: t.store)
            try await read.bind(to: t.store)  // the same store again: fine
            #expect(try await read.projector(t).catchUp() == (try await t.store.headPosition()))
            try await TestStore.with { other throws in
                _ = try await other.registerCustomer("c-other")
                await #expect(throws: ReadSideOfAnotherStore.self) { try await read.bind(to: other.store) }
                let foreign = read.projector(
                    store: other.store, configuration: Self.fast, clock: ContinuousClock(), wallClock: other.clock, logger: Logger(label: "p"))
                let error = await #expect(throws: ReadSideOfAnotherStore.self) { try await foreign.catchUp() }
                #expect(error?.description.contains("built from another event store") == true)
                // Running, it halts rather than retrying what no retry can mend.
                await #expect(throws: ReadSideOfAnotherStore.self) { try await foreign.run() }
            }
            // Nothing of the other store reached the index.
            #expect(try await read.index.order(id: "c-other") == nil)
            #expect(try await read.state.checkpoints.position("orders") == (try await t.store.headPosition()))
        }
    }

    /// A store restored from an older backup and written to since is another log under the same
    /// id: the checkpoint may even be below its head. The event at the checkpoint tells.
    @Test func aReadSideOverALogThatDivergedIsRefused() async throws {
        try await TestStore.with { t throws in
            // Given a store backed up, written to, and projected to its head
            try await Self.seed(t, orders: 6)
            let backup = t.directory.appendingPathComponent("backup.sqlite").path
            _ = try StoreBackup.backup(t.database, to: backup)
            for n in 0..<3 { _ = try await t.registerCustomer("after-\(n)") }
            let read = try ReadSide.embedded(in: t)
            let projected = try await read.projector(t).catchUp()
            // When the backup is restored elsewhere and written to past that checkpoint, with other events
            let path = t.directory.appendingPathComponent("restored/orders.sqlite").path
            _ = try StoreBackup.restore(from: backup, to: path)
            let restored = EventStore(database: try StoreDatabase.open(StoreConfiguration(path: path)))
            let bus = CommandBus.standard(store: restored, clock: t.clock, logger: Logger(label: "bus"))
            for n in 0..<5 {
                _ = try await bus.send(RegisterCustomer(customerID: try CustomerID("other-\(n)"), name: "O", email: "o\(n)@example.com"))
            }
            #expect(try await restored.headPosition() > projected)
            #expect(try await restored.identity() == (try await t.store.identity()), "the same store's id")
            // Then a projector of that read side over it refuses to go on
            let diverged = read.projector(
                store: restored, configuration: Self.fast, clock: ContinuousClock(), wallClock: t.clock, logger: Logger(label: "p"))
            let error = await #expect(throws: ProjectionError.self) { try await diverged.catchUp() }
            #expect(
                error?.description.contains("the event log differs from the one the read side was built from") == true, "\(String(describing: error))"
            )
            // While over its own log it goes on
            _ = try await t.registerCustomer("more")
            #expect(try await read.projector(t).catchUp() == (try await t.store.headPosition()))
        }
    }

    @Test func concurrentCatchUpsRunOneAfterTheOther() async throws {
        try await TestStore.with { t throws in
            try await Self.seed(t, orders: 40)
            let read = try ReadSide.embedded(in: t)
            let projector = read.projector(t)
            let head = try await t.store.headPosition()
            async let first = projector.catchUp()
            async let second = projector.catchUp()
            #expect(try await [first, second] == [head, head])
            for (id, document) in try await Self.expectedDocuments(t) { #expect(try await read.index.order(id: id) == document) }
            #expect(try await read.state.deadLetters.all().isEmpty)
        }
    }

    @Test func retryableDocumentsAreRetriedUntilApplied() async throws {
        try await TestStore.with { t throws in
            try await Self.seed(t, orders: 20)
            let read = try ReadSide.embedded(in: t)
            // Every third document is refused for now on the first two calls.
            let refused = Mutex(Set<String>())
            let flaky = ScriptedIndex(
                read.index, failWholeRequests: 1,
                script: { document, call in
                    // The first call fails whole; on the next two, a third of the documents are refused for now.
                    guard call <= 3, document.orderID.utf8.first! % 3 == 0 else { return nil }
                    refused.withLock { _ = $0.insert(document.orderID) }
                    return .retryable("es_rejected_execution_exception")
                }
            )
            // The writer backs off on the test's clock: each delay passes when it sleeps, in order.
            let clock = ManualClock()
            let projector = read.projector(t, writingThrough: flaky, clock: clock)
            _ = try await clock.advancing { try await projector.catchUp() }
            #expect(!refused.withLock { $0 }.isEmpty, "some documents were refused and retried")
            #expect(flaky.calls.withLock { $0 } >= 4)
            #expect(clock.now.offset >= .microseconds(3500), "three backoffs of at least 0.5, 1 and 2 ms passed on the clock")
            for (id, document) in try await Self.expectedDocuments(t) { #expect(try await read.index.order(id: id) == document) }
            #expect(try await read.state.deadLetters.all().isEmpty)
        }
    }

    @Test func aRejectedDocumentIsDeadLetteredAndItsOrderParked() async throws {
        try await TestStore.with { t throws in
            let customer = try await t.registerCustomer("c-1")
            let product = try await t.addProduct("p-1")
            let bad = try await t.createOrder("bad", customer: customer)
            let good = try await t.createOrder("good", customer: customer)
            let read = try ReadSide.embedded(in: t)
            let rejecting = ScriptedIndex(
                read.index,
                script: { document, _ in
                    document.orderID == "bad" ? .rejected("document_parsing_exception: failed to parse field [notes]") : nil
                }
            )
            try await read.projector(t, writingThrough: rejecting).catchUp()
            _ = try await t.bus.send(AddItem(orderID: bad, productID: product, quantity: 1))
            _ = try await t.bus.send(AddItem(orderID: good, productID: product, quantity: 1))
            // A restart: parked orders stay parked.
            let head = try await read.projector(t, writingThrough: ScriptedIndex(read.index)).catchUp()
            #expect(head == (try await t.store.headPosition()), "the checkpoint moves past dead letters")
            #expect(try await read.index.order(id: "bad") == nil, "later events of a parked order are held back")
            #expect(try await read.index.order(id: "good")?.items.count == 1)
            let letters = try await read.state.deadLetters.all()
            #expect(letters.map(\.orderID) == ["bad"])
            #expect(letters.first?.reason.contains("document_parsing_exception") == true)
        }
    }

    @Test func aRetriedDeadLetterWritesTheOrderAndTheRunningProjectorUnparksIt() async throws {
        try await TestStore.with { t throws in
            let customer = try await t.registerCustomer("c-1")
            let product = try await t.addProduct("p-1")
            let bad = try await t.createOrder("bad", customer: customer)
            let read = try ReadSide.embedded(in: t)
            // The index refuses the order's documents until the mapping is "fixed".
            let fixed = Mutex(false)
            let index = ScriptedIndex(
                read.index,
                script: { document, _ in
                    document.orderID == "bad" && !fixed.withLock({ $0 }) ? .rejected("document_parsing_exception: bad notes") : nil
                })
            let projector = read.projector(t, writingThrough: index)
            try await projector.catchUp()
            _ = try await t.bus.send(AddItem(orderID: bad, productID: product, quantity: 2))
            try await projector.catchUp()
            #expect(try await read.index.order(id: "bad") == nil, "parked")
            let letter = try #require(try await read.state.deadLetters.all().first)

            // Still refused: the letter stays and says so.
            let retry = DeadLetterRetry(
                context: read.context(store: t.store, wallClock: t.clock, logger: Logger(label: "t")), index: index,
                configuration: ProjectorTests.fast)
            let refused = try await retry.retry(ids: [letter.id])
            #expect(refused.count == 1 && refused.first?.description.contains("still failing") == true)
            await #expect(throws: (any Error).self) { try await retry.retry(ids: [9999]) }

            // Fixed: the retry writes the order as the log has it now and removes its letters.
            fixed.withLock { $0 = true }
            let outcomes = try await retry.retry()
            let head = try await t.store.headPosition()
            #expect(outcomes == [.retried(orderID: "bad", version: head)])
            #expect(try await read.state.deadLetters.all().isEmpty)
            #expect(try await read.index.order(id: "bad")?.items.count == 1)

            // The running projector unparks it: its later events are projected again.
            _ = try await t.bus.send(SubmitOrder(orderID: bad))
            try await projector.catchUp()
            let expected = try await Self.expectedDocuments(t)
            #expect(try await read.index.order(id: "bad") == expected["bad"])
            #expect(try await read.index.order(id: "bad")?.status == .submitted)
        }
    }

    @Test func aDiscardedDeadLetterStaysOnRecordAndItsOrderParked() async throws {
        try await TestStore.with { t throws in
            let read = try ReadSide.embedded(in: t)
            try await read.state.deadLetters.add(orderID: "o-1", position: 7, reason: "refused", at: Date())
            let id = try #require(try await read.state.deadLetters.all().first?.id)
            #expect(try await read.state.deadLetters.discard(id: id, at: Date()))
            #expect(try await !read.state.deadLetters.discard(id: id, at: Date()), "only once")
            #expect(try await read.state.deadLetters.all().first?.discardedAt != nil)
            #expect(try await read.state.deadLetters.parkedOrders() == ["o-1"])
            let retry = read.deadLetterRetry(store: t.store, logger: Logger(label: "t"))
            #expect(try await retry.retry().isEmpty, "discarded letters are not retried")
        }
    }

    @Test func aPoisonEventIsDeadLetteredAndParksItsOrder() async throws {
        try await TestStore.with { t throws in
            let customer = try await t.registerCustomer("c-1")
            _ = try await t.createOrder("poisoned", customer: customer)
            _ = try await t.createOrder("healthy", customer: customer)
            // A future schema version this build cannot read, appended to one order's stream.
            try Self.insertRaw(t, position: 4, stream: "order-poisoned", version: 2, type: "order.submitted", schemaVersion: 9, payload: #"{}"#)
            _ = try await t.bus.send(CancelOrder(orderID: try OrderID("healthy"), reason: "changed my mind"))
            let read = try ReadSide.embedded(in: t)
            try await read.projector(t).catchUp()
            #expect(try await read.index.order(id: "healthy")?.status == .cancelled)
            #expect(try await read.index.order(id: "poisoned")?.status == .draft, "the document as it was before the poison event")
            let letters = try await read.state.deadLetters.all()
            #expect(letters.map(\.position) == [4])
            #expect(letters.first?.reason.contains("future_version") == true)
        }
    }

    @Test func aHoleInPositionsHaltsTheProjector() async throws {
        try await TestStore.with { t throws in
            let customer = try await t.registerCustomer("c-1")
            _ = try await t.createOrder("o-1", customer: customer)
            try Self.insertRaw(
                t, position: 9, stream: "order-o-1", version: 2, type: "order.cancelled", schemaVersion: 1, payload: #"{"reason":"x"}"#)
            let read = try ReadSide.embedded(in: t)
            let error = await #expect(throws: ProjectionError.self) { try await read.projector(t).catchUp() }
            #expect(error?.isHole == true)
            #expect(try await read.state.checkpoints.position("orders") == 2, "the checkpoint stops before the hole")
        }
    }

    /// A customer event this build cannot read would reach all of the customer's orders: the
    /// projector writes what came before it, moves the checkpoint to just before it and halts.
    @Test func anUnreadableCustomerEventHaltsTheProjectorAfterWritingWhatCameBefore() async throws {
        try await TestStore.with { t throws in
            let customer = try await t.registerCustomer("c-1")
            _ = try await t.createOrder("o-1", customer: customer)
            try Self.insertRaw(t, position: 3, stream: "customer-c-1", version: 2, type: "customer.renamed", schemaVersion: 9, payload: #"{}"#)
            _ = try await t.createOrder("o-2", customer: customer)
            let read = try ReadSide.embedded(in: t)
            let projector = read.projector(t)
            let error = await #expect(throws: ProjectionError.self) { try await projector.catchUp() }
            #expect(error?.position == 3 && error?.isHole == false)
            #expect(try await read.state.checkpoints.position("orders") == 2, "the checkpoint stops before the unreadable event")
            #expect(try await read.index.order(id: "o-1") != nil, "what came before it is written")
            #expect(try await read.index.order(id: "o-2") == nil, "nothing after it")
            #expect(try await read.state.deadLetters.all().isEmpty, "a customer's event is not an order's dead letter")
            await #expect(throws: ProjectionError.self, "a restart halts there again") { try await projector.catchUp() }
        }
    }

    @Test func aCheckpointMovedByAnotherProjectorIsDetected() async throws {
        try await TestStore.with { t throws in
            try await Self.seed(t, orders: 5)
            let read = try ReadSide.embedded(in: t)
            let state = read.state
            // While this projector writes its first batch, another one moves the checkpoint.
            let racing = ScriptedIndex(
                read.index,
                beforeApply: { call in
                    if call == 1 { _ = try await state.checkpoints.move("orders", from: 0, to: 1) }
                })
            let error = await #expect(throws: ProjectionError.self) { try await read.projector(t, writingThrough: racing).catchUp() }
            #expect(error?.reason.contains("another one running") == true)
            #expect(try await state.checkpoints.position("orders") == 1, "the other projector's checkpoint is left alone")
        }
    }

    /// Another process (here: another connection) writing to the state store makes a write wait,
    /// as the other stores do, instead of failing at once with "database is locked".
    @Test func aWriteByAnotherProcessMakesTheStateStoreWait() async throws {
        try await TestStore.with { t in
            let path = t.directory.appendingPathComponent("state.sqlite").path
            let state = try ProjectionDatabase(path: path)
            let other = try await WriteLockHolder.hold(path)
            let moving = Task { try await state.checkpoints.move("orders", from: 0, to: 5) }
            try await Task.sleep(for: .milliseconds(300))
            try await other.release()
            #expect(try await moving.value)
            #expect(try await state.checkpoints.position("orders") == 5)
        }
    }

    /// A batch whose checkpoint could not be stored is projected again: the projector does not go
    /// on from where its memory got to, which the read side never acknowledged.
    @Test func aBatchWhoseCheckpointFailedIsProjectedAgain() async throws {
        try await TestStore.with { t in
            try await Self.seed(t, orders: 20)
            let path = t.directory.appendingPathComponent("read-state.sqlite").path
            let index = try EmbeddedSearchIndex(path: t.directory.appendingPathComponent("read.sqlite").path)
            // The service's read side, but for a state store that gives up waiting after 50 ms.
            let read = ReadSide(
                index: index, generations: EmbeddedGenerations(path: index.writer.path), state: try ProjectionDatabase(path: path, busyTimeout: 0.05),
                checkpointName: "orders", location: path)
            let state = read.state
            let projector = read.projector(t)
            // Another connection holds the state store's write lock for longer than its busy timeout.
            let other = try await WriteLockHolder.hold(path)
            await #expect(throws: (any Error).self) { try await projector.catchUp() }
            try await other.release()
            #expect(try await state.checkpoints.position("orders") == 0)

            // More events after the failed batch.
            _ = try await t.createOrder("o-late", customer: try await t.registerCustomer("c-late", name: "Late Lotte"))
            let head = try await t.store.headPosition()
            #expect(try await projector.catchUp() == head)
            #expect(try await state.checkpoints.position("orders") == head)
            let expected = try await Self.expectedDocuments(t)
            #expect(try await index.stats().documents == expected.count)
            for (id, document) in expected { #expect(try await index.order(id: id) == document, "order \(id)") }
        }
    }

    /// A projector (on 5 seeded orders, its time on `clock`) whose index runs `duringWrite` with
    /// it before each write, as a reader arriving while a batch is being written; and the head
    /// to project to.
    static func projectorWithReaders(
        _ t: TestStore, clock: ManualClock, duringWrite: @escaping @Sendable (Projector) async throws -> Void
    ) async throws -> (projector: Projector, index: ScriptedIndex, head: Int64) {
        try await Self.seed(t, orders: 5)
        let read = try ReadSide.embedded(in: t)
        let projector = Mutex<Projector?>(nil)
        let index = ScriptedIndex(
            read.index,
            beforeApply: { _ in
                guard let projector = projector.withLock({ $0 }) else { return }
                try await duringWrite(projector)
            })
        let created = read.projector(t, writingThrough: index, clock: clock)
        projector.withLock { $0 = created }
        return (created, index, try await t.store.headPosition())
    }

    /// A reader waiting for a position is answered once the index acknowledged it, not when the
    /// projector has merely folded it (the actor answers other calls while a batch is written).
    @Test func aWaitingReaderIsAnsweredOnlyOnceTheIndexAcknowledged() async throws {
        try await TestStore.with { t in
            let clock = ManualClock()
            let duringWrite = Mutex<[(answer: Bool, position: Int64)]>([])
            let head = Mutex<Int64>(0)
            let (running, _, last) = try await Self.projectorWithReaders(t, clock: clock) { projector in
                // The reader waits its whole 5 s (the test's clock) while the batch is written.
                let waitingFor = head.withLock { $0 }
                async let answer = projector.waitForPosition(waitingFor, timeout: .seconds(5))
                await clock.sleepers(atLeast: 1)
                clock.advance(by: .seconds(5))
                let (answered, position) = (await answer, await projector.position)
                duringWrite.withLock { $0.append((answered, position)) }
            }
            head.withLock { $0 = last }
            #expect(try await running.catchUp() == last)
            let seen = duringWrite.withLock { $0 }
            #expect(!seen.isEmpty)
            #expect(seen.allSatisfy { !$0.answer && $0.position < last }, "answered before the write: \(seen)")
            #expect(await running.waitForPosition(last, timeout: .seconds(5)), "acknowledged: answered without waiting")
            #expect(await running.position == last)
        }
    }

    /// A batch written while nobody waited is made visible before a reader who came meanwhile,
    /// or afterwards, is answered (Elasticsearch shows writes only after a refresh).
    @Test func aReaderOfABatchWrittenWithoutVisibilityIsAnsweredOnceTheIndexMadeItVisible() async throws {
        try await TestStore.with { t in
            let clock = ManualClock()
            let reader = Mutex<Task<Bool, Never>?>(nil)
            let head = Mutex<Int64>(0)
            let (running, index, first) = try await Self.projectorWithReaders(t, clock: clock) { projector in
                // A reader comes while the first batch is being written (it was sent without visibility).
                guard reader.withLock({ $0 == nil }) else { return }
                let position = head.withLock { $0 }
                reader.withLock { $0 = Task { await projector.waitForPosition(position, timeout: .seconds(30)) } }
                await eventually { await projector.hasWaiters }
            }
            head.withLock { $0 = first }
            #expect(try await running.catchUp() == first)
            #expect(index.visibility.withLock { $0 } == [false], "the batch went before anyone waited")
            #expect(await reader.withLock({ $0 })?.value == true)
            #expect(index.madeVisible.withLock { $0 } == 1, "made visible for the reader who came meanwhile")

            // A batch written while nobody waits; a reader coming afterwards has it made visible.
            _ = try await t.createOrder("o-later", customer: try await t.registerCustomer("c-later", name: "Lena Later"))
            let later = try await t.store.headPosition()
            #expect(try await running.catchUp() == later)
            #expect(index.madeVisible.withLock { $0 } == 1)
            #expect(await running.waitForPosition(later, timeout: .seconds(30)))
            #expect(index.madeVisible.withLock { $0 } == 2)
            #expect(await running.waitForPosition(later, timeout: .seconds(30)))
            #expect(index.madeVisible.withLock { $0 } == 2, "visible already: nothing more to do")

            // Readers arriving together after another such batch share one call: the first one's
            // refresh is held until the four others have joined it.
            _ = try await t.createOrder("o-last", customer: try await t.registerCustomer("c-last", name: "Lou Last"))
            let last = try await t.store.headPosition()
            #expect(try await running.catchUp() == last)
            index.visibilityGate.close()
            let answers = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<5 { group.addTask { await running.waitForPosition(last, timeout: .seconds(30)) } }
                await eventually {
                    let joined = await running.readersJoiningVisibility
                    return index.visibilityGate.arrivals == 3 && joined == 4
                }
                index.visibilityGate.open()
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(answers == [Bool](repeating: true, count: 5))
            #expect(index.madeVisible.withLock { $0 } == 3)
        }
    }

    /// The index cannot be made visible (Elasticsearch down): the reader is not told its write
    /// is there; its wait ends as stale, and once the index answers again it is answered.
    @Test func aReaderWhoseBatchCannotBeMadeVisibleIsNotAnswered() async throws {
        try await TestStore.with { t in
            let clock = ManualClock()
            let (running, index, head) = try await Self.projectorWithReaders(t, clock: clock) { _ in }
            #expect(try await running.catchUp() == head)
            index.failMakeVisible.withLock { $0 = true }
            async let answer = running.waitForPosition(head, timeout: .milliseconds(100))
            await clock.sleepers(atLeast: 1)
            clock.advance(by: .milliseconds(99))
            #expect(clock.sleeperCount == 1, "still waiting before its timeout")
            clock.advance(by: .milliseconds(1))
            let answered = await answer
            #expect(answered == false)
            index.failMakeVisible.withLock { $0 = false }
            #expect(await running.waitForPosition(head, timeout: .seconds(30)))
            #expect(index.madeVisible.withLock { $0 } == 2)
        }
    }
}

/// Holds the write lock of an SQLite file from another connection (as another process would),
/// on a thread of its own: never on one of Swift's cooperative threads, which the code under test
/// needs (blocking two of them hung the suite on a 2-core machine).
final class WriteLockHolder: Sendable {
    private let locked = Mutex<Result<Void, any Error>?>(nil)
    private let finished = Mutex<Result<Void, any Error>?>(nil)
    private let releasing = DispatchSemaphore(value: 0)

    private init() {}

    /// Returns once the lock is held.
    static func hold(_ path: String) async throws -> WriteLockHolder {
        let holder = WriteLockHolder()
        let queue = try DatabaseQueue(path: path)
        Thread {
            let result = Result<Void, any Error> {
                try queue.inDatabase { db in
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    holder.locked.withLock { $0 = .success(()) }
                    holder.releasing.wait()
                    try db.execute(sql: "ROLLBACK")
                }
            }
            holder.locked.withLock { if $0 == nil { $0 = result } }
            holder.finished.withLock { $0 = result }
        }.start()
        try await holder.until(holder.locked)
        return holder
    }

    /// Lets go of the lock and returns once it is released.
    func release() async throws {
        releasing.signal()
        try await until(finished)
    }

    private func until(_ state: borrowing Mutex<Result<Void, any Error>?>) async throws {
        while true {
            if let result = state.withLock({ $0 }) { return try result.get() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
