public import Timing

/// How the projector batches, retries and polls. Every property has a documented default.
public struct ProjectorConfiguration: Sendable {
    /// At most this many events per batch. Default 1,000.
    public var batchEvents: Int
    /// A batch stops growing past this many payload bytes. Default 4 MiB.
    public var batchBytes: Int
    /// Delays between retries of documents the index could not take now, and between attempts
    /// while the read side is unreachable. Default 100 ms doubling up to 10 s.
    public var retry: Backoff
    /// The checkpoint's name (one per read side). Default "orders".
    public var checkpointName: String
    /// How often a running projector looks for events written by other processes (it hears of
    /// this process's own commits at once). Default 1 s.
    public var pollInterval: Duration

    public init(
        batchEvents: Int = 1000, batchBytes: Int = 4 << 20, retry: Backoff = Backoff(baseDelay: .milliseconds(100), maximumDelay: .seconds(10)),
        checkpointName: String = "orders", pollInterval: Duration = .seconds(1)
    ) {
        self.batchEvents = batchEvents
        self.batchBytes = batchBytes
        self.retry = retry
        self.checkpointName = checkpointName
        self.pollInterval = pollInterval
    }
}
