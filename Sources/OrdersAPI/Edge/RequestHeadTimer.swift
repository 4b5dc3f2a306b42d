package import NIOCore

/// When a connection must have delivered a request's head (request line and headers), as a pure
/// state machine: the handler reports what happens with the time and does what it is told.
///
/// The clock starts when the connection opens, and on a kept-alive connection when the first
/// bytes of the next request arrive; it stops when the head has been read. It is a deadline for
/// the whole head, not a gap between bytes: a client that sends a byte every second is dropped
/// as surely as one that sends nothing. Between requests the connection is idle, which
/// Hummingbird's idle timeout bounds.
package struct RequestHeadTimer: Sendable {
    package enum State: Sendable, Equatable {
        /// Bytes of a request may be on their way; its head must be read by `deadline`.
        case awaitingHead(deadline: NIODeadline)
        /// Requests read whose responses are not all written yet.
        case serving(requests: Int)
        /// Every response written; no byte of another request yet.
        case idle
    }

    package enum Action: Sendable, Equatable {
        case schedule(NIODeadline)
        case cancel
        case close
        case none
    }

    package let timeout: TimeAmount
    package private(set) var state: State

    /// A connection opened at `now`.
    package init(timeout: TimeAmount, openedAt now: NIODeadline) {
        self.timeout = timeout
        state = .awaitingHead(deadline: now + timeout)
    }

    /// The timer the connection starts with.
    package var initialAction: Action {
        if case .awaitingHead(let deadline) = state { return .schedule(deadline) }
        return .none
    }

    /// Bytes arrived at `now` (before they are decoded).
    package mutating func bytesReceived(at now: NIODeadline) -> Action {
        // While serving, bytes are a body or the next request: pipelined heads that arrive
        // then, and any partial head left when the response ends, are bounded by the idle
        // timeout instead (the bytes cannot tell which they are).
        guard state == .idle else { return .none }
        state = .awaitingHead(deadline: now + timeout)
        return .schedule(now + timeout)
    }

    /// A request's head was decoded.
    package mutating func headReceived() -> Action {
        switch state {
        case .awaitingHead, .idle:
            state = .serving(requests: 1)
            return .cancel
        case .serving(let requests):
            state = .serving(requests: requests + 1)
            return .none
        }
    }

    /// A response's end was written.
    package mutating func responseEnded() -> Action {
        guard case .serving(let requests) = state else { return .none }
        state = requests > 1 ? .serving(requests: requests - 1) : .idle
        return .none
    }

    /// A scheduled timer fired at `now`.
    package func timerFired(at now: NIODeadline) -> Action {
        guard case .awaitingHead(let deadline) = state else { return .none }
        return now >= deadline ? .close : .schedule(deadline)
    }
}
