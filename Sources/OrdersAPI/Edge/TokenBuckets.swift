import Timing

/// The token buckets of every caller, as a pure state machine: the caller asks with the time
/// (a `Duration` since a fixed start, on whichever clock drives it) and gets a decision back.
///
/// Each bucket holds up to `burst` tokens and gains `requestsPerSecond` a second; a request takes
/// one. A bucket that has refilled is the same as no bucket, so it is dropped: memory holds only
/// callers seen within the last `burst / requestsPerSecond` seconds (at most `maximumCallers`).
package struct TokenBuckets: Sendable {
    package enum Decision: Sendable, Equatable {
        case allow
        /// Refused: a token is back after `retryAfter`.
        case refuse(retryAfter: Duration)
    }

    struct Bucket: Sendable {
        var tokens: Double
        var updated: Duration
    }

    package let limit: RateLimit
    private var buckets: [String: Bucket] = [:]
    /// When refilled buckets are next dropped.
    private var nextSweep: Duration = .zero

    package init(limit: RateLimit) {
        self.limit = limit
    }

    /// How many callers have a bucket now.
    package var count: Int { buckets.count }

    /// Takes a token from `caller`'s bucket at `now`, if it has one.
    package mutating func take(for caller: String, at now: Duration) -> Decision {
        guard limit.isOn else { return .allow }
        if now >= nextSweep || buckets.count >= limit.maximumCallers { sweep(at: now) }
        var bucket = buckets[caller].map { refilled($0, at: now) } ?? Bucket(tokens: Double(limit.burst), updated: now)
        defer { buckets[caller] = bucket }
        guard bucket.tokens < 1 else {
            bucket.tokens -= 1
            return .allow
        }
        return .refuse(retryAfter: .seconds((1 - bucket.tokens) / limit.requestsPerSecond))
    }

    private func refilled(_ bucket: Bucket, at now: Duration) -> Bucket {
        let elapsed = max(.zero, now - bucket.updated)
        let tokens = bucket.tokens + elapsed.inSeconds * limit.requestsPerSecond
        return Bucket(tokens: min(Double(limit.burst), tokens), updated: max(now, bucket.updated))
    }

    /// Drops the buckets that have refilled; if that leaves too many, the fullest of the rest,
    /// down to nine tenths of the bound (so that the next caller does not sort them all again).
    private mutating func sweep(at now: Duration) {
        let full = Double(limit.burst)
        buckets = buckets.filter { refilled($0.value, at: now).tokens < full }
        if buckets.count >= limit.maximumCallers {
            let keep = limit.maximumCallers * 9 / 10
            let fullest = buckets.map { ($0.key, refilled($0.value, at: now).tokens) }.sorted { $0.1 > $1.1 }
            for (caller, _) in fullest.prefix(buckets.count - keep) { buckets[caller] = nil }
        }
        nextSweep = now + .seconds(full / limit.requestsPerSecond)
    }
}
