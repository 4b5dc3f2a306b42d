package import CoreMetrics
package import Timing

/// How the projector batches, retries and polls. Every property has a documented default.
package struct ProjectorConfiguration: Sendable {
    /// At most this many events per batch. Default 1,000.
    package var batchEvents: Int
    /// A batch stops growing past this many payload bytes. Default 4 MiB.
    package var batchBytes: Int
    /// A batch that reaches more orders than this (a popular product renamed reaches every
    /// order holding it) is folded and written in parts of this many orders, so that memory
    /// does not grow with the orders one event reaches. Default 1,000.
    package var ordersPerWrite: Int
    /// A batch with a rename (or email change) grows up to this many events: every order of
    /// the customer or product is folded again once for all the renames among them, not once
    /// for each batch. Default 20,000.
    package var eventsPerRenameBatch: Int
    /// Delays between retries of documents the index could not take now, and between attempts
    /// while the read side is unreachable. Default 100 ms doubling up to 10 s.
    package var retry: Backoff
    /// The checkpoint's name (one per read side). Default "orders".
    package var checkpointName: String
    /// How often a running projector looks for events written by other processes (it hears of
    /// this process's own commits at once). Default 1 s.
    package var pollInterval: Duration
    /// Where the projector's gauges and counters go. Default the process's (`MetricsSystem`).
    package var metrics: any MetricsFactory

    package init(
        batchEvents: Int = 1000, batchBytes: Int = 4 << 20, ordersPerWrite: Int = 1000, eventsPerRenameBatch: Int = 20_000,
        retry: Backoff = Backoff(baseDelay: .milliseconds(100), maximumDelay: .seconds(10)),
        checkpointName: String = "orders", pollInterval: Duration = .seconds(1), metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        self.metrics = metrics
        self.batchEvents = batchEvents
        self.batchBytes = batchBytes
        self.ordersPerWrite = ordersPerWrite
        self.eventsPerRenameBatch = eventsPerRenameBatch
        self.retry = retry
        self.checkpointName = checkpointName
        self.pollInterval = pollInterval
    }
}
