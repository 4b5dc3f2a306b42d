package import Foundation

/// How a reindex runs. Every property has a documented default.
package struct ReindexOptions: Sendable {
    /// Generations kept after the swap, the new live one included. Default 1 (only the new one).
    package var keep = 1
    /// Orders folded and handed to the index per batch. Default 2,000.
    package var batchOrders = 2000
    /// Batches folded and written at once (they fold in parallel). Default 3.
    package var batchesInFlight = 3
    /// Who runs it (shown to a second attempt). Default `<host>:<pid>:<process start>`
    /// (`ProcessOwner`).
    package var owner = ProcessOwner.current
    /// A job not heard of for this long is taken over (its process died). Default 30 s; at once
    /// when its owner is a process of this host that is gone.
    package var staleAfter: TimeInterval = 30
    /// How often the job's heartbeat is saved while it runs. Default every 5 s.
    package var heartbeatInterval: Duration = .seconds(5)
    /// Retry delays and catch-up batch size (`batchEvents`).
    package var projector = ProjectorConfiguration()

    package init() {}
}

/// Where a reindex stands, for progress bars and `GET /admin/reindex`.
package struct ReindexProgress: Sendable, Encodable {
    package enum Phase: String, Sendable, Encodable {
        case loading, catchingUp = "catching_up", finishing, swapped, done
    }

    package var phase: Phase
    package var source: String?
    package var target: String
    /// Documents (loading) or events (catching up) done, and the total known for the phase.
    package var done: Int
    package var total: Int
    /// Per second since the phase began.
    package var rate: Double
    package var elapsedSeconds: Double

    enum CodingKeys: String, CodingKey {
        case phase, source, target, done, total, rate, elapsedSeconds = "elapsed_seconds"
    }

    /// Seconds left at the current rate (nil when unknown).
    package var etaSeconds: Double? { rate > 0 && total >= done ? Double(total - done) / rate : nil }
}

/// What a finished reindex did.
package struct ReindexSummary: Sendable, Encodable {
    package var source: String?
    package var target: String
    package var snapshot: Int64
    /// Orders folded from the snapshot.
    package var documents: Int
    /// Documents the new generation holds when it went live.
    package var indexed: Int
    /// Events projected after the snapshot (before and after the swap).
    package var caughtUpEvents: Int
    package var deadLetters: Int
    package var retired: [String]
    package var resumed: Bool
    package var seconds: Double

    enum CodingKeys: String, CodingKey {
        case source, target, snapshot, documents, indexed, caughtUpEvents = "caught_up_events", deadLetters = "dead_letters", retired, resumed
        case seconds
    }

    package var documentsPerSecond: Double { seconds > 0 ? Double(documents) / seconds : 0 }
}

/// What `--dry-run` reports.
package struct ReindexPlan: Sendable, Encodable {
    package var readSide: String
    package var live: String?
    package var target: String
    package var snapshot: Int64
    package var orders: Int
    package var retire: [String]
    package var resume: ReindexJob?

    enum CodingKeys: String, CodingKey { case readSide = "read_side", live, target, snapshot, orders, retire, resume }
}

package struct ReindexError: Error, Sendable, CustomStringConvertible {
    package var reason: String
    package var description: String { "reindex: \(reason)" }
}

/// A reindex stopped on purpose (Ctrl-C, SIGTERM) before it finished: its lock is released and
/// the next run resumes it.
package struct ReindexInterrupted: Error, Sendable, CustomStringConvertible {
    package var phase: String
    package var target: String
    package var loaded: Int
    package var description: String {
        "interrupted while \(phase) \(target) (\(loaded) orders loaded); run `orders reindex` again to resume, "
            + "or `orders reindex --abort` to clean up"
    }
}
