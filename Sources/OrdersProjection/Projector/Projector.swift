import CoreMetrics
import Foundation
import Logging
import OrdersDomain
package import OrdersSearch
package import OrdersStore
import ServiceLifecycle
import Timing

/// Reads the log after its checkpoint, folds it into documents and writes them to a search
/// index, following DESIGN.md's invariants: documents are written before the checkpoint moves
/// (compare-and-set), retryable items are retried (only those) until acknowledged, rejected
/// ones are dead-lettered and their orders parked, and a hole in positions halts the projector.
///
/// It keeps the customers' and products' facts in memory (`SnapshotFold`), not the documents:
/// each batch folds again, from the log, the orders it reaches. So memory grows with customers
/// and products, never with orders, and a start reads only the customer and product streams.
///
/// It is a `Service`: `run()` projects until graceful shutdown. The query side sees it only as
/// `ProjectionProgress`.
package actor Projector: Service, ProjectionProgress {
    package let context: ProjectionContext
    package let index: any SearchIndexWriter
    package let configuration: ProjectorConfiguration
    package nonisolated var store: EventStore { context.store }
    package nonisolated var state: ProjectionDatabase { context.state }
    private nonisolated var clock: any Clock<Duration> { context.clock }
    private nonisolated var wallClock: any WallClock { context.wallClock }
    private nonisolated var logger: Logger { context.logger }
    /// The customer and product facts, as of the last batch folded (`position` while none is
    /// being written).
    private var facts = SnapshotFold()
    /// Orders with a dead letter (an event that cannot be projected, a document the index
    /// refused): left as they are until an operator retries them.
    private var parked: Set<String> = []
    private var started = false
    private let waiters = PositionWaiters()
    private let lagEvents: Gauge
    private let lagSeconds: Gauge
    private let lastBatch: Gauge
    private let failingSeconds: Gauge
    private let batches: Counter
    private let eventsTaken: Counter
    private let documentsWritten: Counter
    private let batchDuration: CoreMetrics.Timer

    package init(context: ProjectionContext, index: any SearchIndexWriter, configuration: ProjectorConfiguration = .init()) {
        self.context = context
        self.index = index
        self.configuration = configuration
        let metrics = configuration.metrics
        lagEvents = Gauge(label: "orders_projection_lag_events", factory: metrics)
        lagSeconds = Gauge(label: "orders_projection_lag_seconds", factory: metrics)
        lastBatch = Gauge(label: "orders_projection_last_batch_timestamp_seconds", factory: metrics)
        failingSeconds = Gauge(label: "orders_projection_failing_seconds", factory: metrics)
        batches = Counter(label: "orders_projection_batches_total", factory: metrics)
        eventsTaken = Counter(label: "orders_projection_events_total", factory: metrics)
        documentsWritten = Counter(label: "orders_projection_documents_total", factory: metrics)
        batchDuration = CoreMetrics.Timer(label: "orders_projection_batch_duration_seconds", preferredDisplayUnit: .seconds, factory: metrics)
        failureCounter = { kind in Counter(label: "orders_projection_failures_total", dimensions: [("kind", kind)], factory: metrics) }
    }

    /// The position of the last event the read side has acknowledged: the stored checkpoint.
    /// The fold runs ahead of it while a batch is written (and readers can ask meanwhile: the
    /// actor takes other calls while the write is awaited).
    package private(set) var position: Int64 = 0

    package var acknowledgedPosition: Int64 { position }

    /// Why the projection halted in this process (`ServingProjector`), nil while it runs.
    package private(set) var halted: String?

    /// Records that the projection halted for good (`ServingProjector`).
    package func markHalted(_ reason: String) { halted = reason }

    private var checkpoints: Checkpoints { state.checkpoints }
    private var writer: DocumentWriter {
        DocumentWriter(context: context, index: index, retry: configuration.retry) {
            [checkpoints, configuration, wallClock, failureCounter] failure in
            failureCounter(failure.kind).increment()
            try? await checkpoints.recordFailure(configuration.checkpointName, failure, at: wallClock.now())
        }
    }

    /// `orders_projection_failures_total{kind=...}`: failed attempts at a batch, by kind.
    private nonisolated let failureCounter: @Sendable (String) -> Counter

    /// Projects every event after the checkpoint; returns the new checkpoint.
    @discardableResult
    package func catchUp() async throws -> Int64 {
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
            do {
                try await unparkRetried()
                let started = ContinuousClock.now
                let events = try await nextBatch()
                guard let last = events.last else { return position }
                var taken = events.count
                var newest = last
                // The facts take the batch in; the orders it reaches are folded from the log and
                // written part by part (a failure anywhere makes the next pass start over from
                // the checkpoint: writes are idempotent).
                var plan = facts.take(events, parked: parked)
                // A rename reaches every order of its customer or product: while the batch has
                // one, it takes in the events that follow (up to `eventsPerRenameBatch`), so that
                // one refold of those orders covers many renames instead of one each.
                while plan.halt == nil, plan.reachesThroughFacts, plan.through - plan.start < Int64(configuration.eventsPerRenameBatch) {
                    let more = try await nextBatch(after: plan.through)
                    guard !more.isEmpty else { break }
                    taken += more.count
                    newest = more.last ?? newest
                    plan.extend(with: facts.take(more, parked: parked))
                }
                var visible = true
                var documents = 0
                var reach = OrderReach(plan, partSize: configuration.ordersPerWrite)
                while let streams = try await reach.next(from: store) {
                    guard !streams.isEmpty else { continue }
                    let batch = try await store.fold(streams, for: plan, with: facts)
                    for failure in batch.failures { try await deadLetter(failure) }
                    visible = try await write(batch.documents).visible && visible
                    documents += batch.documents.count
                }
                // Everything up to the hole or the unreadable event (if any) is written: the
                // checkpoint follows the batch.
                // The newest event taken is the checkpoint's, unless the batch halted before it.
                let fingerprint = newest.position == plan.through ? newest.fingerprint : try await store.fingerprint(at: plan.through)
                guard
                    try await checkpoints.move(
                        configuration.checkpointName, from: position, to: plan.through, at: wallClock.now(), fingerprint: fingerprint)
                else {
                    throw ProjectionError(
                        position: last.position, streamID: last.streamID,
                        reason: "the checkpoint moved under this projector: is another one running?")
                }
                position = plan.through
                batches.increment()
                eventsTaken.increment(by: taken)
                documentsWritten.increment(by: documents)
                batchDuration.recordInterval(since: started)
                if visible {
                    waiters.markVisible(through: position)
                } else if waiters.anyWaiting(atOrBelow: position) {
                    // A reader came to wait while the batch was written without visibility: it
                    // is answered once the index made it visible.
                    _ = await makeVisible()
                }
                if let halt = plan.halt {
                    logger.critical(
                        "projection halted",
                        metadata: ["projection.position": "\(halt.position)", "stream.id": "\(halt.streamID)", "error": "\(halt.reason)"])
                    throw halt
                }
                logger.debug("projected", metadata: ["projection.position": "\(position)", "projection.documents": "\(documents)"])
            } catch {
                // A missing index must be prepared (recreated) again: the next pass starts over.
                if started, facts.position != position || error is SearchIndexMissing { forgetUnacknowledged(error) }
                throw error
            }
            try await recordLag()
        }
    }

    private var passRunning = false
    private var passWaiters: [CheckedContinuation<Void, Never>] = []

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

    /// Projects until graceful shutdown (or cancellation): catches up, then waits for new events
    /// (the event store's in-process commit signal) or `configuration.pollInterval` (writers in
    /// other processes). The checkpoint moves only after each batch is stored, so stopping
    /// anywhere loses nothing.
    package func run() async throws {
        try await cancelWhenGracefulShutdown { try await self.runUntilCancelled() }
    }

    private func runUntilCancelled() async throws {
        let wakeup = Wakeup()
        let commits = store.commits()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                for await _ in commits { wakeup.signal() }
            }
            defer { group.cancelAll() }
            var failures = 0
            while !Task.isCancelled {
                do {
                    try await catchUp()
                    try await recordLag()
                    failures = 0
                } catch  where Task.isCancelled {
                    // Stopping: whatever was interrupted is simply done again next time.
                    return
                } catch let error as ProjectionError {
                    // A hole in positions or a checkpoint moved by someone else: halt loudly.
                    throw error
                } catch let error as ReadSideOfAnotherStore {
                    // Nothing to wait for: this read side belongs to another store's log.
                    throw error
                } catch {
                    // The read side is unreachable or refusing (say, Elasticsearch down at start),
                    // or its index was deleted (the next start recreates it and projects from the
                    // first event): the write side goes on; try again after a growing, jittered delay.
                    let delay = configuration.retry.delay(failures)
                    failures += 1
                    let failure = ReadSideFailure(error)
                    failureCounter(failure.kind).increment()
                    try? await checkpoints.recordFailure(configuration.checkpointName, failure, at: wallClock.now())
                    try? await recordLag()
                    logger.error(
                        error is SearchIndexMissing
                            ? "the read index is missing: recreating it and projecting again from the first event" : "projection failed; retrying",
                        metadata: ["error": "\(error)", "projection.retry.in": "\(delay)", "projection.failures": "\(failures)"])
                    try? await clock.sleep(for: delay)
                    continue
                }
                await wakeup.wait(upTo: configuration.pollInterval, on: clock)
            }
        }
    }

    /// Waits until the read side has acknowledged `position` and searches see it, or `timeout`
    /// passed; true if they do.
    package func waitForPosition(_ position: Int64, timeout: Duration) async -> Bool {
        if waiters.visible >= position { return true }
        // The reader's place is taken here, on the actor, before anything is awaited: a batch
        // acknowledged from now on sees it and asks the index for visibility. (Taken later, by
        // the waiting task, it could come after that batch looked, and wait out its timeout.)
        let ticket = waiters.enter(for: position)
        // Acknowledged, but written while nobody waited: visible once the index made it so.
        if self.position >= position { _ = await makeVisible() }
        return await waiters.wait(ticket, timeout: timeout, on: clock)
    }

    /// Whether a reader is waiting for a position (then writes ask the index for visibility).
    package var hasWaiters: Bool { !waiters.isEmpty }

    /// `orders_projection_lag_events` (head minus checkpoint), `orders_projection_lag_seconds`
    /// (age of the oldest event not yet projected, 0 when caught up),
    /// `orders_projection_last_batch_timestamp_seconds` (when a batch was last acknowledged) and
    /// `orders_projection_failing_seconds` (how long every attempt at the next batch has failed;
    /// 0 when none does), as of now: after each batch, after each failure, and before each
    /// `/metrics` scrape (so they never lag behind a stuck batch).
    package nonisolated func recordLag() async throws {
        let checkpoint = try await checkpoints.health(configuration.checkpointName)
        let head = try await store.headPosition()
        let now = wallClock.now()
        lagEvents.record(Double(max(0, head - checkpoint.position)))
        if head > checkpoint.position, let oldest = try await store.readAll(after: checkpoint.position, limit: 1).first {
            lagSeconds.record(max(0, now.timeIntervalSince(oldest.recordedAt)))
        } else {
            lagSeconds.record(0)
        }
        if let movedAt = checkpoint.movedAt { lastBatch.record(movedAt.timeIntervalSince1970) }
        failingSeconds.record(checkpoint.failingSince.map { max(0, now.timeIntervalSince($0)) } ?? 0)
    }

    /// Reads the customer and product facts up to the stored checkpoint once.
    private func start() async throws {
        guard !started else { return }
        // Never into a read side built from another store's log.
        let identity = try await store.identity()
        try await state.bind(toStore: identity, location: "checkpoint \(configuration.checkpointName)")
        try await index.claim(forStore: identity)
        var checkpoint = try await checkpoints.position(configuration.checkpointName)
        // Never serve what the log no longer holds: a store restored from an older backup (or
        // replaced) leaves the read side ahead of it.
        let head = try await store.headPosition()
        guard checkpoint <= head else {
            throw ProjectionError(
                position: checkpoint, streamID: "-",
                reason: "the read side is ahead of the event log (checkpoint \(checkpoint), head \(head)): the store was restored "
                    + "from a backup or replaced; rebuild the read side with `orders reindex`")
        }
        // Nor over another log than the one projected: the event at the checkpoint must be the
        // one the read side saw there (a store restored from a backup and written to since is not).
        if checkpoint > 0, let seen = try await checkpoints.fingerprint(configuration.checkpointName) {
            let found = try await store.fingerprint(at: checkpoint)
            guard found == seen else {
                throw ProjectionError(
                    position: checkpoint, streamID: "-",
                    reason: "the event log differs from the one the read side was built from (at position \(checkpoint) it saw \(seen), "
                        + "the log has \(found ?? "nothing")): the store was restored from a backup or replaced; rebuild the read side "
                        + "with `orders reindex`")
            }
        }
        if try await index.prepare(), checkpoint > 0 {
            // The index holds no order although the checkpoint says events were projected: it
            // was lost or replaced. Project everything again (writes are idempotent).
            logger.warning(
                "the read index is empty: projecting again from the start",
                metadata: ["projection.checkpoint": "\(checkpoint)", "projection.name": "\(configuration.checkpointName)"])
            guard try await checkpoints.move(configuration.checkpointName, from: checkpoint, to: 0) else {
                throw ProjectionError(
                    position: checkpoint, streamID: "-", reason: "the checkpoint moved under this projector: is another one running?")
            }
            checkpoint = 0
        }
        parked = try await state.deadLetters.parkedOrders()
        // Still parked here, gone from the store: `unparkRetried` folds and writes them next.
        let released = try await state.deadLetters.releaseIndexFailures()
        if !released.isEmpty {
            logger.notice(
                "retrying dead letters the index caused (not their documents)",
                metadata: ["projection.released_orders": "\(released.count)", "projection.checkpoint": "\(checkpoint)"])
        }
        facts = try await store.facts(through: checkpoint)
        position = checkpoint
        started = true
    }

    /// An order event that cannot be projected: the order is dead-lettered and parked there.
    private func deadLetter(_ failure: ProjectionError) async throws {
        parked.insert(try await state.deadLetters.add(failure, at: wallClock.now(), logger: logger))
    }

    /// Orders whose dead letters an operator resolved (`orders dead-letters retry`, possibly
    /// from another process) are folded again at the current position and written (their events
    /// after the retry's own fold were skipped while they were parked), then projected as any.
    private func unparkRetried() async throws {
        let stillParked = try await state.deadLetters.parkedOrders()
        let released = parked.subtracting(stillParked)
        parked = stillParked
        guard !released.isEmpty else { return }
        var documents: [OrderDocument] = []
        for stream in try await store.readStreams(Set(released.map { OrderTag.streamPrefix + "-" + $0 }), through: position) {
            let orderID = String(stream.streamID.dropFirst(OrderTag.streamPrefix.count + 1))
            let result = try await store.exact(facts.fold(orderEvents: stream.events), order: orderID, through: position)
            if let failure = result.failure {
                try await deadLetter(failure)
            } else if let document = result.document {
                documents.append(document)
                logger.notice("order unparked", metadata: ["order.id": "\(document.orderID)", "projection.position": "\(position)"])
            }
        }
        _ = try await write(documents)
    }

    /// Events after `after` (the current position by default), bounded by count and payload bytes.
    private func nextBatch(after: Int64? = nil) async throws -> [RecordedEvent] {
        let events = try await store.readAll(after: after ?? position, limit: configuration.batchEvents)
        var bytes = 0
        var count = 0
        for event in events {
            bytes += event.payload.count
            count += 1
            if bytes >= configuration.batchBytes { break }
        }
        return Array(events.prefix(count))
    }

    /// Writes documents until every one is applied, stale or dead-lettered (then parked),
    /// asking for visibility while a reader waits.
    private func write(_ documents: [OrderDocument]) async throws -> DocumentWriter.Report {
        let report = try await writer.write(documents) { [waiters] in !waiters.isEmpty }
        parked.formUnion(report.rejected)
        return report
    }

    /// Makes what is acknowledged visible; false (logged) when the index could not. A reader
    /// then waits on, for the next batch (written visibly) or its timeout, whose answer says it
    /// may be stale. Readers arriving together share one call to the index.
    private func makeVisible() async -> Bool {
        let target = position
        if let shared = visibilityCalls.firstIndex(where: { $0.target >= target }) {
            // Appended before the actor can run anything else: the call's owner resumes it.
            return await withCheckedContinuation { visibilityCalls[shared].joined.append($0) }
        }
        nextVisibilityCall += 1
        let id = nextVisibilityCall
        visibilityCalls.append((id, target, []))
        let made: Bool
        do {
            try await index.makeVisible()
            made = true
        } catch {
            logger.warning(
                "could not make the index visible for a waiting reader", metadata: ["projection.position": "\(target)", "error": "\(error)"])
            made = false
        }
        if made { waiters.markVisible(through: target) }
        let joined = visibilityCalls.firstIndex { $0.id == id }.map { visibilityCalls.remove(at: $0).joined } ?? []
        for continuation in joined { continuation.resume(returning: made) }
        return made
    }

    /// The calls to `index.makeVisible()` under way: the position each makes visible, and the
    /// readers that joined it.
    private var visibilityCalls: [(id: Int, target: Int64, joined: [CheckedContinuation<Bool, Never>])] = []
    private var nextVisibilityCall = 0

    /// Readers waiting for a call to `index.makeVisible()` that another reader made (tests).
    var readersJoiningVisibility: Int { visibilityCalls.reduce(0) { $0 + $1.joined.count } }
}
