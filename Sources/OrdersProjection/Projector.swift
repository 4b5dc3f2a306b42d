import CoreMetrics
import Foundation
public import Logging
import OrdersDomain
public import OrdersSearch
public import OrdersStore

/// How the projector batches and retries. Every property has a documented default.
public struct ProjectorConfiguration: Sendable {
    /// At most this many events per batch. Default 1,000.
    public var batchEvents: Int
    /// A batch stops growing past this many payload bytes. Default 4 MiB.
    public var batchBytes: Int
    /// The first retry delay for documents the index could not take now. Default 100 ms.
    public var retryBaseDelay: Duration
    /// Retry delays double up to this. Default 10 s.
    public var retryMaximumDelay: Duration
    /// The checkpoint's name (one per read side). Default "orders".
    public var checkpointName: String

    public init(
        batchEvents: Int = 1000, batchBytes: Int = 4 << 20, retryBaseDelay: Duration = .milliseconds(100),
        retryMaximumDelay: Duration = .seconds(10), checkpointName: String = "orders"
    ) {
        self.batchEvents = batchEvents
        self.batchBytes = batchBytes
        self.retryBaseDelay = retryBaseDelay
        self.retryMaximumDelay = retryMaximumDelay
        self.checkpointName = checkpointName
    }
}

extension ProjectorConfiguration {
    /// A jittered retry delay: `retryBaseDelay` doubled `doublings` times, capped at
    /// `retryMaximumDelay`, then a random value between half of that and all of it.
    func retryDelay(doublings: Int, using random: inout some RandomNumberGenerator) -> Duration {
        var ceiling = retryBaseDelay
        for _ in 0..<min(max(doublings, 0), 20) { ceiling = min(ceiling * 2, retryMaximumDelay) }
        let nanoseconds = max(1, ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000)
        return .nanoseconds(Int64.random(in: nanoseconds / 2...nanoseconds, using: &random))
    }
}

