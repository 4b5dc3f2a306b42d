import Foundation
import Logging
import OrdersDomain
import OrdersProjection
import OrdersSearch
import OrdersStore
import OrdersTestSupport
import ProjectionTestSupport
import ServiceLifecycleTestKit
import Synchronization
import TestClocks
import Testing
import Timing

/// A shop that keeps changing: orders created, filled, moved along; customers and products
/// renamed (their changes fan out to many orders).
struct BusyShop: Sendable {
    let store: TestStore
    let customers: [CustomerID]
    let products: [ProductID]

    static func open(_ store: TestStore, customers: Int = 6, products: Int = 6) async throws -> BusyShop {
        var customerIDs: [CustomerID] = []
        for number in 0..<customers { customerIDs.append(try await store.registerCustomer("c-\(number)", name: "Kundin \(number)")) }
        var productIDs: [ProductID] = []
        for number in 0..<products { productIDs.append(try await store.addProduct("p-\(number)", name: "Produkt \(number)")) }
        return BusyShop(store: store, customers: customerIDs, products: productIDs)
    }

    /// A few commands: a new order with items, some moved along, and every 3rd step a rename.
    func step(_ number: Int) async throws {
        let order = try await store.createOrder("o-\(number)", customer: customers[number % customers.count])
        _ = try await store.bus.send(AddItem(orderID: order, productID: products[number % products.count], quantity: 1 + number % 3))
        _ = try await store.bus.send(AddItem(orderID: order, productID: products[(number + 1) % products.count], quantity: 2))
        if number % 2 == 0 { _ = try await store.bus.send(SubmitOrder(orderID: order)) }
        if number % 3 == 0 {
            _ = try await store.bus.send(RenameCustomer(customerID: customers[number % customers.count], name: "Kundin \(number) Müller"))
            _ = try await store.bus.send(RenameProduct(productID: products[number % products.count], name: "Produkt \(number) neu"))
        }
        if number % 5 == 0, number > 0 {
            // An older order changes too.
            let older = try OrderID("o-\(number - 5)")
            if (number - 5) % 2 == 1 {
                _ = try await store.bus.send(SubmitOrder(orderID: older))
            } else {
                _ = try await store.bus.send(CancelOrder(orderID: older, reason: "changed my mind"))
            }
        }
    }
}

/// Hands out step numbers to concurrent writers.
final class StepCounter: Sendable {
    private let next: Mutex<Int>
    init(next: Int) { self.next = Mutex(next) }
    func take() -> Int {
        next.withLock {
            $0 += 1
            return $0 - 1
        }
    }
    var taken: Int { next.withLock { $0 } }
}

/// Runs work in a task that a hook can cancel from inside (as Ctrl-C does to `orders reindex`).
final class Interrupt: Sendable {
    private let task = Mutex<Task<ReindexSummary, any Error>?>(nil)

    func run(_ body: @escaping @Sendable () async throws -> ReindexSummary) async throws -> ReindexSummary {
        let task = Task { try await body() }
        self.task.withLock { $0 = task }
        return try await task.value
    }

    /// Cancels the running work and throws as a cancelled operation does.
    func fire() async throws {
        task.withLock { $0?.cancel() }
        throw CancellationError()
    }
}

/// Every order's document as the pure fold of the whole log computes it.
func foldOfLog(_ store: TestStore) async throws -> [String: OrderDocument] {
    var state = ReferenceFold()
    _ = try state.apply(try await store.allEvents())
    return state.documents
}

