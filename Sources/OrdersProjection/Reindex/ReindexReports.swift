public import Foundation

/// How a reindex runs. Every property has a documented default.
public struct ReindexOptions: Sendable {
    /// Generations kept after the swap, the new live one included. Default 1 (only the new one).
    public var keep = 1
    /// Orders folded and handed to the index per batch. Default 2,000.
    public var batchOrders = 2000
    /// Batches folded and written at once (they fold in parallel). Default 3.
    public var batchesInFlight = 3
    /// Who runs it (shown to a second attempt). Default `<host>:<pid>`.
    public var owner = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    /// A job not heard of for this long is taken over (its process died). Default 30 s.
    public var staleAfter: TimeInterval = 30
    /// How often the job's heartbeat is saved while it runs. Default every 5 s.
    public var heartbeatInterval: Duration = .seconds(5)
    /// Retry delays and catch-up batch size (`batchEvents`).
    public var projector = ProjectorConfiguration()

    public init() {}
}

/// Where a reindex stands, for progress bars and `GET /admin/reindex`.
public struct ReindexProgress: Sendable, Encodable {
    public enum Phase: String, Sendable, Encodable {
        case loading, catchingUp = "catching_up", finishing, swapped, done
    }

    public var phase: Phase
    public var source: String?
    public var target: String
    /// Documents (loading) or events (catching up) done, and the total known for the phase.
    public var done: Int
    public var total: Int
    /// Per second since the phase began.
    public var rate: Double
    public var elapsedSeconds: Double

    enum CodingKeys: String, CodingKey {
        case phase, source, target, done, total, rate, elapsedSeconds = "elapsed_seconds"
    }

    /// Seconds left at the current rate (nil when unknown).
    public var etaSeconds: Double? { rate > 0 && total >= done ? Double(total - done) / rate : nil }
}

/// What a finished reindex did.
public struct ReindexSummary: Sendable, Encodable {
    public var source: String?
    public var target: String
    public var snapshot: Int64
    /// Orders folded from the snapshot.
    public var documents: Int
    /// Documents the new generation holds when it went live.
    public var indexed: Int
    /// Events projected after the snapshot (before and after the swap).
    public var caughtUpEvents: Int
    public var deadLetters: Int
    public var retired: [String]
    public var resumed: Bool
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case source, target, snapshot, documents, indexed, caughtUpEvents = "caught_up_events", deadLetters = "dead_letters", retired, resumed
        case seconds
    }

    public var documentsPerSecond: Double { seconds > 0 ? Double(documents) / seconds : 0 }
}

/// What `--dry-run` reports.
public struct ReindexPlan: Sendable, Encodable {
    public var readSide: String
    public var live: String?
    public var target: String
    public var snapshot: Int64
    public var orders: Int
    public var retire: [String]
    public var resume: ReindexJob?

    enum CodingKeys: String, CodingKey { case readSide = "read_side", live, target, snapshot, orders, retire, resume }
}

public struct ReindexError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { "reindex: \(reason)" }
}
