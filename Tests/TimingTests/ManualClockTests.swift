import TestClocks
import Testing

@Suite struct ManualClockTests {
    @Test func aSleeperWakesOnlyWhenTimeReachesItsDeadline() async throws {
        let clock = ManualClock()
        let woke = Task { try await clock.sleep(for: .seconds(10)) }
        await clock.sleepers(atLeast: 1)
        clock.advance(by: .seconds(9))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        try await woke.value
        #expect(clock.sleeperCount == 0)
        #expect(clock.now.offset == .seconds(10))
    }

    @Test func aCancelledSleepThrowsAndLeavesNoSleeper() async {
        let clock = ManualClock()
        let sleeping = Task { try await clock.sleep(for: .seconds(60)) }
        await clock.sleepers(atLeast: 1)
        sleeping.cancel()
        await #expect(throws: CancellationError.self) { try await sleeping.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func aDeadlineInThePastReturnsAtOnce() async throws {
        let clock = ManualClock()
        clock.advance(by: .seconds(5))
        try await clock.sleep(until: .init(offset: .seconds(1)))
        #expect(clock.sleepsStarted == 1)
    }

    @Test func advancingToTheNextDeadlineWakesTheEarliestSleeper() async throws {
        let clock = ManualClock()
        let early = Task { try await clock.sleep(for: .seconds(2)) }
        let late = Task { try await clock.sleep(for: .seconds(5)) }
        await clock.sleepers(atLeast: 2)
        #expect(clock.advanceToNextDeadline())
        try await early.value
        #expect(clock.sleeperCount == 1)
        #expect(clock.now.offset == .seconds(2))
        late.cancel()
        _ = try? await late.value
        #expect(!clock.advanceToNextDeadline())
    }
}
