/// How many requests one caller may make: a token bucket per caller (an authenticated identity,
/// else the client's IP address). Every property has a documented default.
package struct RateLimit: Sendable, Equatable {
    /// Tokens added to a caller's bucket per second: the sustained rate. 0 turns rate limiting
    /// off. Default 100 (`--rate-limit`).
    package var requestsPerSecond: Double
    /// The bucket's size: how many requests a caller who was idle may make at once. Default 200
    /// (`--rate-limit-burst`).
    package var burst: Int
    /// The most callers tracked at once (memory bound). Buckets that have refilled are dropped
    /// first (they are the same as a new one); beyond this many, the fullest go. Default 100,000.
    package var maximumCallers: Int

    package init(requestsPerSecond: Double = 100, burst: Int = 200, maximumCallers: Int = 100_000) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.maximumCallers = maximumCallers
    }

    /// No rate limit.
    package static let off = RateLimit(requestsPerSecond: 0)

    /// Whether requests are limited at all.
    package var isOn: Bool { requestsPerSecond > 0 && burst > 0 }
}
