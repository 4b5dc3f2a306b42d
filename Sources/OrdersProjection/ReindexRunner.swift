import Foundation

/// Runs one reindex at a time in the background of a serving process (`POST /admin/reindex`)
/// and keeps its latest progress, summary or error for `GET /admin/reindex`.
public actor ReindexRunner {
    public struct Report: Sendable, Encodable {
        public var running: Bool
        public var progress: ReindexProgress?
        public var summary: ReindexSummary?
        public var error: String?
        /// The job as recorded in the state store (also one started by `orders reindex`).
        public var job: ProjectionStateStore.ReindexJob?
    }

    private let reindexer: Reindexer
    private var task: Task<Void, Never>?
    private var progress: ReindexProgress?
    private var summary: ReindexSummary?
    private var error: String?

    public init(reindexer: Reindexer) { self.reindexer = reindexer }

    /// Starts a reindex (or resumes an interrupted one). Throws `ReindexLockError` when one is
    /// running here or in another process.
    public func start() async throws -> Report {
        let now = Date()
        if let job = try await reindexer.state.reindexJob(reindexer.readSide),
            task != nil
                || now.timeIntervalSince(job.heartbeatAt) <= reindexer.options.staleAfter
        {
            throw ReindexLockError(job: job, now: now)
        }
        guard task == nil else { throw ReindexError(reason: "a reindex is starting in this process") }
        progress = nil
        summary = nil
        error = nil
        let reindexer = reindexer
        task = Task {
            do {
                let summary = try await reindexer.run { progress in Task { await self.record(progress) } }
                self.finish(summary: summary, error: nil)
            } catch {
                self.finish(summary: nil, error: "\(error)")
            }
        }
        return try await report()
    }

    public func report() async throws -> Report {
        Report(
            running: task != nil, progress: progress, summary: summary, error: error, job: try await reindexer.state.reindexJob(reindexer.readSide))
    }

    /// Waits for the running reindex, if any (tests, shutdown).
    public func wait() async { await task?.value }

    private func record(_ progress: ReindexProgress) { if task != nil { self.progress = progress } }

    private func finish(summary: ReindexSummary?, error: String?) {
        self.summary = summary
        self.error = error
        task = nil
    }
}
