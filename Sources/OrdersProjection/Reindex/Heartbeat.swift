import OrdersStore

/// Saves a reindex job now and then so that a second attempt sees it alive; saving progress
/// counts as a beat.
actor Heartbeat {
    let jobs: ReindexJobs
    let wallClock: any WallClock
    private(set) var job: ReindexJob

    init(jobs: ReindexJobs, job: ReindexJob, wallClock: any WallClock) {
        self.jobs = jobs
        self.job = job
        self.wallClock = wallClock
    }

    /// Records the job's progress (and a beat).
    func save(_ job: ReindexJob) async throws {
        self.job = job
        try await beat()
    }

    /// Beats every `interval` on `clock` until cancelled. A beat that fails is left to the next
    /// save, which throws (the lock was lost, or the state file is unreachable).
    func beat(every interval: Duration, on clock: any Clock<Duration>) async {
        while true {
            do { try await clock.sleep(for: interval) } catch { return }
            try? await beat()
        }
    }

    private func beat() async throws {
        let now = wallClock.now()
        job.heartbeatAt = now
        try await jobs.update(job, now: now)
    }
}
