/// Bounded retries with "full jitter" exponential backoff: the delay before retry `n` (0-based)
/// is uniform in `0 ... min(maximumDelay, baseDelay × 2^n)`, so clients that failed together do
/// not retry together.
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
        let cap = ceiling(retry)
        let nanoseconds = cap.components.seconds * 1_000_000_000 + cap.components.attoseconds / 1_000_000_000
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &random))
    }

    /// The upper bound of the delay before retry `retry`.
    public func ceiling(_ retry: Int) -> Duration {
        var ceiling = baseDelay
        for _ in 0..<min(retry, 30) {
            ceiling *= 2
            if ceiling >= maximumDelay { return maximumDelay }
        }
        return min(ceiling, maximumDelay)
    }
}