/// Reads the log after its checkpoint, folds it into documents and writes them to a search
/// index, following DESIGN.md's invariants: documents are written before the checkpoint moves
/// (compare-and-set), retryable items are retried (only those) until acknowledged, rejected
/// ones are dead-lettered and their orders parked, and a hole in positions halts the projector.
///
/// It keeps the customers' and products' facts in memory (`SnapshotFold`), not the documents:
/// each batch folds again, from the log, the orders it reaches. So memory grows with customers
/// and products, never with orders, and a start reads only the customer and product streams.
public actor Projector {
    public let store: EventStore
    public let index: any SearchIndex
    public let state: ProjectionStateStore
    public let configuration: ProjectorConfiguration
    private let logger: Logger
    /// The customer and product facts, as of the last batch folded (`position` while none is
    /// being written).
    private var facts = SnapshotFold()
    /// Orders with a dead letter (an event that cannot be projected, a document the index
    /// refused): left as they are until an operator retries them.
    private var parked: Set<String> = []
    private var started = false
    private var positionWaiters: [Int: (position: Int64, continuation: CheckedContinuation<Bool, Never>)] = [:]
    private var nextWaiter = 0
    private let lagEvents = Gauge(label: "orders_projection_lag_events")
    private let lagSeconds = Gauge(label: "orders_projection_lag_seconds")

    public init(
        store: EventStore, index: any SearchIndex, state: ProjectionStateStore, configuration: ProjectorConfiguration = .init(), logger: Logger
    ) {
        self.store = store
        self.index = index
        self.state = state
        self.configuration = configuration
        self.logger = logger
    }

    /// The position of the last event the read side has acknowledged: the stored checkpoint.
    /// The fold runs ahead of it while a batch is written (and readers can ask meanwhile: the
    /// actor takes other calls while the write is awaited).
    public private(set) var position: Int64 = 0
    /// The position searches are known to see (at most `position`): a batch written with
    /// `waitForVisibility`, or made visible since. Elasticsearch shows a write only after a
    /// refresh; the embedded index at once.
    private var visiblePosition: Int64 = 0

    /// Projects every event after the checkpoint; returns the new checkpoint.
    @discardableResult
    public func catchUp() async throws -> Int64 {
        // One pass at a time: a batch's facts are moved out while it is awaited, and the
        // checkpoint is compared-and-set from `position`. A second caller runs after the first.
        while passRunning { await withCheckedContinuation { passWaiters.append($0) } }
        passRunning = true
        defer {
            passRunning = false
            for waiter in passWaiters { waiter.resume() }
            passWaiters = []
        }
        try await start()
        while true {
            try await unparkRetried()
            let events = try await nextBatch()
            guard let last = events.last else { return position }
            do {
                let batch = try await project(events)
                for failure in batch.failures { try await deadLetter(failure) }
                try await write(batch.documents)
                // Everything up to the hole or the unreadable event (if any) is written: the
                // checkpoint follows the batch.
                guard try await state.moveCheckpoint(configuration.checkpointName, from: position, to: batch.through) else {
                    throw ProjectionError(
                        position: last.position, streamID: last.streamID,
                        reason: "the checkpoint moved under this projector: is another one running?")
                }
                position = batch.through
                if writtenVisibly { visiblePosition = position } else { await makeVisibleForWaiters() }
                resumeWaiters()
                if let halt = batch.halt {
                    logger.critical(
                        "projection halted",
                        metadata: ["projection.position": "\(halt.position)", "stream.id": "\(halt.streamID)", "error": "\(halt.reason)"])
                    throw halt
                }
                logger.debug("projected", metadata: ["projection.position": "\(position)", "projection.documents": "\(batch.documents.count)"])
            } catch {
                if started, facts.position != position { forgetUnacknowledged(error) }
                throw error
            }
            try await recordLag()
        }
    }

    private var passRunning = false
    private var passWaiters: [CheckedContinuation<Void, Never>] = []

    /// Takes a batch into the facts (moved out while it is awaited, so that they are not copied).
    private func project(_ events: [RecordedEvent]) async throws -> SnapshotFold.Batch {
        var working = facts
        facts = SnapshotFold()
        do {
            let batch = try await working.project(events, parked: parked, from: store)
            facts = working
            return batch
        } catch {
            forgetUnacknowledged(error)
            throw error
        }
    }

    /// A batch failed after the facts took it in but before its checkpoint was stored: the
    /// facts are ahead of the read side, and going on from there would skip that batch. They
    /// are read again up to the stored checkpoint on the next attempt instead.
    private func forgetUnacknowledged(_ error: any Error) {
        // Stopping (graceful shutdown) interrupts a batch as a matter of course: no warning.
        let stopping = Task.isCancelled || error is CancellationError
        logger.log(
            level: stopping ? .debug : .warning, "a batch was not acknowledged; the projection resumes from its checkpoint",
            metadata: ["projection.position": "\(position)", "projection.folded": "\(facts.position)", "error": "\(error)"])
        facts = SnapshotFold()
        parked = []
        started = false
    }

    /// Runs until the task is cancelled: catches up, then waits for new events (the event store's
    /// in-process commit signal) or `pollInterval` (writers in other processes).
    public func run(pollInterval: Duration = .seconds(1)) async throws {
        let wakeup = Wakeup()
        let commits = store.commits()
        let listener = Task {
            for await _ in commits { wakeup.signal() }
        }
        defer { listener.cancel() }
        var failures = 0
        var random = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            do {
                try await catchUp()
                try await recordLag()
                failures = 0
            } catch  where Task.isCancelled {
                // Stopping (graceful shutdown): the checkpoint only moves after a stored batch,
                // so whatever was interrupted is simply done again next time.
                return
            } catch let error as ProjectionError {
                // A hole in positions or a checkpoint moved by someone else: halt loudly.
                throw error
            } catch {
                // The read side is unreachable or refusing (say, Elasticsearch down at start):
                // the write side goes on; try again with a growing, jittered delay.
                failures += 1
                let delay = configuration.retryDelay(doublings: failures, using: &random)
                logger.error(
                    "projection failed; retrying",
                    metadata: ["error": "\(error)", "projection.retry.in": "\(delay)", "projection.failures": "\(failures)"])
                try? await Task.sleep(for: delay)
                continue
            }
            await wakeup.wait(upTo: pollInterval)
        }
    }

    /// Waits until the read side has acknowledged `position` and searches see it, or `timeout`
    /// passed; true if they do.
    public func waitForPosition(_ position: Int64, timeout: Duration) async -> Bool {
        if visiblePosition >= position { return true }
        // Acknowledged, but written while nobody waited: visible once the index made it so.
        if self.position >= position, await makeVisible(), visiblePosition >= position { return true }
        let id = nextWaiter
        nextWaiter += 1
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expireWaiter(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in positionWaiters[id] = (position, continuation) }
    }

    /// Whether a reader is waiting for a position (then writes ask the index for visibility).
    public var hasWaiters: Bool { !positionWaiters.isEmpty }

    private func expireWaiter(_ id: Int) {
        positionWaiters.removeValue(forKey: id)?.continuation.resume(returning: false)
    }

    private func resumeWaiters() {
        for (id, waiter) in positionWaiters where waiter.position <= visiblePosition {
            positionWaiters.removeValue(forKey: id)
            waiter.continuation.resume(returning: true)
        }
    }

    /// `orders_projection_lag_events` (head minus checkpoint) and `orders_projection_lag_seconds`
    /// (age of the oldest event not yet projected, 0 when caught up).
    private func recordLag() async throws {
        let head = try await store.headPosition()
        lagEvents.record(Double(head - position))
        if head > position, let oldest = try await store.readAll(after: position, limit: 1).first {
            lagSeconds.record(max(0, Date().timeIntervalSince(oldest.recordedAt)))
        } else {
            lagSeconds.record(0)
        }
    }

    /// Reads the customer and product facts up to the stored checkpoint once.
    private func start() async throws {
        guard !started else { return }
        var checkpoint = try await state.checkpoint(configuration.checkpointName)
        if try await index.prepare(), checkpoint > 0 {
            // The index holds no order although the checkpoint says events were projected: it
            // was lost or replaced. Project everything again (writes are idempotent).
            logger.warning(
                "the read index is empty: projecting again from the start",
                metadata: ["projection.checkpoint": "\(checkpoint)", "projection.name": "\(configuration.checkpointName)"])
            guard try await state.moveCheckpoint(configuration.checkpointName, from: checkpoint, to: 0) else {
                throw ProjectionError(
                    position: checkpoint, streamID: "-", reason: "the checkpoint moved under this projector: is another one running?")
            }
            checkpoint = 0
        }
        parked = try await state.parkedOrders()
        facts = try await SnapshotFold.load(from: store, through: checkpoint)
        position = checkpoint
        started = true
    }

    /// An order event that cannot be projected: the order is dead-lettered and parked there.
    private func deadLetter(_ failure: ProjectionError) async throws {
        parked.insert(try await state.deadLetter(failure, logger: logger))
    }

    /// Orders whose dead letters an operator resolved (`orders dead-letters retry`, possibly
    /// from another process) are folded again at the current position and written (their events
    /// after the retry's own fold were skipped while they were parked), then projected as any.
    private func unparkRetried() async throws {
        let stillParked = try await state.parkedOrders()
        let released = parked.subtracting(stillParked)
        parked = stillParked
        guard !released.isEmpty else { return }
        var documents: [OrderDocument] = []
        for stream in try await store.readStreams(Set(released.map { OrderTag.streamPrefix + "-" + $0 }), through: position) {
            let result = facts.fold(orderEvents: stream.events)
            if let failure = result.failure {
                try await deadLetter(failure)
            } else if let document = result.document {
                documents.append(document)
                logger.notice("order unparked", metadata: ["order.id": "\(document.orderID)", "projection.position": "\(position)"])
            }
        }
        try await write(documents)
    }

    /// Events after the current position, bounded by count and payload bytes.
    private func nextBatch() async throws -> [RecordedEvent] {
        let events = try await store.readAll(after: position, limit: configuration.batchEvents)
        var bytes = 0
        var count = 0
        for event in events {
            bytes += event.payload.count
            count += 1
            if bytes >= configuration.batchBytes { break }
        }
        return Array(events.prefix(count))
    }

    /// Writes documents until every one is applied, stale or dead-lettered (then parked).
    private func write(_ documents: [OrderDocument]) async throws {
        writtenVisibly = documents.isEmpty
        let writer = DocumentWriter(index: index, state: state, configuration: configuration, logger: logger)
        parked.formUnion(try await writer.write(documents, waitForVisibility: { await self.visibilityForNextWrite() }))
    }

    /// Whether the last write of the batch asked the index to make it visible.
    private var writtenVisibly = true

    /// Asks for visibility while a reader waits (and notes what was asked for the batch).
    private func visibilityForNextWrite() -> Bool {
        writtenVisibly = hasWaiters
        return writtenVisibly
    }

    /// A reader that came to wait while the batch was written without visibility is answered
    /// once the index made it visible.
    private func makeVisibleForWaiters() async {
        guard positionWaiters.values.contains(where: { $0.position <= position }) else { return }
        _ = await makeVisible()
    }

    /// Makes what is acknowledged visible; false (logged) when the index could not. A reader
    /// then waits on, for the next batch (written visibly) or its timeout, whose answer says it
    /// may be stale. Readers arriving together share one call to the index.
    private func makeVisible() async -> Bool {
        let target = position
        let shared: Task<Bool, Never>
        if let making = makingVisible, making.target >= target {
            shared = making.task
        } else {
            shared = Task { [index, logger] in
                do {
                    try await index.makeVisible()
                    return true
                } catch {
                    logger.warning(
                        "could not make the index visible for a waiting reader",
                        metadata: ["projection.position": "\(target)", "error": "\(error)"])
                    return false
                }
            }
            makingVisible = (target, shared)
        }
        let made = await shared.value
        if made { visiblePosition = max(visiblePosition, target) }
        if makingVisible?.task == shared { makingVisible = nil }
        return made
    }

    /// The call to `index.makeVisible()` under way, and the position it makes visible.
    private var makingVisible: (target: Int64, task: Task<Bool, Never>)?
}
