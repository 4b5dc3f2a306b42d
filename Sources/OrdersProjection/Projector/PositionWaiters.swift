import Synchronization

/// Readers waiting until a position is visible to searches (read-your-writes). The projector
/// raises the visible position; a writer asks whether anyone waits (then it asks the index to
/// make its write visible). A lock, not an actor: the writer asks without a hop.
final class PositionWaiters: Sendable {
    /// A reader, from the moment it entered: its continuation comes once it awaits.
    private struct Waiter {
        var position: Int64
        var continuation: CheckedContinuation<Bool, Never>?
    }

    /// A reader's place, taken before it awaits anything.
    struct Ticket: Sendable {
        fileprivate let id: Int
        fileprivate let position: Int64
    }

    private struct State: ~Copyable {
        var visible: Int64 = 0
        var nextID = 0
        var waiters: [Int: Waiter] = [:]
        /// Readers answered (or cancelled) before they awaited: their answer, kept for them.
        var answered: [Int: Bool] = [:]
    }

    private let state = Mutex(State())

    /// The position searches are known to see.
    var visible: Int64 { state.withLock { $0.visible } }

    /// Whether a reader waits.
    var isEmpty: Bool { state.withLock { $0.waiters.isEmpty } }

    /// Whether a reader waits for `position` or an earlier one.
    func anyWaiting(atOrBelow position: Int64) -> Bool {
        state.withLock { state in state.waiters.values.contains { $0.position <= position } }
    }

    /// Raises the visible position (never lowers it) and answers the readers it satisfies.
    func markVisible(through position: Int64) {
        let answered = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.visible = max(state.visible, position)
            let visible = state.visible
            let ready = state.waiters.filter { $0.value.position <= visible }
            var continuations: [CheckedContinuation<Bool, Never>] = []
            for (id, waiter) in ready {
                state.waiters.removeValue(forKey: id)
                if let continuation = waiter.continuation { continuations.append(continuation) } else { state.answered[id] = true }
            }
            return continuations
        }
        for continuation in answered { continuation.resume(returning: true) }
    }

    /// Takes a reader's place for `position`, at once: from here on `anyWaiting` counts it. The
    /// projector calls this on its actor, so a batch acknowledged after the call sees the
    /// reader, however late the reader's task gets to await (``wait(_:timeout:on:)``, which
    /// must follow).
    func enter(for position: Int64) -> Ticket {
        state.withLock { state in
            state.nextID += 1
            state.waiters[state.nextID] = Waiter(position: position)
            return Ticket(id: state.nextID, position: position)
        }
    }

    /// Waits until the ticket's position is visible, or `timeout` passed on `clock`; true if it is.
    func wait(_ ticket: Ticket, timeout: Duration, on clock: any Clock<Duration>) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.wait(ticket) }
            group.addTask {
                try? await clock.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Waits until the ticket's position is visible; false when cancelled first.
    private func wait(_ ticket: Ticket) async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answer = state.withLock { state -> Bool? in
                    if let answer = state.answered.removeValue(forKey: ticket.id) { return answer }
                    if state.visible >= ticket.position {
                        state.waiters.removeValue(forKey: ticket.id)
                        return true
                    }
                    state.waiters[ticket.id]?.continuation = continuation
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let waiter = state.waiters.removeValue(forKey: ticket.id) else { return nil }
                if waiter.continuation == nil { state.answered[ticket.id] = false }
                return waiter
            }
            waiter?.continuation?.resume(returning: false)
        }
    }
}