@Suite(.timeLimit(.minutes(5))) struct ReindexTests {
    let logger = Logger(label: "test")

    /// The read side's reindexer, its generations seen through `generations` (hooks), its wall
    /// clock the test store's.
    func reindexer(
        _ read: ReadSide, _ store: TestStore, through generations: (any IndexGenerations)? = nil, owner: String = "test", logger: Logger? = nil
    ) -> Reindexer {
        read.generations(generations ?? read.generations).reindexer(
            store: store.store, options: options(owner: owner), clock: ManualClock(), wallClock: store.clock, logger: logger ?? self.logger)
    }

    func options(owner: String = "test") -> ReindexOptions {
        var options = ReindexOptions()
        options.batchOrders = 7
        options.projector = ProjectorConfiguration(batchEvents: 25, retry: Backoff(baseDelay: .milliseconds(1), maximumDelay: .milliseconds(5)))
        options.owner = owner
        return options
    }

    @Test func reindexWhileAWriterKeepsWritingLosesNothing() async throws {
        try await TestStore.with { store in
            let shop = try await BusyShop.open(store)
            for number in 0..<60 { try await shop.step(number) }
            let read = try ReadSide.embedded(in: store)
            let live = read.index
            // The live projector hears of commits at once; its polls never come (a test clock).
            let projector = read.projector(store, configuration: ProjectorConfiguration(batchEvents: 40), clock: ManualClock())
            let projecting = Task { try await projector.run() }
            defer { projecting.cancel() }

            // The writer goes on while the reindex loads, catches up and swaps: a few steps
            // before each write into the new generation and before the swap, more after.
            let steps = StepCounter(next: 60)
            let write: @Sendable (Int) async throws -> Void = { count in
                for _ in 0..<count { try await shop.step(steps.take()) }
            }
            var generations = HookedGenerations(inner: read.generations)
            generations.beforeApply = { call in if call % 2 == 1, call < 12 { try await write(1) } }
            generations.beforeSwap = { try await write(3) }
            // Stopped by a flag, not by cancelling: a cancelled step can stop part way, after its
            // number was taken but before its order was created.
            let stop = Mutex(false)
            let writer = Task {
                while !stop.withLock({ $0 }) {
                    // A step can be refused part way (its older order was moved along by a
                    // concurrent step first); what it wrote stays in the log, the fold's truth.
                    try? await write(1)
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            let summary = try await reindexer(read, store, through: generations).run()
            stop.withLock { $0 = true }
            try await writer.value
            try await write(3)  // after the reindex, through the live projector alone

            let head = try await store.store.headPosition()
            #expect(await projector.waitForPosition(head, timeout: .seconds(20)))
            #expect(summary.source == "read-1.sqlite" && summary.target == "read-2.sqlite")
            #expect(summary.caughtUpEvents > 0, "commands were written during the reindex")
            #expect(summary.retired == ["read-1.sqlite"])
            #expect(try await read.generations.live() == "read-2.sqlite")
            #expect(try await read.generations.list() == ["read-2.sqlite"])
            #expect(try await read.state.reindexJobs.job("orders") == nil, "the lock is released")

            // The log itself: within each stream, versions count up from 1 in position order
            // (the snapshot fold reads a stream in version order, the live fold in position order).
            var versions: [String: Int] = [:]
            for event in try await store.allEvents() {
                #expect(event.streamVersion == versions[event.streamID, default: 0] + 1, "\(event.streamID) at \(event.position)")
                versions[event.streamID] = event.streamVersion
            }
            let expected = try await foldOfLog(store)
            #expect(expected.count == steps.taken)
            #expect(try await live.stats().documents == expected.count)
            var mismatches: [String] = []
            for (id, document) in expected.sorted(by: { $0.key < $1.key }) {
                let indexed = try await live.order(id: id)
                if indexed != document { mismatches.append("\(id): indexed \(indexed.map { "\($0)" } ?? "nothing"), fold \(document)") }
            }
            #expect(mismatches.isEmpty, "documents differ from the fold:\n\(mismatches.joined(separator: "\n"))")
        }
    }

    @Test func anInterruptedReindexResumesWhereItStopped() async throws {
        try await TestStore.with { store in
            let shop = try await BusyShop.open(store)
            for number in 0..<50 { try await shop.step(number) }
            let read = try ReadSide.embedded(in: store)
            let live = read.index
            try await read.projector(store).catchUp()

            // Cancelled after three batches (the task, outright): the run stops part way through the load.
            let interrupt = Interrupt()
            var failing = HookedGenerations(inner: read.generations)
            failing.beforeApply = { call in if call > 3 { try await interrupt.fire() } }
            let first = reindexer(read, store, through: failing)
            await #expect(throws: (any Error).self) { try await interrupt.run { try await first.run() } }

            let job = try #require(try await read.state.reindexJobs.job("orders"))
            #expect(job.phase == .loading && job.loaded > 0 && job.loaded < 50, "stopped part way: \(job.loaded) loaded")
            #expect(job.isReleased, "the lock is released for a resume")
            #expect(try await read.generations.live() == "read-1.sqlite", "the half-built generation is not live")
            for number in 50..<55 { try await shop.step(number) }  // written while it was down

            let summary = try await reindexer(read, store, owner: "other").run()
            #expect(summary.resumed)
            #expect(summary.documents == 50, "the load finished the snapshot it started")
            #expect(summary.caughtUpEvents > 0)
            let expected = try await foldOfLog(store)
            #expect(try await live.stats().documents == expected.count)
            for (id, document) in expected { #expect(try await live.order(id: id) == document, "order \(id)") }
        }
    }

    /// Ctrl-C in `orders reindex` is a graceful shutdown of its ServiceGroup: the reindex stops,
    /// says how to resume, releases its lock and leaves the old generation live.
    @Test func aGracefulShutdownStopsTheReindexForAResume() async throws {
        try await TestStore.with { store in
            let shop = try await BusyShop.open(store)
            for number in 0..<30 { try await shop.step(number) }
            let read = try ReadSide.embedded(in: store)
            try await read.projector(store).catchUp()
            var slow = HookedGenerations(inner: read.generations)
            let gate = Gate(open: false)
            slow.beforeApply = { call in if call > 2 { await gate.pass() } }
            let log = LogRecorder()
            let reindexer = reindexer(read, store, through: slow, logger: log.logger)
            await testGracefulShutdown { trigger in
                async let run: Result<ReindexSummary, any Error> = {
                    do { return .success(try await reindexer.run()) } catch { return .failure(error) }
                }()
                await eventually { gate.arrivals > 0 }
                trigger.triggerGracefulShutdown()
                gate.open()
                let outcome = await run
                let error = #expect(throws: ReindexInterrupted.self) { try outcome.get() }
                #expect(error?.description.contains("run `orders reindex` again to resume") == true, "\(String(describing: error))")
            }
            // Stopping is not an outage: the batches interrupted are not "retried", nor is anything worse said.
            #expect(log.messages(atLeast: .warning) == [], "\(log.messages(atLeast: .warning))")
            let job = try #require(try await read.state.reindexJobs.job("orders"))
            #expect(job.isReleased && job.phase == .loading)
            #expect(try await read.generations.live() == "read-1.sqlite")
            let summary = try await reindexer.run()
            #expect(summary.resumed && summary.target == "read-2.sqlite")
            #expect(try await read.generations.live() == "read-2.sqlite")
        }
    }

    @Test func aSecondReindexIsRefusedWithTheHolderNamedAndAStaleOneIsTakenOver() async throws {
        try await TestStore.with { store in
            let shop = try await BusyShop.open(store)
            for number in 0..<10 { try await shop.step(number) }
            let read = try ReadSide.embedded(in: store)
            let jobs = read.state.reindexJobs
            let wall = store.clock
            // Another process holds the lock and is alive: its heartbeat is as recent as the
            // test's wall clock says.
            let held = ReindexJob(
                readSide: "orders", owner: "host-a:42", startedAt: wall.now(), heartbeatAt: wall.now(), source: "read-1.sqlite",
                target: "read-2.sqlite", snapshot: 0, phase: .loading, loadedThrough: nil, loaded: 0)
            _ = try await jobs.acquire("orders", owner: "host-a:42", now: wall.now(), staleAfter: 30) { held }
            let beat = { @Sendable (at: Date) in
                var job = held
                job.heartbeatAt = at
                try await jobs.update(job, now: at)
            }
            let reindexer = reindexer(read, store, owner: "host-b:7")
            wall.advance(by: 30)
            let error = await #expect(throws: ReindexLockError.self) { try await reindexer.run() }
            #expect(error?.description.contains("host-a:42") == true, "\(error?.description ?? "")")
            #expect(error?.description.contains("read-2.sqlite") == true)
            #expect(error?.description.contains("last heard of 30 s ago") == true, "30 s is not stale yet")
            try await beat(wall.now())
            await #expect(throws: ReindexLockError.self) { try await reindexer.abort() }
            #expect(try await read.generations.live() == "read-1.sqlite")

            // Its last heartbeat is older than `staleAfter` (30 s): its process died; the next run takes over.
            wall.advance(by: 31)
            let summary = try await reindexer.run()
            #expect(summary.resumed && summary.target == "read-2.sqlite")
            #expect(try await read.generations.live() == "read-2.sqlite")
        }
    }

    @Test func aLockHeldByAProcessOfThisHostThatIsGoneIsTakenOverAtOnce() async throws {
        try await TestStore.with { store in
            let shop = try await BusyShop.open(store)
            for number in 0..<10 { try await shop.step(number) }
            let read = try ReadSide.embedded(in: store)
            let wall = store.clock
            // Given a process of this host that ran and is gone (as after `kill -9`)
            let gone = Process()
            gone.executableURL = URL(fileURLWithPath: "/bin/true")
            try gone.run()
            gone.waitUntilExit()
            let host = ProcessInfo.processInfo.hostName
            let deadOwner = "\(host):\(gone.processIdentifier):12345"
            // And this process, as another owner would record it (alive, the same start time)
            #expect(ProcessOwner.isGone(deadOwner))
            #expect(!ProcessOwner.isGone(ProcessOwner.current), "this process runs")
            #expect(!ProcessOwner.isGone("another-host:\(gone.processIdentifier):12345"), "other hosts go stale by their heartbeat")
            let reused = ProcessOwner.current.split(separator: ":").prefix(2).joined(separator: ":") + ":1"
            #expect(ProcessOwner.isGone(reused), "a pid that now belongs to a process started at another time")
            // When the dead one holds the lock with a heartbeat of a second ago
            let held = ReindexJob(
                readSide: "orders", owner: deadOwner, startedAt: wall.now(), heartbeatAt: wall.now(), source: "read-1.sqlite",
                target: "read-2.sqlite", snapshot: 0, phase: .loading, loadedThrough: nil, loaded: 0)
            _ = try await read.state.reindexJobs.acquire("orders", owner: deadOwner, now: wall.now(), staleAfter: 30) { held }
            wall.advance(by: 1)
            // Then the next run takes it over at once and finishes
            let summary = try await reindexer(read, store, owner: "\(host):\(getpid()):x").run()
            #expect(summary.resumed && summary.target == "read-2.sqlite")
            #expect(try await read.generations.live() == "read-2.sqlite")
            // And this process's live index moved to it at the swap (the old files, deleted, are closed)
            #expect((read.index as? LiveEmbeddedIndex)?.openGeneration == "read-2.sqlite")
        }
    }

    @Test func abortRemovesWhatAnInterruptedReindexLeft() async throws {
        try await TestStore.with { store in
            let shop = try await BusyShop.open(store)
            for number in 0..<20 { try await shop.step(number) }
            let read = try ReadSide.embedded(in: store)
            let interrupt = Interrupt()
            var failing = HookedGenerations(inner: read.generations)
            failing.beforeApply = { _ in try await interrupt.fire() }
            let reindexer = reindexer(read, store, through: failing)
            await #expect(throws: (any Error).self) { try await interrupt.run { try await reindexer.run() } }
            #expect(try await read.generations.list() == ["read-1.sqlite", "read-2.sqlite"])

            let plan = try await reindexer.plan()
            #expect(plan.resume?.target == "read-2.sqlite" && plan.live == "read-1.sqlite")
            let message = try await reindexer.abort()
            #expect(message.contains("read-2.sqlite"))
            #expect(try await read.generations.list() == ["read-1.sqlite"])
            #expect(try await read.state.reindexJobs.job("orders") == nil)
            #expect(try await reindexer.plan().target == "read-2.sqlite", "the next attempt starts afresh")
        }
    }
}
