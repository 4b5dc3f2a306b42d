import Timing

/// Bounded retries with jittered exponential backoff (`Timing.Backoff`, the one formula every retry
/// loop uses): the delay before retry `n` (0-based) is uniform in the upper half of
/// `min(maximumDelay, baseDelay × 2^n)`, so clients that failed together do not retry together
/// and no retry comes sooner than half its ceiling.
public struct RetryPolicy: Sendable, Hashable {
    /// Retries after the first attempt. Default 3.
    public var maximumRetries: Int
    /// Default 100 ms.
    public var baseDelay: Duration
    /// Default 5 s.
    public var maximumDelay: Duration

    public init(maximumRetries: Int = 3, baseDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5)) {
        self.maximumRetries = maximumRetries
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    /// No retries.
    public static let none = RetryPolicy(maximumRetries: 0)

    /// The delay before retry `retry` (0 for the first retry).
    public func delay(beforeRetry retry: Int, using random: inout some RandomNumberGenerator) -> Duration {
        backoff.delay(retry, using: &random)
    }

    /// The upper bound of the delay before retry `retry`.
    public func ceiling(_ retry: Int) -> Duration { backoff.ceiling(retry) }

    private var backoff: Backoff { Backoff(baseDelay: baseDelay, maximumDelay: maximumDelay) }
}
