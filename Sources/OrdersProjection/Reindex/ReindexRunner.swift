import Foundation
import OrdersStore
import ServiceLifecycle
import Synchronization

/// Runs reindexes in the background of a serving process (`POST /admin/reindex`), one at a
/// time, and keeps the latest progress, summary or error for `GET /admin/reindex`.
///
/// A `Service`: the reindex runs inside `run()`, so graceful shutdown stops it cleanly (the
/// unfinished generation gets its settings back, the lock is released for a resume).
package final class ReindexRunner: Service, Sendable {
    package struct Report: Sendable, Encodable {
        package var running: Bool
        package var progress: ReindexProgress?
        package var summary: ReindexSummary?
        package var error: String?
        /// The job as recorded in the state store (also one started by `orders reindex`).
        package var job: ReindexJob?
    }

    /// A reindex asked for while this process is starting one (not recorded yet, so there is no
    /// job to name as in `ReindexLockError`).
    package struct AlreadyStarting: Error, Sendable, CustomStringConvertible {
        package var description: String { "a reindex is starting in this process" }
    }

    private struct State: ~Copyable {
        var running = false
        var progress: ReindexProgress?
        var summary: ReindexSummary?
        var error: String?
        var finishWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let reindexer: Reindexer
    private let state = Mutex(State())
    private let requests: AsyncStream<Void>
    private let request: AsyncStream<Void>.Continuation

    package init(reindexer: Reindexer) {
        self.reindexer = reindexer
        (requests, request) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Runs the reindexes asked for until graceful shutdown.
    package func run() async throws {
        for await _ in requests.cancelOnGracefulShutdown() {
            let outcome: (summary: ReindexSummary?, error: String?)
            do {
                outcome = (try await reindexer.run { progress in self.state.withLock { $0.progress = progress } }, nil)
            } catch {
                outcome = (nil, "\(error)")
            }
            let waiters = state.withLock { state in
                state.running = false
                state.summary = outcome.summary
                state.error = outcome.error
                defer { state.finishWaiters = [] }
                return state.finishWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Starts a reindex (or resumes an interrupted one). Throws `ReindexLockError` when one is
    /// running here or in another process, `AlreadyStarting` while this process starts one whose
    /// job is not recorded yet.
    package func start() async throws -> Report {
        if let job = try await reindexer.state.reindexJobs.job(reindexer.readSide), state.withLock({ $0.running }) || reindexer.isHeld(job) {
            throw ReindexLockError(job: job, now: reindexer.wallClock.now())
        }
        let started = state.withLock { state -> Bool in
            guard !state.running else { return false }
            state = State(running: true, finishWaiters: state.finishWaiters)
            return true
        }
        guard started else { throw AlreadyStarting() }
        request.yield()
        return try await report()
    }

    package func report() async throws -> Report {
        let (running, progress, summary, error) = state.withLock { ($0.running, $0.progress, $0.summary, $0.error) }
        return Report(
            running: running, progress: progress, summary: summary, error: error, job: try await reindexer.state.reindexJobs.job(reindexer.readSide))
    }

    /// Waits for the reindex started here, if one runs (tests, shutdown).
    package func wait() async {
        await withCheckedContinuation { continuation in
            let running = state.withLock { state in
                if state.running { state.finishWaiters.append(continuation) }
                return state.running
            }
            if !running { continuation.resume() }
        }
    }
}
