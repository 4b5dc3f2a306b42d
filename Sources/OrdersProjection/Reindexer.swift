public import Foundation
public import Logging
import OrdersDomain
public import OrdersSearch
public import OrdersStore

/// How a reindex runs. Every property has a documented default.
public struct ReindexOptions: Sendable {
    /// Generations kept after the swap, the new live one included. Default 1 (only the new one).
    public var keep = 1
    /// Orders folded and handed to the index per batch. Default 2,000.
    public var batchOrders = 2000
    /// Batches folded and written at once (they fold in parallel). Default 3.
    public var batchesInFlight = 3
    /// Who runs it (shown to a second attempt). Default `<host>:<pid>`.
    public var owner = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    /// A job not heard of for this long is taken over (its process died). Default 30 s.
    public var staleAfter: TimeInterval = 30
    /// Retry delays and catch-up batch size (`batchEvents`).
    public var projector = ProjectorConfiguration()

    public init() {}
}

/// Where a reindex stands, for progress bars and `GET /admin/reindex`.
public struct ReindexProgress: Sendable, Encodable {
    public enum Phase: String, Sendable, Encodable {
        case loading, catchingUp = "catching_up", finishing, swapped, done
    }

    public var phase: Phase
    public var source: String?
    public var target: String
    /// Documents (loading) or events (catching up) done, and the total known for the phase.
    public var done: Int
    public var total: Int
    /// Per second since the phase began.
    public var rate: Double
    public var elapsedSeconds: Double

    enum CodingKeys: String, CodingKey {
        case phase, source, target, done, total, rate, elapsedSeconds = "elapsed_seconds"
    }

    /// Seconds left at the current rate (nil when unknown).
    public var etaSeconds: Double? { rate > 0 && total >= done ? Double(total - done) / rate : nil }
}

/// What a finished reindex did.
public struct ReindexSummary: Sendable, Encodable {
    public var source: String?
    public var target: String
    public var snapshot: Int64
    /// Orders folded from the snapshot.
    public var documents: Int
    /// Documents the new generation holds when it went live.
    public var indexed: Int
    /// Events projected after the snapshot (before and after the swap).
    public var caughtUpEvents: Int
    public var deadLetters: Int
    public var retired: [String]
    public var resumed: Bool
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case source, target, snapshot, documents, indexed, caughtUpEvents = "caught_up_events", deadLetters = "dead_letters", retired, resumed
        case seconds
    }

    public var documentsPerSecond: Double { seconds > 0 ? Double(documents) / seconds : 0 }
}

/// What `--dry-run` reports.
public struct ReindexPlan: Sendable, Encodable {
    public var readSide: String
    public var live: String?
    public var target: String
    public var snapshot: Int64
    public var orders: Int
    public var retire: [String]
    public var resume: ProjectionStateStore.ReindexJob?

    enum CodingKeys: String, CodingKey { case readSide = "read_side", live, target, snapshot, orders, retire, resume }
}

public struct ReindexError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { "reindex: \(reason)" }
}

/// Rebuilds a read side into its next generation while the service keeps running (DESIGN.md
/// invariant 8): fold every order as of position P (the head when it starts) into a new
/// generation in bulk, catch up from P with its own checkpoint, restore settings and verify the
/// count, swap atomically, catch up what raced the swap, retire old generations.
///
/// Nothing is lost across the swap: a write the live projector sent to the old generation
/// carries only events it had read before the swap completed, so at most the head read after
/// the swap; the reindex catches the new generation up to that head before it finishes.
/// Documents carry versions, so everything written twice is harmless.
public struct Reindexer: Sendable {
    public let store: EventStore
    public let generations: any IndexGenerations
    public let state: ProjectionStateStore
    /// The live projector's checkpoint name: the read side's identity (one reindex per read side).
    public let readSide: String
    public let options: ReindexOptions
    let logger: Logger

