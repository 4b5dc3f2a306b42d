import Synchronization

/// A one-shot rendezvous between a caller awaiting an append and the writer that completes it.
/// Whichever comes first (the result or the waiter) is parked; the other picks it up.
final class AppendTicket: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<Result<AppendResult, EventStoreError>, Never>)
        case done(Result<AppendResult, EventStoreError>)
    }

    private let state = Mutex<State>(.empty)

    func complete(_ result: Result<AppendResult, EventStoreError>) {
        let waiter = state.withLock { state -> CheckedContinuation<Result<AppendResult, EventStoreError>, Never>? in
            guard case .waiting(let continuation) = state else {
                state = .done(result)
                return nil
            }
            state = .done(result)
            return continuation
        }
        waiter?.resume(returning: result)
    }

    func result() async -> Result<AppendResult, EventStoreError> {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Result<AppendResult, EventStoreError>? in
                if case .done(let result) = state { return result }
                state = .waiting(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
