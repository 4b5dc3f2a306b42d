import Foundation
import Logging
import OrdersDomain
package import OrdersSearch
package import OrdersStore
import ServiceLifecycle
import Timing

/// Rebuilds a read side into its next generation while the service keeps running (DESIGN.md
/// invariant 8): fold every order as of position P (the head when it starts) into a new
/// generation in bulk, catch up from P with its own checkpoint, restore settings and verify the
/// count, swap atomically, catch up what raced the swap, retire old generations.
///
/// Nothing is lost across the swap: a write the live projector sent to the old generation
/// carries only events it had read before the swap completed, so at most the head read after
/// the swap; the reindex catches the new generation up to that head before it finishes.
/// Documents carry versions, so everything written twice is harmless.
///
/// Graceful shutdown (Ctrl-C in a `ServiceGroup`) stops the work; the unfinished generation gets
/// its settings back and the lock is released, so the next run resumes.
package struct Reindexer: Sendable {
    package let context: ProjectionContext
    package let generations: any IndexGenerations
    /// The live projector's checkpoint name: the read side's identity (one reindex per read side).
    package let readSide: String
    package let options: ReindexOptions
    package var store: EventStore { context.store }
    package var state: ProjectionDatabase { context.state }
    var clock: any Clock<Duration> { context.clock }
    var wallClock: any WallClock { context.wallClock }
    var logger: Logger { context.logger }

    package init(context: ProjectionContext, generations: any IndexGenerations, readSide: String, options: ReindexOptions = .init()) {
        self.context = context
        self.generations = generations
        self.readSide = readSide
        self.options = options
    }

    private var jobs: ReindexJobs { state.reindexJobs }

    private func writer(_ index: any SearchIndexWriter) -> DocumentWriter {
        DocumentWriter(context: context, index: index, retry: options.projector.retry)
    }

    /// What a run would do now, changing nothing.
    package func plan() async throws -> ReindexPlan {
        let job = try await jobs.job(readSide)
        let live = try await generations.live()
        let next = try await generations.nextGeneration()
        let head = try await store.headPosition()
        let target = job?.target ?? next
        let snapshot = job?.snapshot ?? head
        return ReindexPlan(
            readSide: readSide, live: live, target: target, snapshot: snapshot, orders: try await store.orderCount(through: snapshot),
            retire: try await generations.retired(keeping: options.keep, live: target), resume: job)
    }

    /// Whether a recorded job's owner is alive (heard of within `staleAfter`, not released, and
    /// not a process of this host that is gone).
    package func isHeld(_ job: ReindexJob) -> Bool {
        wallClock.now().timeIntervalSince(job.heartbeatAt) <= options.staleAfter && !ProcessOwner.isGone(job.owner)
    }

    /// Removes what an interrupted reindex left (its unfinished generation, checkpoint and lock).
    /// Refused while it runs, and once it swapped (then running again finishes it).
    package func abort() async throws -> String {
        guard let job = try await jobs.job(readSide) else { return "no reindex to abort for \(readSide)" }
        if isHeld(job), job.owner != options.owner { throw ReindexLockError(job: job, now: wallClock.now()) }
        guard job.phase != .swapped, try await generations.live() != job.target else {
            throw ReindexError(reason: "\(job.target) is already live: run reindex again to finish, not --abort")
        }
        if try await generations.list().contains(job.target) { try await generations.delete(job.target) }
        try await jobs.end(job)
        logger.notice("reindex aborted", metadata: ["reindex.target": "\(job.target)", "reindex.phase": "\(job.phase.rawValue)"])
        return "aborted the reindex into \(job.target) (was \(job.phase.rawValue)); \(job.source ?? "nothing") stays live"
    }

    /// Runs (or resumes) a reindex to the end. `progress` is called often; throttle there.
    package func run(progress: @escaping @Sendable (ReindexProgress) -> Void = { _ in }) async throws -> ReindexSummary {
        let elapsed = clock.stopwatch()
        let live = try await generations.live()
        let head = try await store.headPosition()
        let next = try await generations.nextGeneration()
        let (owner, readSide, now) = (options.owner, readSide, wallClock.now())
        let (acquired, resumed) = try await jobs.acquire(readSide, owner: owner, now: now, staleAfter: options.staleAfter) {
            ReindexJob(
                readSide: readSide, owner: owner, startedAt: now, heartbeatAt: now, source: live, target: next, snapshot: head, phase: .loading,
                loadedThrough: nil, loaded: 0)
        }
        logger.notice(
            resumed ? "reindex resumed" : "reindex started",
            metadata: [
                "reindex.source": "\(acquired.source ?? "-")", "reindex.target": "\(acquired.target)", "reindex.snapshot": "\(acquired.snapshot)",
                "reindex.phase": "\(acquired.phase.rawValue)",
            ])
        let deadLettersBefore = try await state.deadLetters.count()
        let heartbeat = Heartbeat(jobs: jobs, job: acquired, wallClock: wallClock)
        var summary: ReindexSummary
        do {
            // The heartbeat beats beside the work; graceful shutdown stops the work (not this
            // task), so that what follows cleans up in a task that is not cancelled.
            summary = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [options, clock] in await heartbeat.beat(every: options.heartbeatInterval, on: clock) }
                defer { group.cancelAll() }
                return try await cancelWhenGracefulShutdown {
                    try await self.work(acquired, resumed: resumed, heartbeat: heartbeat, progress: progress)
                }
            }
        } catch {
            let job = await heartbeat.job
            await cleanUp(after: error, job: job)
            if Task.isShuttingDownGracefully {
                // Stopped on purpose (Ctrl-C, SIGTERM): not a failure of the reindex.
                logger.notice("reindex stopped", metadata: ["reindex.target": "\(job.target)", "reindex.phase": "\(job.phase.rawValue)"])
                throw ReindexInterrupted(phase: job.phase.rawValue, target: job.target, loaded: job.loaded)
            }
            logger.error(
                "reindex stopped; run it again to resume, or with --abort to clean up",
                metadata: ["reindex.target": "\(job.target)", "reindex.phase": "\(job.phase.rawValue)", "error": "\(error)"])
            throw error
        }
        summary.deadLetters = try await state.deadLetters.count() - deadLettersBefore
        summary.seconds = elapsed().inSeconds
        progress(
            ReindexProgress(
                phase: .done, source: summary.source, target: summary.target, done: summary.documents, total: summary.documents,
                rate: summary.documentsPerSecond, elapsedSeconds: summary.seconds))
        logger.notice(
            "reindex done",
            metadata: [
                "reindex.source": "\(summary.source ?? "-")", "reindex.target": "\(summary.target)", "reindex.documents": "\(summary.documents)",
                "reindex.seconds": "\(summary.seconds)",
            ])
        return summary
    }

    /// The phases, from where the job stands to the end.
    private func work(
        _ acquired: ReindexJob, resumed: Bool, heartbeat: Heartbeat, progress: @escaping @Sendable (ReindexProgress) -> Void
    ) async throws -> ReindexSummary {
        var job = acquired
        var summary = ReindexSummary(
            source: job.source, target: job.target, snapshot: job.snapshot, documents: 0, indexed: 0, caughtUpEvents: 0, deadLetters: 0,
            retired: [], resumed: resumed, seconds: 0)
        if job.phase != .swapped {
            try await generations.create(job.target)
            let index = try generations.index(job.target)
            // The new generation names the event store it is built from, as the live one does.
            try await index.claim(forStore: try await store.identity())
            if job.phase == .loading {
                summary.documents = try await load(&job, into: index, heartbeat: heartbeat, progress: progress)
                job.phase = .catchingUp
                try await heartbeat.save(job)
            }
            summary.caughtUpEvents += try await catchUp(job, into: index, until: nil, progress: progress)
            progress(ReindexProgress(phase: .finishing, source: job.source, target: job.target, done: 0, total: 0, rate: 0, elapsedSeconds: 0))
            try await generations.finishLoading(job.target)
            summary.indexed = try await verify(job)
            // A last short catch-up, then the swap (the one after it covers what races it).
            summary.caughtUpEvents += try await catchUp(job, into: index, until: nil, progress: progress)
            try await generations.swap(to: job.target, from: try await generations.live())
            job.phase = .swapped
            try await heartbeat.save(job)
            progress(ReindexProgress(phase: .swapped, source: job.source, target: job.target, done: 0, total: 0, rate: 0, elapsedSeconds: 0))
        }
        let index = try generations.index(job.target)
        let swapHead = try await store.headPosition()
        summary.caughtUpEvents += try await catchUp(job, into: index, until: swapHead, progress: progress)
        // A live checkpoint past the log (a store restored from an older backup) is brought back
        // to what the new generation holds: the live projector goes on from there.
        let live = try await state.checkpoints.position(readSide)
        if live > (try await store.headPosition()) {
            guard try await state.checkpoints.move(readSide, from: live, to: swapHead) else {
                throw ReindexError(reason: "the live checkpoint \(readSide) moved under this reindex")
            }
            logger.notice(
                "the live checkpoint was past the event log: moved back to the rebuilt generation's",
                metadata: ["projection.checkpoint.was": "\(live)", "projection.checkpoint": "\(swapHead)"])
        }
        if summary.indexed == 0 { summary.indexed = try await generations.count(job.target) }
        for old in try await generations.retired(keeping: options.keep, live: job.target) {
            try await generations.delete(old)
            summary.retired.append(old)
            logger.notice("retired an old generation", metadata: ["reindex.deleted": "\(old)"])
        }
        try await jobs.end(job)
        return summary
    }

    /// After an error or a stop: the unfinished generation gets its settings back (the name
    /// still points at the old one) and the lock is released for a resume.
    private func cleanUp(after error: any Error, job: ReindexJob) async {
        let steps = { @Sendable [generations, jobs, logger, wallClock] in
            if job.phase != .swapped {
                do { try await generations.finishLoading(job.target) } catch {
                    logger.warning("could not restore the settings of the unfinished generation", metadata: ["error": "\(error)"])
                }
            }
            if !(error is ReindexLockError) { try? await jobs.release(job, now: wallClock.now()) }
        }
        guard Task.isCancelled else { return await steps() }
        // Cancelled outright (not a graceful shutdown): cancellation would fail the clean-up's own
        // requests, and Swift has no cancellation shield yet, so it runs in a task of its own,
        // awaited here.
        await Task { await steps() }.value
    }

    // MARK: Load

    /// Folds every order of the snapshot (after `loadedThrough`) and writes it, folding the next
    /// batches while earlier ones are written; the cursor moves only past written batches (in
    /// order, whatever order they finish in).
    private func load(
        _ job: inout ReindexJob, into index: any SearchIndexWriter, heartbeat: Heartbeat, progress: @escaping @Sendable (ReindexProgress) -> Void
    ) async throws -> Int {
        let fold = try await store.facts(through: job.snapshot)
        let snapshot = job.snapshot
        let total = try await store.orderCount(through: job.snapshot)
        let writer = writer(index)
        let elapsed = clock.stopwatch()
        let alreadyLoaded = job.loaded
        var loaded = 0
        /// Batches handed out, by number: the last stream of each and its size.
        var batches: [(last: String, count: Int)] = []
        var finished: Set<Int> = []
        var cursor = 0  // batches before this number are written and recorded
        var after = job.loadedThrough
        try await withThrowingTaskGroup(of: Int.self) { group in
            /// Records a finished batch and moves the cursor past every batch written before it.
            func finish(_ number: Int) async throws {
                finished.insert(number)
                while finished.remove(cursor) != nil {
                    loaded += batches[cursor].count
                    job.loadedThrough = batches[cursor].last
                    job.loaded = alreadyLoaded + loaded
                    cursor += 1
                    try await heartbeat.save(job)
                    report(.loading, job, done: job.loaded, total: total, elapsed: elapsed(), count: loaded, progress)
                }
            }
            while true {
                try Task.checkCancellation()
                let streams = try await store.readStreams(
                    prefix: OrderTag.streamPrefix + "-", after: after, through: job.snapshot, limit: options.batchOrders)
                guard let last = streams.last else { break }
                after = last.streamID
                let number = batches.count
                batches.append((last.streamID, streams.count))
                // Each batch is folded and written by a task of its own: batches in flight fold in parallel.
                group.addTask { [state, store, wallClock, logger] in
                    var documents: [OrderDocument] = []
                    documents.reserveCapacity(streams.count)
                    for stream in streams {
                        let orderID = String(stream.streamID.dropFirst(OrderTag.streamPrefix.count + 1))
                        let result = try await store.exact(fold.fold(orderEvents: stream.events), order: orderID, through: snapshot)
                        if let document = result.document { documents.append(document) }
                        if let failure = result.failure { _ = try await state.deadLetters.add(failure, at: wallClock.now(), logger: logger) }
                    }
                    _ = try await writer.write(documents)
                    return number
                }
                if batches.count - cursor >= options.batchesInFlight, let number = try await group.next() { try await finish(number) }
            }
            while let number = try await group.next() { try await finish(number) }
        }
        return job.loaded
    }

    // MARK: Catch-up

    /// Projects the events after the job's checkpoint (starting at the snapshot) into the new
    /// generation: up to `until`, or, without it, pass after pass to the head until the lag is
    /// near zero (at most one batch) or stops shrinking (a writer as fast as the catch-up; the
    /// catch-up after the swap, which has an end, covers the rest). Each batch is folded as the
    /// live projector folds one: every order it reaches, from the log.
    private func catchUp(
        _ job: ReindexJob, into index: any SearchIndexWriter, until: Int64?, progress: @escaping @Sendable (ReindexProgress) -> Void
    ) async throws -> Int {
        let checkpoints = state.checkpoints
        var checkpoint = try await checkpoints.position(job.checkpointName)
        if checkpoint < job.snapshot {
            guard try await checkpoints.move(job.checkpointName, from: checkpoint, to: job.snapshot) else {
                throw ReindexError(reason: "the catch-up checkpoint \(job.checkpointName) moved under this reindex")
            }
            checkpoint = job.snapshot
        }
        var fold = try await store.facts(through: checkpoint)
        let writer = writer(index)
        let elapsed = clock.stopwatch()
        let first = checkpoint
        var projected = 0
        var lag = Int64.max
        while true {
            let end: Int64
            if let until { end = until } else { end = try await store.headPosition() }
            guard end > checkpoint else { break }
            if until == nil {
                // Stop chasing when near zero, or when the last pass did not gain on the writer.
                let now = end - checkpoint
                if (now <= Int64(options.projector.batchEvents) && projected > 0) || now >= lag { break }
                lag = now
            }
            while checkpoint < end {
                try Task.checkCancellation()
                let events = try await store.readAll(after: checkpoint, limit: min(options.projector.batchEvents, Int(end - checkpoint)))
                guard !events.isEmpty else { break }
                // The new generation is rebuilt whole: parked orders are folded too, up to their
                // dead letter (as the load did).
                let plan = fold.take(events, parked: [])
                var reach = OrderReach(plan, partSize: options.projector.ordersPerWrite)
                while let streams = try await reach.next(from: store) {
                    guard !streams.isEmpty else { continue }
                    let batch = try await store.fold(streams, for: plan, with: fold)
                    for failure in batch.failures { _ = try await state.deadLetters.add(failure, at: wallClock.now(), logger: logger) }
                    _ = try await writer.write(batch.documents)
                }
                guard try await checkpoints.move(job.checkpointName, from: checkpoint, to: plan.through) else {
                    throw ReindexError(reason: "the catch-up checkpoint \(job.checkpointName) moved under this reindex")
                }
                projected += Int(plan.through - checkpoint)
                checkpoint = plan.through
                if let halt = plan.halt { throw halt }
                report(.catchingUp, job, done: Int(checkpoint - first), total: Int(end - first), elapsed: elapsed(), count: projected, progress)
            }
            if until != nil { break }
        }
        return projected
    }

    // MARK: Verify

    /// The new generation must hold one document per order of the log, but for orders whose
    /// creation itself is dead-lettered; otherwise it does not go live.
    private func verify(_ job: ReindexJob) async throws -> Int {
        let checkpoint = try await state.checkpoints.position(job.checkpointName)
        let orders = try await store.orderCount(through: checkpoint)
        let parked = try await state.deadLetters.parkedOrders().count
        let indexed = try await generations.count(job.target)
        guard indexed <= orders, indexed >= orders - parked else {
            throw ReindexError(
                reason: "\(job.target) holds \(indexed) documents, but the log has \(orders) orders through position \(checkpoint) "
                    + "(\(parked) dead-lettered): not swapped")
        }
        return indexed
    }

    private func report(
        _ phase: ReindexProgress.Phase, _ job: ReindexJob, done: Int, total: Int, elapsed: Duration, count: Int,
        _ progress: (ReindexProgress) -> Void
    ) {
        let seconds = elapsed.inSeconds
        progress(
            ReindexProgress(
                phase: phase, source: job.source, target: job.target, done: done, total: total, rate: seconds > 0 ? Double(count) / seconds : 0,
                elapsedSeconds: seconds))
    }
}