    public init(
        store: EventStore, generations: any IndexGenerations, state: ProjectionStateStore, readSide: String, options: ReindexOptions = .init(),
        logger: Logger
    ) {
        self.store = store
        self.generations = generations
        self.state = state
        self.readSide = readSide
        self.options = options
        self.logger = logger
    }

    /// What a run would do now, changing nothing.
    public func plan() async throws -> ReindexPlan {
        let job = try await state.reindexJob(readSide)
        let live = try await generations.live()
        let next = try await generations.nextGeneration()
        let head = try await store.headPosition()
        let target = job?.target ?? next
        let snapshot = job?.snapshot ?? head
        return ReindexPlan(
            readSide: readSide, live: live, target: target, snapshot: snapshot, orders: try await store.orderCount(through: snapshot),
            retire: try await generations.retired(keeping: options.keep, live: target), resume: job)
    }

    /// Removes what an interrupted reindex left (its unfinished generation, checkpoint and lock).
    /// Refused while it runs, and once it swapped (then running again finishes it).
    public func abort() async throws -> String {
        guard let job = try await state.reindexJob(readSide) else { return "no reindex to abort for \(readSide)" }
        let now = Date()
        if now.timeIntervalSince(job.heartbeatAt) <= options.staleAfter, job.owner != options.owner {
            throw ReindexLockError(job: job, now: now)
        }
        guard job.phase != .swapped, try await generations.live() != job.target else {
            throw ReindexError(reason: "\(job.target) is already live: run reindex again to finish, not --abort")
        }
        if try await generations.list().contains(job.target) { try await generations.delete(job.target) }
        try await state.endReindex(job)
        logger.notice("reindex aborted", metadata: ["reindex.target": "\(job.target)", "reindex.phase": "\(job.phase.rawValue)"])
        return "aborted the reindex into \(job.target) (was \(job.phase.rawValue)); \(job.source ?? "nothing") stays live"
    }

