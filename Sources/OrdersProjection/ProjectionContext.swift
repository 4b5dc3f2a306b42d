package import Logging
package import OrdersStore

/// What the projection's workers (the projector, the reindexer, dead-letter retries and the
/// document writer they share) work with: the log they read, the state they keep beside the
/// read side, the clocks they run on and the logger.
package struct ProjectionContext: Sendable {
    package var store: EventStore
    package var state: ProjectionDatabase
    /// Times retries, polls, readers' waits and heartbeats. Default `ContinuousClock()`.
    package var clock: any Clock<Duration>
    /// Dates dead letters, reindex heartbeats and the lag. Default the system's.
    package var wallClock: any WallClock
    package var logger: Logger

    package init(
        store: EventStore, state: ProjectionDatabase, clock: any Clock<Duration> = ContinuousClock(), wallClock: any WallClock = SystemWallClock(),
        logger: Logger
    ) {
        self.store = store
        self.state = state
        self.clock = clock
        self.wallClock = wallClock
        self.logger = logger
    }
}
