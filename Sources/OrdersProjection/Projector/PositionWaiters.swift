import Synchronization

/// Readers waiting until a position is visible to searches (read-your-writes). The projector
/// raises the visible position; a writer asks whether anyone waits (then it asks the index to
/// make its write visible). A lock, not an actor: the writer asks without a hop.
final class PositionWaiters: Sendable {
    private struct Waiter {
        var position: Int64
        var continuation: CheckedContinuation<Bool, Never>
    }

    private struct State: ~Copyable {
        var visible: Int64 = 0
        var nextID = 0
        var waiters: [Int: Waiter] = [:]
        /// Waits started but not yet registered, and those of them cancelled meanwhile.
        var registering: Set<Int> = []
        var cancelled: Set<Int> = []
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
            for id in ready.keys { state.waiters.removeValue(forKey: id) }
            return ready.values.map(\.continuation)
        }
        for continuation in answered { continuation.resume(returning: true) }
    }

    /// Waits until `position` is visible, or `timeout` passed on `clock`; true if it is.
    func wait(for position: Int64, timeout: Duration, on clock: any Clock<Duration>) async -> Bool {
        if visible >= position { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.wait(for: position) }
            group.addTask {
                try? await clock.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Waits until `position` is visible; false when cancelled first.
    private func wait(for position: Int64) async -> Bool {
        let id = state.withLock { state in
            state.nextID += 1
            state.registering.insert(state.nextID)
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answer = state.withLock { state -> Bool? in
                    state.registering.remove(id)
                    if state.cancelled.remove(id) != nil { return false }
                    if state.visible >= position { return true }
                    state.waiters[id] = Waiter(position: position, continuation: continuation)
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                if state.registering.contains(id) { state.cancelled.insert(id) }
                return nil
            }
            waiter?.continuation.resume(returning: false)
        }
    }
}