    /// Runs (or resumes) a reindex to the end. `progress` is called often; throttle there.
    public func run(progress: @escaping @Sendable (ReindexProgress) -> Void = { _ in }) async throws -> ReindexSummary {
        let started = ContinuousClock.now
        let live = try await generations.live()
        let head = try await store.headPosition()
        let next = try await generations.nextGeneration()
        let owner = options.owner
        let readSide = readSide
        let (acquired, resumed) = try await state.acquireReindex(readSide, owner: owner, now: Date(), staleAfter: options.staleAfter) {
            ProjectionStateStore.ReindexJob(
                readSide: readSide, owner: owner, startedAt: Date(), heartbeatAt: Date(), source: live, target: next, snapshot: head,
                phase: .loading, loadedThrough: nil, loaded: 0)
        }
        var job = acquired
        logger.notice(
            resumed ? "reindex resumed" : "reindex started",
            metadata: [
                "reindex.source": "\(job.source ?? "-")", "reindex.target": "\(job.target)", "reindex.snapshot": "\(job.snapshot)",
                "reindex.phase": "\(job.phase.rawValue)",
            ])
        let deadLettersBefore = try await state.deadLetters().count
        let heartbeat = Heartbeat(state: state, job: job, every: .seconds(max(1, options.staleAfter / 6)))
        var summary = ReindexSummary(
            source: job.source, target: job.target, snapshot: job.snapshot, documents: 0, indexed: 0, caughtUpEvents: 0, deadLetters: 0,
            retired: [], resumed: resumed, seconds: 0)
        do {
            if job.phase != .swapped {
                try await generations.create(job.target)
                let index = try generations.index(job.target)
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
            if summary.indexed == 0 { summary.indexed = try await generations.count(job.target) }
            for old in try await generations.retired(keeping: options.keep, live: job.target) {
                try await generations.delete(old)
                summary.retired.append(old)
                logger.notice("retired an old generation", metadata: ["reindex.deleted": "\(old)"])
            }
            await heartbeat.stop()
            try await state.endReindex(job)
        } catch {
            await heartbeat.stop()
            // Clean up even when cancelled (Ctrl-C): in a task of its own, which is not.
            let cleanup = Task { [generations, state, logger, job] in
                if job.phase != .swapped {
                    // Settings are restored on every exit path; the alias still points at the old one.
                    do { try await generations.finishLoading(job.target) } catch {
                        logger.warning("could not restore the settings of the unfinished generation", metadata: ["error": "\(error)"])
                    }
                }
                if !(error is ReindexLockError) { try? await state.releaseReindex(await heartbeat.job) }
            }
            await cleanup.value
            logger.error(
                "reindex stopped; run it again to resume, or with --abort to clean up",
                metadata: ["reindex.target": "\(job.target)", "reindex.phase": "\(job.phase.rawValue)", "error": "\(error)"])
            throw error
        }
        summary.deadLetters = try await state.deadLetters().count - deadLettersBefore
        summary.seconds = (ContinuousClock.now - started).seconds
        progress(
            ReindexProgress(
                phase: .done, source: job.source, target: job.target, done: summary.documents, total: summary.documents,
                rate: summary.documentsPerSecond, elapsedSeconds: summary.seconds))
        logger.notice(
            "reindex done",
            metadata: [
                "reindex.source": "\(job.source ?? "-")", "reindex.target": "\(job.target)", "reindex.documents": "\(summary.documents)",
                "reindex.seconds": "\(summary.seconds)",
            ])
        return summary
    }

    // MARK: Load

    /// Folds every order of the snapshot (after `loadedThrough`) and writes it, folding the next
    /// batch while earlier ones are written; the cursor moves only past written batches.
    private func load(
        _ job: inout ProjectionStateStore.ReindexJob, into index: any SearchIndex, heartbeat: Heartbeat,
        progress: @escaping @Sendable (ReindexProgress) -> Void
    ) async throws -> Int {
        let fold = try await SnapshotFold.load(from: store, through: job.snapshot)
        let total = try await store.orderCount(through: job.snapshot)
        let writer = DocumentWriter(index: index, state: state, configuration: options.projector, logger: logger)
        let phaseStart = ContinuousClock.now
        let alreadyLoaded = job.loaded
        var loaded = 0
        var inFlight: [(last: String, count: Int, task: Task<Void, any Error>)] = []
        defer { for batch in inFlight { batch.task.cancel() } }
        /// A batch is written: the cursor moves past it (batches finish in order).
        func finish(_ batch: (last: String, count: Int, task: Task<Void, any Error>)) async throws {
            try await batch.task.value
            loaded += batch.count
            job.loadedThrough = batch.last
            job.loaded = alreadyLoaded + loaded
            try await heartbeat.save(job)
            report(.loading, job, done: job.loaded, total: total, since: phaseStart, count: loaded, progress)
        }
        var after = job.loadedThrough
        while true {
            try Task.checkCancellation()
            let streams = try await store.readStreams(
                prefix: OrderTag.streamPrefix + "-", after: after, through: job.snapshot, limit: options.batchOrders)
            guard let last = streams.last else { break }
            after = last.streamID
            // Each batch is folded and written by its own task: batches in flight fold in parallel.
            let task = Task {
                var documents: [OrderDocument] = []
                documents.reserveCapacity(streams.count)
                for stream in streams {
                    let result = fold.fold(orderEvents: stream.events)
                    if let document = result.document { documents.append(document) }
                    if let failure = result.failure { _ = try await state.deadLetter(failure, logger: logger) }
                }
                _ = try await writer.write(documents)
            }
            inFlight.append((last.streamID, streams.count, task))
            if inFlight.count >= options.batchesInFlight {
                try await finish(inFlight.removeFirst())
            }
        }
        while !inFlight.isEmpty { try await finish(inFlight.removeFirst()) }
        return job.loaded
    }

    // MARK: Catch-up

    /// Projects the events after the job's checkpoint (starting at the snapshot) into the new
    /// generation: up to `until`, or, without it, pass after pass to the head until the lag is
    /// near zero (at most one batch) or stops shrinking (a writer as fast as the catch-up; the
    /// catch-up after the swap, which has an end, covers the rest). Each batch is folded as the
    /// live projector folds one (`SnapshotFold.project`): every order it reaches, from the log.
    private func catchUp(
        _ job: ProjectionStateStore.ReindexJob, into index: any SearchIndex, until: Int64?,
        progress: @escaping @Sendable (ReindexProgress) -> Void
    ) async throws -> Int {
        var checkpoint = try await state.checkpoint(job.checkpointName)
        if checkpoint < job.snapshot {
            guard try await state.moveCheckpoint(job.checkpointName, from: checkpoint, to: job.snapshot) else {
                throw ReindexError(reason: "the catch-up checkpoint \(job.checkpointName) moved under this reindex")
            }
            checkpoint = job.snapshot
        }
        var fold = try await SnapshotFold.load(from: store, through: checkpoint)
        let writer = DocumentWriter(index: index, state: state, configuration: options.projector, logger: logger)
        let phaseStart = ContinuousClock.now
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
                let batch = try await fold.project(events, parked: [], from: store)
                for failure in batch.failures { _ = try await state.deadLetter(failure, logger: logger) }
                _ = try await writer.write(batch.documents)
                guard try await state.moveCheckpoint(job.checkpointName, from: checkpoint, to: batch.through) else {
                    throw ReindexError(reason: "the catch-up checkpoint \(job.checkpointName) moved under this reindex")
                }
                projected += Int(batch.through - checkpoint)
                checkpoint = batch.through
                if let halt = batch.halt { throw halt }
                report(.catchingUp, job, done: Int(checkpoint - first), total: Int(end - first), since: phaseStart, count: projected, progress)
            }
            if until != nil { break }
        }
        return projected
    }

    // MARK: Verify

    /// The new generation must hold one document per order of the log, but for orders whose
    /// creation itself is dead-lettered; otherwise it does not go live.
    private func verify(_ job: ProjectionStateStore.ReindexJob) async throws -> Int {
        let checkpoint = try await state.checkpoint(job.checkpointName)
        let orders = try await store.orderCount(through: checkpoint)
        let parked = try await state.parkedOrders().count
        let indexed = try await generations.count(job.target)
        guard indexed <= orders, indexed >= orders - parked else {
            throw ReindexError(
                reason: "\(job.target) holds \(indexed) documents, but the log has \(orders) orders through position \(checkpoint) "
                    + "(\(parked) dead-lettered): not swapped")
        }
        return indexed
    }

    private func report(
        _ phase: ReindexProgress.Phase, _ job: ProjectionStateStore.ReindexJob, done: Int, total: Int, since: ContinuousClock.Instant,
        count: Int, _ progress: (ReindexProgress) -> Void
    ) {
        let elapsed = (ContinuousClock.now - since).seconds
        progress(
            ReindexProgress(
                phase: phase, source: job.source, target: job.target, done: done, total: total, rate: elapsed > 0 ? Double(count) / elapsed : 0,
                elapsedSeconds: elapsed))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Saves the job now and then so that a second attempt sees it alive; saving progress counts.
actor Heartbeat {
    let state: ProjectionStateStore
    private(set) var job: ProjectionStateStore.ReindexJob
    private var stopped = false

    init(state: ProjectionStateStore, job: ProjectionStateStore.ReindexJob, every interval: Duration) {
        self.state = state
        self.job = job
        Task { [weak self] in
            while true {
                try? await Task.sleep(for: interval)
                guard let self, await !self.stopped else { return }
                try? await self.beat()
            }
        }
    }

    private func beat() async throws {
        guard !stopped else { return }
        job.heartbeatAt = Date()
        try await state.updateReindex(job)
    }

    func save(_ job: ProjectionStateStore.ReindexJob) async throws {
        self.job = job
        try await beat()
    }

    func stop() { stopped = true }
}
