import LoopbackHTTP
import OrdersStore
import Synchronization

/// Decides, from a seeded generator, which requests a `DocumentKeepingEndpoint` fails and how,
/// and counts what it injected. The same seed gives the same sequence of decisions (which
/// request each decision falls on still depends on timing).
///
/// Faults start on `_bulk` requests (about `share` of them); an outage then drops every request
/// of its stretch, bootstrap requests included. Every kind comes up in turn (a shuffled bag), so
/// a run of a few dozen bulk requests injects each of them.
final class FaultPlan: Sendable {
    enum Kind: String, CaseIterable, Sendable, Comparable {
        /// A stretch of requests whose connections are closed unanswered.
        case outage
        /// The whole `_bulk` refused with 429 / 503.
        case bulk429, bulk503
        /// Some items refused: 429 `es_rejected_execution_exception`, 503 `unavailable_shards_exception`.
        case item429, item503
        /// The index deleted: every item 404 `index_not_found_exception`.
        case indexLost
        /// The connection reset before the bulk is applied.
        case reset
        /// The bulk applied, then the connection reset unanswered.
        case applyThenReset
        /// Answered late, within the client's timeout.
        case slow
        /// Applied, but answered after the client's timeout, again for the same body, until the
        /// client sends part of it (splits it).
        case timeout

        static func < (a: Kind, b: Kind) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    struct Settings: Sendable {
        /// The share of `_bulk` requests that start a fault.
        var share = 0.5
        /// Requests dropped by one outage.
        var outageLength = 2...8
        /// The index is lost at most this many times (each one projects the log again).
        var maximumIndexLosses = 2
        /// Delays of slow answers.
        var slowDelay = 5...60
        /// The delay of answers that must come after the client's timeout.
        var timeoutDelay: Duration = .seconds(2)
        /// Only bulks of at least this many documents time out (they can be split).
        var timeoutMinimumItems = 4
        /// A timeout stops after this many late answers even if no split came.
        var timeoutMaximumRequests = 4
    }

    private struct State {
        var random: SeededGenerator
        var enabled = true
        var bag: [Kind] = []
        var outageLeft = 0
        /// The ids of the bulk answered too late, until a part of it comes.
        var timedOut: Set<String>?
        var lateAnswers = 0
        var injected: [Kind: Int] = [:]
        var droppedInOutages = 0
        var itemsRefused = 0
        var splits = 0
        var bulks = 0
    }

    let seed: UInt64
    let settings: Settings
    private let state: Mutex<State>

    init(seed: UInt64, settings: Settings = Settings()) {
        self.seed = seed
        self.settings = settings
        state = Mutex(State(random: SeededGenerator(seed: seed)))
    }

    /// No more faults from now on (a timeout under way ends too).
    func stop() { state.withLock { $0.enabled = false } }

    /// Faults injected, by kind.
    var injected: [Kind: Int] { state.withLock { $0.injected } }
    /// Requests dropped by outages.
    var droppedInOutages: Int { state.withLock { $0.droppedInOutages } }
    /// Items refused by `item429` and `item503` faults.
    var itemsRefused: Int { state.withLock { $0.itemsRefused } }
    /// Bulks answered too late that the client then sent in parts.
    var splits: Int { state.withLock { $0.splits } }
    /// `_bulk` requests seen while faults were on.
    var bulks: Int { state.withLock { $0.bulks } }

    /// Whether every kind was injected at least `times` (the index lost and a timeout split at
    /// least once).
    func covered(times: Int) -> Bool {
        state.withLock { state in
            Kind.allCases.allSatisfy { kind in
                state.injected[kind, default: 0] >= (kind == .indexLost || kind == .timeout ? 1 : times)
            } && state.splits >= 1
        }
    }

    /// The fault for one request (nil: answer it as usual).
    func decide(_ request: LoopbackServer.Request, _ operations: [DocumentKeepingEndpoint.BulkOperation]?) -> DocumentKeepingEndpoint.Fault? {
        state.withLock { state in
            guard state.enabled else { return nil }
            if state.outageLeft > 0 {
                state.outageLeft -= 1
                state.droppedInOutages += 1
                return .drop
            }
            guard let operations else { return nil }
            state.bulks += 1
            let ids = Set(operations.compactMap(\.id))
            if let late = state.timedOut {
                if ids.isStrictSubset(of: late) {
                    // The client gave up on the whole and sends it in parts: answered as usual.
                    state.splits += 1
                    state.timedOut = nil
                    return nil
                }
                if ids == late {
                    // The same body again (the transport's retry): late again.
                    state.lateAnswers += 1
                    if state.lateAnswers >= settings.timeoutMaximumRequests { state.timedOut = nil }
                    return .slow(settings.timeoutDelay)
                }
            }
            guard Double.random(in: 0..<1, using: &state.random) < settings.share else { return nil }
            let kind = next(&state, items: operations.count)
            state.injected[kind, default: 0] += 1
            switch kind {
            case .outage:
                state.outageLeft = Int.random(in: settings.outageLength, using: &state.random) - 1
                state.droppedInOutages += 1
                return .drop
            case .bulk429: return .refuse(status: 429)
            case .bulk503: return .refuse(status: 503)
            case .item429, .item503:
                // Each item with probability 0.4, at least one.
                var failing: [Int: DocumentKeepingEndpoint.ItemFailure] = [:]
                let failure: DocumentKeepingEndpoint.ItemFailure = kind == .item429 ? .rejectedExecution : .unavailableShards
                for offset in operations.indices where Double.random(in: 0..<1, using: &state.random) < 0.4 { failing[offset] = failure }
                if failing.isEmpty { failing[Int.random(in: operations.indices, using: &state.random)] = failure }
                state.itemsRefused += failing.count
                return .failItems(failing)
            case .indexLost: return .loseIndex
            case .reset: return .reset
            case .applyThenReset: return .applyThenReset
            case .slow: return .slow(.milliseconds(Int.random(in: settings.slowDelay, using: &state.random)))
            case .timeout:
                state.timedOut = ids
                state.lateAnswers = 1
                return .slow(settings.timeoutDelay)
            }
        }
    }

    /// The next kind from the bag that fits a bulk of `items` documents; the bag is refilled
    /// (each kind at most once in it) when none does.
    private func next(_ state: inout State, items: Int) -> Kind {
        func fits(_ kind: Kind) -> Bool {
            switch kind {
            case .indexLost: state.injected[.indexLost, default: 0] < settings.maximumIndexLosses
            case .timeout: items >= settings.timeoutMinimumItems && state.timedOut == nil
            default: true
            }
        }
        while true {
            if let index = state.bag.lastIndex(where: fits) { return state.bag.remove(at: index) }
            state.bag.insert(contentsOf: Kind.allCases.filter { !state.bag.contains($0) }.shuffled(using: &state.random), at: 0)
        }
    }
}
