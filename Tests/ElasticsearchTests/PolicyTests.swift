import Testing

@testable import Elasticsearch

@Suite struct PolicyTests {
    @Test func retryDelaysAreJitteredInTheUpperHalfOfAnExponentialCeiling() {
        let policy = RetryPolicy(maximumRetries: 5, baseDelay: .milliseconds(100), maximumDelay: .seconds(1))
        #expect(policy.ceiling(0) == .milliseconds(100))
        #expect(policy.ceiling(1) == .milliseconds(200))
        #expect(policy.ceiling(3) == .milliseconds(800))
        #expect(policy.ceiling(4) == .seconds(1), "capped")
        #expect(policy.ceiling(40) == .seconds(1))
        var random = SystemRandomNumberGenerator()
        let delays = (0..<200).map { _ in policy.delay(beforeRetry: 2, using: &random) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .milliseconds(400) })
        #expect(delays.allSatisfy { $0 >= .milliseconds(200) }, "never sooner than half the ceiling")
        #expect(Set(delays).count > 100, "jittered, not fixed")
        #expect(RetryPolicy(baseDelay: .zero).delay(beforeRetry: 3, using: &random) == .zero)
    }

    @Test func nodesAreUsedRoundRobinAndAFailedOneIsSetAside() {
        var pool = NodePool(count: 3, baseDelay: .seconds(1))
        let now = ContinuousClock.now
        #expect((0..<6).map { _ in pool.next(now: now) } == [0, 1, 2, 0, 1, 2])
        pool.markFailed(1, now: now)
        #expect((0..<4).map { _ in pool.next(now: now) } == [0, 2, 0, 2])
        // Due again after its delay.
        #expect((0..<3).map { _ in pool.next(now: now + .milliseconds(1001)) }.contains(1))
    }

    @Test func aNodeFailingAgainIsSetAsideLonger() {
        var pool = NodePool(count: 2, baseDelay: .seconds(1))
        let now = ContinuousClock.now
        pool.markFailed(0, now: now)
        pool.markFailed(0, now: now)
        pool.markFailed(0, now: now)
        #expect(pool.dead[0]?.until == now + .seconds(4))
        pool.markAlive(0)
        #expect(pool.dead[0] == nil)
    }

    @Test func whenEveryNodeIsDownTheOneDueSoonestIsTried() {
        var pool = NodePool(count: 2, baseDelay: .seconds(1))
        let now = ContinuousClock.now
        pool.markFailed(0, now: now)
        pool.markFailed(0, now: now)
        pool.markFailed(1, now: now)
        #expect(pool.next(now: now) == 1)
    }
}
