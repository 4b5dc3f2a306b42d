import NIOCore
import OrdersAPI
import Testing

/// The header deadline as a state machine: when it starts, what stops it, and that bytes
/// trickling in do not move it.
@Suite struct RequestHeadTimerTests {
    static func at(_ milliseconds: Int64) -> NIODeadline { .uptimeNanoseconds(UInt64(1_000_000_000 + milliseconds * 1_000_000)) }

    @Test func aConnectionThatSendsNothingIsClosedAtTheDeadline() {
        let timer = RequestHeadTimer(timeout: .milliseconds(500), openedAt: Self.at(0))
        #expect(timer.initialAction == .schedule(Self.at(500)))
        #expect(timer.timerFired(at: Self.at(499)) == .schedule(Self.at(500)), "early: wait on")
        #expect(timer.timerFired(at: Self.at(500)) == .close)
    }

    @Test func bytesTricklingInDoNotMoveTheDeadline() {
        var timer = RequestHeadTimer(timeout: .milliseconds(500), openedAt: Self.at(0))
        for millisecond in stride(from: Int64(100), through: 400, by: 100) {
            #expect(timer.bytesReceived(at: Self.at(millisecond)) == .none)
        }
        #expect(timer.timerFired(at: Self.at(500)) == .close)
    }

    @Test func aHeadStopsTheClockAndTheNextRequestsFirstByteStartsIt() {
        // Given a connection whose first request's head has arrived
        var timer = RequestHeadTimer(timeout: .milliseconds(500), openedAt: Self.at(0))
        #expect(timer.headReceived() == .cancel)
        #expect(timer.timerFired(at: Self.at(10_000)) == .none, "a handler may take its time")
        // When the response is written and the connection idles (Hummingbird's idle timeout's
        // business), nothing is due
        #expect(timer.responseEnded() == .none)
        #expect(timer.state == .idle)
        #expect(timer.timerFired(at: Self.at(20_000)) == .none)
        // Then the next request's first bytes start a new deadline, which later bytes keep
        #expect(timer.bytesReceived(at: Self.at(30_000)) == .schedule(Self.at(30_500)))
        #expect(timer.bytesReceived(at: Self.at(30_400)) == .none)
        #expect(timer.timerFired(at: Self.at(30_500)) == .close)
    }

    @Test func pipelinedRequestsAreServedBeforeTheConnectionIdles() {
        var timer = RequestHeadTimer(timeout: .milliseconds(500), openedAt: Self.at(0))
        _ = timer.headReceived()
        #expect(timer.headReceived() == .none)
        #expect(timer.responseEnded() == .none)
        #expect(timer.state == .serving(requests: 1))
        #expect(timer.bytesReceived(at: Self.at(100)) == .none, "a body or a pipelined request: no deadline while serving")
        _ = timer.responseEnded()
        #expect(timer.state == .idle)
    }
}
