package import OrdersSearch
package import Synchronization

/// Writes to another index as scripted: per call, a document's fate can be decided before it
/// is passed on, whole requests fail, `prepare()` and `makeVisible()` fail or wait, and a hook
/// runs before each call (to act as another process meanwhile). Only writes: tests read the
/// index it wraps.
package final class ScriptedIndex: SearchIndexWriter {
    package let inner: any SearchIndexWriter
    /// Decides each document's fate per call: nil passes it on.
    let script: @Sendable (OrderDocument, Int) -> ApplyOutcome?
    /// The next this many calls of `apply` fail whole.
    package let failWholeRequests: Mutex<Int>
    /// Calls of `apply` so far.
    package let calls = Mutex(0)
    /// Runs before each call of `apply` (its number, from 1).
    let beforeApply: @Sendable (Int) async throws -> Void

    package init(
        _ inner: any SearchIndexWriter, failWholeRequests: Int = 0, beforeApply: @escaping @Sendable (Int) async throws -> Void = { _ in },
        script: @escaping @Sendable (OrderDocument, Int) -> ApplyOutcome? = { _, _ in nil }
    ) {
        self.inner = inner
        self.script = script
        self.failWholeRequests = Mutex(failWholeRequests)
        self.beforeApply = beforeApply
    }

    package struct Unavailable: Error {}

    /// `prepare()` throws this many times first (the index unreachable at start).
    package let failPrepare = Mutex(0)

    package func prepare() async throws -> Bool {
        if failPrepare.withLock({ remaining in
            defer { remaining = max(remaining - 1, 0) }
            return remaining > 0
        }) {
            throw Unavailable()
        }
        return try await inner.prepare()
    }

    /// `waitForVisibility` of every call, in order.
    package let visibility = Mutex<[Bool]>([])
    /// How often `makeVisible()` was called.
    package let madeVisible = Mutex(0)
    /// `makeVisible()` throws while this is set (the index unreachable).
    package let failMakeVisible = Mutex(false)
    /// While set, `makeVisible()` waits at this gate (a refresh under way) until it opens.
    package let visibilityGate = Gate(open: true)

    package func makeVisible() async throws {
        madeVisible.withLock { $0 += 1 }
        await visibilityGate.pass()
        if failMakeVisible.withLock({ $0 }) { throw Unavailable() }
        try await inner.makeVisible()
    }

    package func apply(_ documents: [OrderDocument], waitForVisibility: Bool) async throws -> [ApplyOutcome] {
        visibility.withLock { $0.append(waitForVisibility) }
        let call = calls.withLock { calls in
            calls += 1
            return calls
        }
        try await beforeApply(call)
        if failWholeRequests.withLock({ remaining in
            defer { remaining = max(remaining - 1, 0) }
            return remaining > 0
        }) {
            throw Unavailable()
        }
        var outcomes: [ApplyOutcome?] = documents.map { script($0, call) }
        let passing = documents.enumerated().filter { outcomes[$0.offset] == nil }
        let applied = try await inner.apply(passing.map(\.element))
        for (entry, outcome) in zip(passing, applied) { outcomes[entry.offset] = outcome }
        return outcomes.map { $0! }
    }
}

/// Holds tasks until a test opens it; tells the test how many wait.
package final class Gate: Sendable {
    private struct State: ~Copyable {
        var open: Bool
        var waiting: [CheckedContinuation<Void, Never>] = []
        var arrivals = 0
    }

    private let state: Mutex<State>

    package init(open: Bool) { state = Mutex(State(open: open)) }

    /// Closes the gate: the next callers of `pass()` wait.
    package func close() { state.withLock { $0.open = false } }

    /// Opens the gate and lets everyone waiting through.
    package func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    /// How many callers have come to the gate since it was made.
    package var arrivals: Int { state.withLock { $0.arrivals } }

    /// Returns at once when open, else when opened.
    package func pass() async {
        await withCheckedContinuation { continuation in
            let through = state.withLock { state -> Bool in
                state.arrivals += 1
                if state.open { return true }
                state.waiting.append(continuation)
                return false
            }
            if through { continuation.resume() }
        }
    }
}
