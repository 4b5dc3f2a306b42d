import Synchronization

/// A clock that moves only when a test advances it, so that code that sleeps (retries, backoff,
/// heartbeats, waits with a deadline) runs without waiting on real time.
///
/// Tests learn that the code under test has reached a sleep with `sleepers(atLeast:)` before
/// they advance, so no test depends on how fast the machine is.
package final class ManualClock: Clock, Sendable {
    package struct Instant: InstantProtocol, CustomStringConvertible {
        /// Time since the clock was made.
        package var offset: Duration

        package init(offset: Duration) { self.offset = offset }
        package func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        package func duration(to other: Instant) -> Duration { other.offset - offset }
        package static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        package var description: String { "t+\(offset)" }
    }

    private struct Sleeper {
        var id: Int
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State: ~Copyable {
        var now = Instant(offset: .zero)
        var nextID = 0
        var sleepers: [Sleeper] = []
        /// Sleeps cancelled before their continuation was stored.
        var cancelled: Set<Int> = []
        /// Tests waiting for a number of sleepers, and those of them cancelled before they waited.
        var watchers: [(id: Int, count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var cancelledWatchers: Set<Int> = []
        /// Every sleep ever started (to tell one round of sleeping from the next).
        var sleepsStarted = 0
    }

    private let state = Mutex(State())

    package init() {}

    package var now: Instant { state.withLock { $0.now } }
    package var minimumResolution: Duration { .zero }

    /// How many tasks sleep on this clock now.
    package var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// How many sleeps have started since the clock was made.
    package var sleepsStarted: Int { state.withLock { $0.sleepsStarted } }

    package func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Start { case wake, cancel, sleep([CheckedContinuation<Void, Never>]) }
                let start = state.withLock { state -> Start in
                    if state.cancelled.remove(id) != nil { return .cancel }
                    state.sleepsStarted += 1
                    if deadline <= state.now { return .wake }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .sleep(Self.satisfiedWatchers(&state))
                }
                switch start {
                case .wake: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                case .sleep(let watchers): for watcher in watchers { watcher.resume() }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes, in deadline order, every sleeper whose deadline passed.
    package func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Moves time to the earliest deadline of those sleeping and wakes its sleepers; false when
    /// nobody sleeps.
    @discardableResult
    package func advanceToNextDeadline() -> Bool {
        guard let next = state.withLock({ state in state.sleepers.map(\.deadline).min().map { state.now.duration(to: $0) } }) else {
            return false
        }
        advance(by: max(next, .zero))
        return true
    }

    /// Returns once at least `count` tasks sleep on this clock (or when cancelled).
    package func sleepers(atLeast count: Int) async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.sleepers.count >= count || state.cancelledWatchers.remove(id) != nil { return true }
                    state.watchers.append((id, count, continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let watcher = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let index = state.watchers.firstIndex(where: { $0.id == id }) else {
                    state.cancelledWatchers.insert(id)
                    return nil
                }
                return state.watchers.remove(at: index).continuation
            }
            watcher?.resume()
        }
    }

    /// Runs `work` while moving time to the next deadline whenever a task sleeps on this clock,
    /// so that its retries, backoffs and polls pass at once and in order. Only for work whose
    /// every sleep may end early: a reader's timeout would expire too.
    package func advancing<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                while !Task.isCancelled {
                    await self.sleepers(atLeast: 1)
                    self.advanceToNextDeadline()
                    await Task.yield()
                }
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }

    private static func satisfiedWatchers(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        let sleeping = state.sleepers.count
        let satisfied = state.watchers.filter { $0.count <= sleeping }.map(\.continuation)
        state.watchers.removeAll { $0.count <= sleeping }
        return satisfied
    }
}
