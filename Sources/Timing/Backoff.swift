/// Jittered exponential backoff: the one formula every retry loop uses (the Elasticsearch
/// transport, the bulk item retries, the projector, the document writer and the reindex).
///
/// The delay after `attempt` failures (0-based) is uniform in the upper half of
/// `min(maximumDelay, baseDelay × 2^attempt)`: clients that failed together do not retry
/// together, and no retry comes sooner than half the ceiling ("equal jitter").
package struct Backoff: Sendable, Hashable {
    /// The ceiling of the first delay. Default 100 ms.
    package var baseDelay: Duration
    /// Ceilings double up to this. Default 10 s.
    package var maximumDelay: Duration

    package init(baseDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(10)) {
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    /// The upper bound of the delay after `attempt` failures.
    package func ceiling(_ attempt: Int) -> Duration {
        var ceiling = min(baseDelay, maximumDelay)
        for _ in 0..<min(max(attempt, 0), 62) {
            ceiling *= 2
            if ceiling >= maximumDelay { return maximumDelay }
        }
        return ceiling
    }

    /// A delay in the upper half of `ceiling(attempt)`.
    package func delay(_ attempt: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let nanoseconds = ceiling(attempt).inNanoseconds
        guard nanoseconds > 1 else { return .nanoseconds(max(nanoseconds, 0)) }
        return .nanoseconds(Int64.random(in: nanoseconds / 2...nanoseconds, using: &random))
    }

    /// A delay in the upper half of `ceiling(attempt)`, from the system's generator.
    package func delay(_ attempt: Int) -> Duration {
        var random = SystemRandomNumberGenerator()
        return delay(attempt, using: &random)
    }
}

extension Duration {
    /// Whole nanoseconds (saturating).
    package var inNanoseconds: Int64 {
        let (seconds, overflow) = components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, overflowAgain) = seconds.addingReportingOverflow(components.attoseconds / 1_000_000_000)
        guard !overflow, !overflowAgain else { return components.seconds < 0 ? .min : .max }
        return total
    }

    /// Whole milliseconds (truncated).
    package var inMilliseconds: Int64 { inNanoseconds / 1_000_000 }

    /// Seconds as a floating-point number (for logs and rates).
    package var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// Whole seconds rounded up, at least 1: what a `Retry-After` header says.
    package var retryAfterSeconds: Int64 {
        let (seconds, attoseconds) = components
        return max(1, attoseconds > 0 ? seconds + 1 : seconds)
    }
}

extension Clock where Duration == Swift.Duration {
    /// A function that tells the time elapsed on this clock since the stopwatch was made (for
    /// rates and durations in reports; works on `any Clock<Duration>`).
    package func stopwatch() -> @Sendable () -> Duration {
        let start = now
        return { start.duration(to: self.now) }
    }
}
