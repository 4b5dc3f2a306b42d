import NIOCore
import OrdersAPI
import OrdersStore
import TestClocks
import Testing
import Timing

/// The rate limiter's buckets on the test clock: bursts, refills, Retry-After, eviction.
@Suite struct TokenBucketsTests {
    /// The time the buckets are asked at: the test clock's.
    static func take(_ buckets: inout TokenBuckets, _ caller: String, _ clock: ManualClock) -> TokenBuckets.Decision {
        buckets.take(for: caller, at: clock.now.offset)
    }

    /// Whether `decision` refuses for `wait` (to the microsecond: tokens are fractional).
    static func refused(_ decision: TokenBuckets.Decision, for wait: Duration) -> Bool {
        guard case .refuse(let retryAfter) = decision else { return false }
        return Self.close(retryAfter, wait)
    }

    /// Whether two durations are within a microsecond of each other.
    static func close(_ a: Duration, _ b: Duration) -> Bool {
        a - b < .microseconds(1) && b - a < .microseconds(1)
    }

    @Test func aBurstPassesThenTheCallerWaitsForTheNextToken() {
        // Given 10 requests a second in bursts of 5
        let clock = ManualClock()
        var buckets = TokenBuckets(limit: RateLimit(requestsPerSecond: 10, burst: 5))
        // When a caller sends 6 at once
        let decisions = (0..<6).map { _ in Self.take(&buckets, "api_key:shop", clock) }
        // Then 5 pass and the 6th may retry when a token is back, in 100 ms (Retry-After: 1)
        #expect(decisions.prefix(5).allSatisfy { $0 == .allow })
        #expect(Self.refused(decisions[5], for: .milliseconds(100)))
        #expect(Duration.milliseconds(100).retryAfterSeconds == 1)
    }

    @Test func tokensComeBackAtTheRateUpToTheBurst() {
        let clock = ManualClock()
        var buckets = TokenBuckets(limit: RateLimit(requestsPerSecond: 10, burst: 5))
        for _ in 0..<5 { #expect(Self.take(&buckets, "a", clock) == .allow) }
        // 250 ms bring 2.5 tokens: two requests pass, the third waits for the missing half.
        clock.advance(by: .milliseconds(250))
        #expect(Self.take(&buckets, "a", clock) == .allow)
        #expect(Self.take(&buckets, "a", clock) == .allow)
        #expect(Self.refused(Self.take(&buckets, "a", clock), for: .milliseconds(50)))
        // An hour idle refills the bucket to the burst, not beyond.
        clock.advance(by: .seconds(3600))
        let afterIdle = (0..<6).map { _ in Self.take(&buckets, "a", clock) }
        #expect(afterIdle.filter { $0 == .allow }.count == 5)
    }

    @Test func retryAfterIsInWholeSecondsRoundedUp() {
        let clock = ManualClock()
        var buckets = TokenBuckets(limit: RateLimit(requestsPerSecond: 0.4, burst: 1))
        #expect(Self.take(&buckets, "a", clock) == .allow)
        // A token every 2.5 s: Retry-After 3, and 1 once 2 s have passed.
        guard case .refuse(let wait) = Self.take(&buckets, "a", clock) else {
            Issue.record("not refused")
            return
        }
        #expect(Self.close(wait, .milliseconds(2500)) && wait.retryAfterSeconds == 3)
        clock.advance(by: .seconds(2))
        guard case .refuse(let rest) = Self.take(&buckets, "a", clock) else {
            Issue.record("not refused")
            return
        }
        #expect(rest.retryAfterSeconds == 1)
        #expect(Duration.seconds(1).retryAfterSeconds == 1)
        #expect((Duration.seconds(1) + .nanoseconds(1)).retryAfterSeconds == 2)
    }

    @Test func oneCallersBurstLeavesOthersAlone() {
        let clock = ManualClock()
        var buckets = TokenBuckets(limit: RateLimit(requestsPerSecond: 1, burst: 2))
        for _ in 0..<3 { _ = Self.take(&buckets, "api_key:greedy", clock) }
        #expect(Self.take(&buckets, "api_key:greedy", clock) != .allow)
        #expect(Self.take(&buckets, "api_key:other", clock) == .allow)
        #expect(Self.take(&buckets, "ip:203.0.113.7", clock) == .allow)
    }

    @Test func refilledBucketsAreDroppedAndTheirNumberIsBounded() {
        // Given at most 100 callers tracked, each bucket refilling in 2 s
        let clock = ManualClock()
        var buckets = TokenBuckets(limit: RateLimit(requestsPerSecond: 1, burst: 2, maximumCallers: 100))
        // When 1,000 callers come at once
        var most = 0
        for caller in 0..<1000 {
            #expect(Self.take(&buckets, "ip:10.0.\(caller / 256).\(caller % 256)", clock) == .allow)
            most = max(most, buckets.count)
        }
        // Then no more than 100 are held
        #expect(most <= 100)
        // And once their buckets have refilled, the next caller finds only its own
        clock.advance(by: .seconds(2))
        #expect(Self.take(&buckets, "api_key:late", clock) == .allow)
        #expect(buckets.count == 1)
    }

    @Test func onlyRefilledBucketsAreDropped() {
        // A caller that used its tokens keeps its bucket until it has refilled: eviction never
        // hands it a new burst early.
        let clock = ManualClock()
        var buckets = TokenBuckets(limit: RateLimit(requestsPerSecond: 1, burst: 2))
        _ = Self.take(&buckets, "x", clock)
        clock.advance(by: .seconds(1))
        _ = Self.take(&buckets, "a", clock)
        _ = Self.take(&buckets, "a", clock)
        // Two seconds in, the buckets are swept: x's has refilled, a's holds one token of two.
        clock.advance(by: .seconds(1))
        #expect(Self.take(&buckets, "b", clock) == .allow)
        #expect(buckets.count == 2, "a and b")
        #expect(Self.take(&buckets, "a", clock) == .allow)
        #expect(Self.refused(Self.take(&buckets, "a", clock), for: .seconds(1)))
    }

    @Test func zeroTurnsRateLimitsOff() {
        let clock = ManualClock()
        var buckets = TokenBuckets(limit: .off)
        #expect((0..<10_000).allSatisfy { _ in Self.take(&buckets, "a", clock) == .allow })
        #expect(buckets.count == 0)
    }

    @Test func aCallerIsItsIdentityOrElseItsAddress() throws {
        let address = try SocketAddress(ipAddress: "203.0.113.7", port: 50_000)
        let key = Identity(kind: .apiKey, name: "storefront", role: .writer)
        #expect(RateLimiter.caller(identity: key, remoteAddress: address) == "api_key:storefront")
        #expect(RateLimiter.caller(identity: Identity(kind: .jwt, name: "storefront", role: .reader), remoteAddress: address) == "jwt:storefront")
        #expect(RateLimiter.caller(identity: .anonymous, remoteAddress: address) == "ip:203.0.113.7")
        #expect(RateLimiter.caller(identity: nil, remoteAddress: address) == "ip:203.0.113.7")
        #expect(RateLimiter.caller(identity: nil, remoteAddress: nil) == "anonymous")
    }
}
