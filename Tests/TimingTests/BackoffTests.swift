import Testing
import Timing

@Suite struct BackoffTests {
    @Test func ceilingsDoubleUpToTheMaximum() {
        let backoff = Backoff(baseDelay: .milliseconds(100), maximumDelay: .seconds(1))
        #expect(backoff.ceiling(0) == .milliseconds(100))
        #expect(backoff.ceiling(1) == .milliseconds(200))
        #expect(backoff.ceiling(3) == .milliseconds(800))
        #expect(backoff.ceiling(4) == .seconds(1), "capped")
        #expect(backoff.ceiling(40) == .seconds(1))
        #expect(backoff.ceiling(Int.max) == .seconds(1))
        #expect(backoff.ceiling(-3) == .milliseconds(100))
    }

    @Test func delaysDoubleUpToTheMaximumWithJitterInTheUpperHalf() {
        let backoff = Backoff(baseDelay: .milliseconds(100), maximumDelay: .seconds(2))
        var random = SystemRandomNumberGenerator()
        var thirds: Set<Duration> = []
        for _ in 0..<200 {
            let first = backoff.delay(0, using: &random)
            #expect(first >= .milliseconds(50) && first <= .milliseconds(100))
            let third = backoff.delay(2, using: &random)
            #expect(third >= .milliseconds(200) && third <= .milliseconds(400))
            thirds.insert(third)
            let capped = backoff.delay(1000, using: &random)
            #expect(capped >= .seconds(1) && capped <= .seconds(2))
        }
        #expect(thirds.count > 100, "jittered, not fixed")
    }

    @Test func aZeroDelayStaysZero() {
        #expect(Backoff(baseDelay: .zero, maximumDelay: .zero).delay(3) == .zero)
    }

    @Test func durationsConvertWithoutOverflow() {
        #expect(Duration.milliseconds(1500).inMilliseconds == 1500)
        #expect(Duration.seconds(2).inNanoseconds == 2_000_000_000)
        #expect(Duration.seconds(Int64.max).inNanoseconds == .max)
        #expect(Duration.milliseconds(250).inSeconds == 0.25)
    }
}
