import Foundation
import Logging
import OrdersDomain
import OrdersProjection
import OrdersSearch
import OrdersStore
import OrdersTestSupport
import Synchronization
import Testing

/// Generations that run a hook before every write to a new generation and before the swap,
/// so a test can act (write commands, fail) at exactly those moments.
struct HookedGenerations: IndexGenerations {
    let inner: EmbeddedGenerations
    var beforeApply: @Sendable (Int) async throws -> Void = { _ in }
    var beforeSwap: @Sendable () async throws -> Void = {}

    var name: String { inner.name }
    func list() async throws -> [String] { try await inner.list() }
    func live() async throws -> String? { try await inner.live() }
    func create(_ generation: String) async throws { try await inner.create(generation) }
    func index(_ generation: String) throws -> any SearchIndex { Hooked(inner: try inner.index(generation), beforeApply: beforeApply) }
    func finishLoading(_ generation: String) async throws { try await inner.finishLoading(generation) }
    func count(_ generation: String) async throws -> Int { try await inner.count(generation) }
    func swap(to generation: String, from old: String?) async throws {
        try await beforeSwap()
        try await inner.swap(to: generation, from: old)
    }
    func delete(_ generation: String) async throws { try await inner.delete(generation) }

    final class Hooked: SearchIndex {
        let inner: any SearchIndex
        let beforeApply: @Sendable (Int) async throws -> Void
        let calls = Mutex(0)
        init(inner: any SearchIndex, beforeApply: @escaping @Sendable (Int) async throws -> Void) {
            self.inner = inner
            self.beforeApply = beforeApply
        }
        func apply(_ documents: [OrderDocument], waitForVisibility: Bool) async throws -> [ApplyOutcome] {
            let call = calls.withLock {
                $0 += 1
                return $0
            }
            try await beforeApply(call)
            return try await inner.apply(documents, waitForVisibility: waitForVisibility)
        }
        func search(_ query: SearchOrdersQuery) async throws -> SearchOrdersResult { try await inner.search(query) }
        func order(id: String) async throws -> OrderDocument? { try await inner.order(id: id) }
        func orders(customerID: String, size: Int, after: String?) async throws -> (orders: [OrderSummary], nextCursor: String?) {
            try await inner.orders(customerID: customerID, size: size, after: after)
        }
        func makeVisible() async throws { try await inner.makeVisible() }
        func stats() async throws -> IndexStats { try await inner.stats() }
        func analytics(_ panel: AnalyticsPanel, _ query: AnalyticsQuery) async throws -> AnalyticsAnswer {
            try await inner.analytics(panel, query)
        }
    }
}

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
    var state = ProjectionState()
    _ = try state.apply(try await store.allEvents())
    return state.documents
}

@Suite struct ReindexTests {
    let logger = Logger(label: "test")

    func options(owner: String = "test") -> ReindexOptions {
        var options = ReindexOptions()
        options.batchOrders = 7
        options.projector = ProjectorConfiguration(batchEvents: 25, retryBaseDelay: .milliseconds(1), retryMaximumDelay: .milliseconds(5))
        options.owner = owner
        return options
    }

