/// Which node the next request goes to: round-robin over the nodes that are not set aside. A node
/// that failed is set aside for `baseDelay × 2^(failures-1)` (at most 60 s) and then tried again;
/// when every node is set aside, the one due soonest is tried. A pure state machine: time is passed in.
struct NodePool: Sendable {
    struct Dead: Sendable, Hashable {
        var failures: Int
        var until: ContinuousClock.Instant
    }

    let count: Int
    let baseDelay: Duration
    private(set) var dead: [Int: Dead] = [:]
    private var cursor = 0

    init(count: Int, baseDelay: Duration) {
        precondition(count > 0)
        self.count = count
        self.baseDelay = baseDelay
    }

    /// The index of the node to use at `now`.
    mutating func next(now: ContinuousClock.Instant) -> Int {
        for _ in 0..<count {
            let candidate = cursor
            cursor = (cursor + 1) % count
            if let entry = dead[candidate], entry.until > now { continue }
            return candidate
        }
        // All set aside: the one due soonest.
        return dead.min { $0.value.until < $1.value.until }!.key
    }

    mutating func markFailed(_ node: Int, now: ContinuousClock.Instant) {
        let failures = (dead[node]?.failures ?? 0) + 1
        var delay = baseDelay
        for _ in 1..<min(failures, 20) { delay *= 2 }
        dead[node] = Dead(failures: failures, until: now + min(delay, .seconds(60)))
    }

    mutating func markAlive(_ node: Int) {
        if dead[node] != nil { dead[node] = nil }
    }
}
