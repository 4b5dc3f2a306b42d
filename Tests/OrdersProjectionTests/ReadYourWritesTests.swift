import Foundation
import Logging
import OrdersDomain
import OrdersProjection
import OrdersSearch
import OrdersStore
import OrdersTestSupport
import ProjectionTestSupport
import Synchronization
import TestClocks
import Testing

/// Read-your-writes, with the projector's time on a test clock: polls, retries and readers'
/// timeouts pass only when a test advances it, so nothing here waits on real time.
@Suite(.timeLimit(.minutes(5))) struct ReadYourWritesTests {
    static func createOrder(_ t: TestStore, _ id: String, customer: CustomerID) async throws -> CommandResult {
        try await t.bus.send(
            CreateOrder(
                orderID: try OrderID(id), customerID: customer, shipping: try ShippingAddress(city: "Köln", country: "DE"),
                currency: try Currency("EUR"))
        )
    }

    @Test func newEventsReachTheIndexThroughTheCommitSignal() async throws {
        try await TestStore.with { t throws in
            let clock = ManualClock()
            let read = try ReadSide.embedded(in: t)
            // The poll never comes (the clock does not move): only the in-process commit signal
            // can bring the projector news.
            var configuration = ReadSide.fastProjection
            configuration.pollInterval = .seconds(600)
            let projector = read.projector(t, configuration: configuration, clock: clock)
            let customer = try await t.registerCustomer("c-1", name: "Chloé Lefèvre")
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await projector.run() }
                defer { group.cancelAll() }
                #expect(await projector.waitForPosition(try await t.store.headPosition(), timeout: .seconds(60)))
                // The projector has caught up and waits for a signal or its poll: the order below is news to it.
                await clock.sleepers(atLeast: 1)
                let created = try await Self.createOrder(t, "o-1", customer: customer)
                #expect(await projector.waitForPosition(created.position, timeout: .seconds(60)))
                #expect(clock.now.offset == .zero, "no time passed on the projector's clock")
                let model = OrderReadModel(index: read.index, progress: projector)
                let (result, freshness) = try await model.search(try SearchOrdersQuery.parse([("q", "lefevre")]), minPosition: created.position)
                #expect(result.hits.map(\.order.orderID) == ["o-1"])
                #expect(freshness.position == created.position && !freshness.mayBeStale)
            }
        }
    }

    @Test func aWaitingReaderMakesTheBatchWaitForVisibility() async throws {
        try await TestStore.with { t throws in
            let read = try ReadSide.embedded(in: t)
            let index = ScriptedIndex(read.index)
            let projector = read.projector(t, writingThrough: index, clock: ManualClock())
            let customer = try await t.registerCustomer("c-1")
            let first = try await Self.createOrder(t, "o-1", customer: customer)
            try await projector.catchUp()
            #expect(index.visibility.withLock { $0 } == [false], "nobody waits: no refresh asked for")
            let second = try await Self.createOrder(t, "o-2", customer: customer)
            #expect(second.position > first.position)
            async let waiting = projector.waitForPosition(second.position, timeout: .seconds(10))
            await eventually { await projector.hasWaiters }
            try await projector.catchUp()
            let answered = await waiting
            #expect(answered)
            #expect(index.visibility.withLock { $0 } == [false, true], "a reader waits: the batch must be visible when acknowledged")
        }
    }

    /// A reader that starts waiting while a batch is being written must be seen when the batch
    /// is acknowledged: the batch was written without visibility (nobody waited when it began),
    /// so the projector has to ask the index for it. Once, the reader's wait was registered by a
    /// child task after the projector had looked, and it waited out its whole timeout.
    @Test func aReaderArrivingWhileABatchIsWrittenIsAnsweredWhenItIsAcknowledged() async throws {
        try await TestStore.with { t throws in
            let read = try ReadSide.embedded(in: t)
            let gate = Gate(open: true)
            let index = ScriptedIndex(read.index, beforeApply: { _ in await gate.pass() })
            // Real time for the readers' timeouts: a reader that is never answered gives up after
            // 60 s and says so (a loaded machine answers within that), instead of holding the test
            // to its limit.
            let projector = read.projector(t, writingThrough: index, clock: ContinuousClock())
            let customer = try await t.registerCustomer("c-1")
            try await projector.catchUp()
            for n in 0..<300 {
                let order = try await Self.createOrder(t, "o-\(n)", customer: customer)
                // The batch's write starts with nobody waiting, and is held at the index
                gate.close()
                let arrived = gate.arrivals
                let writing = Task { try await projector.catchUp() }
                while gate.arrivals == arrived { await Task.yield() }
                // A reader comes while it is held, and the write goes on at once
                let reader = Task { await projector.waitForPosition(order.position, timeout: .seconds(60)) }
                await Task.yield()
                gate.open()
                _ = try await writing.value
                let answered = await reader.value
                #expect(answered, "round \(n): the reader was not answered")
                guard answered else { break }
            }
        }
    }

    @Test func anIndexUnreachableAtStartIsRetriedWhileWritesGoOn() async throws {
        try await TestStore.with { t throws in
            let clock = ManualClock()
            let read = try ReadSide.embedded(in: t)
            let index = ScriptedIndex(read.index)
            index.failPrepare.withLock { $0 = 3 }
            let projector = read.projector(t, writingThrough: index, clock: clock)
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await projector.run() }
                defer { group.cancelAll() }
                let customer = try await t.registerCustomer("c-1")
                let created = try await Self.createOrder(t, "o-1", customer: customer)
                // Each failed attempt backs off on the clock: 1 ms, 2 ms, 4 ms (± jitter, at most 5 ms).
                for attempt in 1...3 {
                    await clock.sleepers(atLeast: 1)
                    #expect(index.failPrepare.withLock { $0 } == 3 - attempt, "attempt \(attempt) failed and backs off")
                    clock.advance(by: .milliseconds(5))
                }
                #expect(await projector.waitForPosition(created.position, timeout: .seconds(20)), "the projector keeps trying and gets there")
                #expect(index.failPrepare.withLock { $0 } == 0)
                #expect(try await read.index.order(id: "o-1") != nil)
            }
        }
    }

    @Test func aWaitThatTimesOutSaysTheAnswerMayBeStale() async throws {
        try await TestStore.with { t throws in
            let clock = ManualClock()
            let read = try ReadSide.embedded(in: t)
            let projector = read.projector(t, clock: clock)  // not running
            let customer = try await t.registerCustomer("c-1")
            let created = try await Self.createOrder(t, "o-1", customer: customer)
            let model = OrderReadModel(index: read.index, progress: projector, maximumWait: .milliseconds(300))
            async let read300 = model.order(id: "o-1", minPosition: created.position, wait: .seconds(30))
            // Capped at 300 ms; uncapped it would last the 30 s asked for.
            await clock.sleepers(atLeast: 1)
            clock.advance(by: .milliseconds(299))
            #expect(clock.sleeperCount == 1, "it waits up to the cap")
            clock.advance(by: .milliseconds(1))
            let (document, freshness) = try await read300
            #expect(document == nil)
            #expect(freshness.mayBeStale)
            // Once projected, the same read is fresh.
            try await projector.catchUp()
            let (fresh, after) = try await model.order(id: "o-1", minPosition: created.position)
            #expect(fresh?.orderID == "o-1")
            #expect(after.mayBeStale == false)
        }
    }

    @Test func cancellingTheRunLoopIsACleanStop() async throws {
        try await TestStore.with { t throws in
            try await ProjectorTests.seed(t, orders: 40)
            let read = try ReadSide.embedded(in: t)
            // Cancelled while its second batch is being written.
            let running = Mutex<Task<Void, any Error>?>(nil)
            let index = ScriptedIndex(read.index, beforeApply: { call in if call == 2 { running.withLock { $0?.cancel() } } })
            let projector = read.projector(t, writingThrough: index, clock: ManualClock())
            let task = Task { try await projector.run() }
            running.withLock { $0 = task }
            let outcome = await task.result
            #expect((try? outcome.get()) != nil, "run() returns normally when cancelled: \(outcome)")
            #expect(index.calls.withLock { $0 } >= 2)
            // A new projector resumes from the checkpoint and completes.
            let head = try await t.store.headPosition()
            #expect(try await read.projector(t).catchUp() == head)
        }
    }
}