    @Test func reindexWhileAWriterKeepsWritingLosesNothing() async throws {
        try await TestStore.with { store in
            let shop = try await BusyShop.open(store)
            for number in 0..<60 { try await shop.step(number) }
            let path = store.directory.appendingPathComponent("read.sqlite").path
            let live = try LiveEmbeddedIndex(path: path)
            let state = try ProjectionStateStore(path: store.directory.appendingPathComponent("read-state.sqlite").path)
            let projector = Projector(
                store: store.store, index: live, state: state,
                configuration: ProjectorConfiguration(batchEvents: 40, checkpointName: "orders"), logger: logger)
            let projecting = Task { try await projector.run(pollInterval: .milliseconds(10)) }
            defer { projecting.cancel() }

            // The writer goes on while the reindex loads, catches up and swaps: a few steps
            // before each write into the new generation and before the swap, more after.
            let steps = StepCounter(next: 60)
            let write: @Sendable (Int) async throws -> Void = { count in
                for _ in 0..<count { try await shop.step(steps.take()) }
            }
            var generations = HookedGenerations(inner: live.generations)
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
            let reindexer = Reindexer(
                store: store.store, generations: generations, state: state, readSide: "orders", options: options(), logger: logger)
            let summary = try await reindexer.run()
            stop.withLock { $0 = true }
            try await writer.value
            try await write(3)  // after the reindex, through the live projector alone

            let head = try await store.store.headPosition()
            #expect(await projector.waitForPosition(head, timeout: .seconds(20)))
            #expect(summary.source == "read-1.sqlite" && summary.target == "read-2.sqlite")
            #expect(summary.caughtUpEvents > 0, "commands were written during the reindex")
            #expect(summary.retired == ["read-1.sqlite"])
            #expect(try await live.generations.live() == "read-2.sqlite")
            #expect(try await live.generations.list() == ["read-2.sqlite"])
            #expect(try await state.reindexJob("orders") == nil, "the lock is released")

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
            let path = store.directory.appendingPathComponent("read.sqlite").path
            let live = try LiveEmbeddedIndex(path: path)
            let state = try ProjectionStateStore(path: store.directory.appendingPathComponent("read-state.sqlite").path)
            try await Projector(store: store.store, index: live, state: state, logger: logger).catchUp()

            // Ctrl-C after three batches: the run is cancelled part way through the load.
            let interrupt = Interrupt()
            var failing = HookedGenerations(inner: live.generations)
            failing.beforeApply = { call in if call > 3 { try await interrupt.fire() } }
            let first = Reindexer(store: store.store, generations: failing, state: state, readSide: "orders", options: options(), logger: logger)
            await #expect(throws: (any Error).self) { try await interrupt.run { try await first.run() } }

            let job = try #require(try await state.reindexJob("orders"))
            #expect(job.phase == .loading && job.loaded > 0 && job.loaded < 50, "stopped part way: \(job.loaded) loaded")
            #expect(try await live.generations.live() == "read-1.sqlite", "the half-built generation is not live")
            for number in 50..<55 { try await shop.step(number) }  // written while it was down

            let again = Reindexer(
                store: store.store, generations: live.generations, state: state, readSide: "orders", options: options(owner: "other"), logger: logger)
            let summary = try await again.run()
            #expect(summary.resumed)
            #expect(summary.documents == 50, "the load finished the snapshot it started")
            #expect(summary.caughtUpEvents > 0)
            let expected = try await foldOfLog(store)
            #expect(try await live.stats().documents == expected.count)
            for (id, document) in expected { #expect(try await live.order(id: id) == document, "order \(id)") }
        }
    }

    @Test func aSecondReindexIsRefusedWithTheHolderNamedAndAStaleOneIsTakenOver() async throws {
        try await TestStore.with { store in
            let shop = try await BusyShop.open(store)
            for number in 0..<10 { try await shop.step(number) }
            let live = try LiveEmbeddedIndex(path: store.directory.appendingPathComponent("read.sqlite").path)
            let state = try ProjectionStateStore(path: store.directory.appendingPathComponent("read-state.sqlite").path)
            // Another process holds the lock and is alive: its heartbeat is fresh (now) whenever
            // this one looks, however slowly a loaded machine runs the test.
            let held = ProjectionStateStore.ReindexJob(
                readSide: "orders", owner: "host-a:42", startedAt: Date(), heartbeatAt: Date(), source: "read-1.sqlite",
                target: "read-2.sqlite", snapshot: 0, phase: .loading, loadedThrough: nil, loaded: 0)
            _ = try await state.acquireReindex("orders", owner: "host-a:42", now: Date(), staleAfter: 30) { held }
            let beat = { @Sendable (at: Date) in
                var job = held
                job.heartbeatAt = at
                try await state.updateReindex(job)
            }
            let reindexer = Reindexer(
                store: store.store, generations: live.generations, state: state, readSide: "orders", options: options(owner: "host-b:7"),
                logger: logger)
            try await beat(Date())
            let error = await #expect(throws: ReindexLockError.self) { try await reindexer.run() }
            #expect(error?.description.contains("host-a:42") == true, "\(error?.description ?? "")")
            #expect(error?.description.contains("read-2.sqlite") == true)
            try await beat(Date())
            await #expect(throws: ReindexLockError.self) { try await reindexer.abort() }
            #expect(try await live.generations.live() == "read-1.sqlite")

            // Its last heartbeat is older than `staleAfter` (30 s): its process died; the next run takes over.
            try await beat(Date(timeIntervalSinceNow: -31))
            let summary = try await reindexer.run()
            #expect(summary.resumed && summary.target == "read-2.sqlite")
            #expect(try await live.generations.live() == "read-2.sqlite")
        }
    }

    @Test func abortRemovesWhatAnInterruptedReindexLeft() async throws {
        try await TestStore.with { store in
            let shop = try await BusyShop.open(store)
            for number in 0..<20 { try await shop.step(number) }
            let live = try LiveEmbeddedIndex(path: store.directory.appendingPathComponent("read.sqlite").path)
            let state = try ProjectionStateStore(path: store.directory.appendingPathComponent("read-state.sqlite").path)
            let interrupt = Interrupt()
            var failing = HookedGenerations(inner: live.generations)
            failing.beforeApply = { _ in try await interrupt.fire() }
            let reindexer = Reindexer(store: store.store, generations: failing, state: state, readSide: "orders", options: options(), logger: logger)
            await #expect(throws: (any Error).self) { try await interrupt.run { try await reindexer.run() } }
            #expect(try await live.generations.list() == ["read-1.sqlite", "read-2.sqlite"])

            let plan = try await reindexer.plan()
            #expect(plan.resume?.target == "read-2.sqlite" && plan.live == "read-1.sqlite")
            let message = try await reindexer.abort()
            #expect(message.contains("read-2.sqlite"))
            #expect(try await live.generations.list() == ["read-1.sqlite"])
            #expect(try await state.reindexJob("orders") == nil)
            #expect(try await reindexer.plan().target == "read-2.sqlite", "the next attempt starts afresh")
        }
    }
}
