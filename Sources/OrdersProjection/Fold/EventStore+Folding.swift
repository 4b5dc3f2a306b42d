import OrdersDomain
package import OrdersStore

/// The reads a fold needs from the log: the projector, the reindex and dead-letter retries do
/// them, `SnapshotFold` folds what they read without I/O.
extension EventStore {
    /// The customer and product facts of the log through `position` (read stream by stream, in
    /// pages), compacted as `compactionLimit` says. A fact that cannot be read halts (it would
    /// reach many orders).
    package func facts(through position: Int64, compactionLimit: Int? = 64) async throws -> SnapshotFold {
        var fold = SnapshotFold(compactionLimit: compactionLimit)
        for prefix in [CustomerTag.streamPrefix + "-", ProductTag.streamPrefix + "-"] {
            var after: String?
            while true {
                let streams = try await readStreams(prefix: prefix, after: after, through: position, limit: 1000)
                guard let last = streams.last else { break }
                for stream in streams { for event in stream.events { _ = try fold.add(event) } }
                after = last.streamID
            }
        }
        fold.position = position
        return fold
    }

    /// Folds `streams` (a part of the orders `plan` reaches: `OrderReach`) with `facts`, as of
    /// `plan.through`. An order the compacted facts cannot fold exactly
    /// (`SnapshotFold.Result.needsLog`) is folded from the log.
    package func fold(_ streams: [StreamEvents], for plan: SnapshotFold.BatchPlan, with facts: SnapshotFold) async throws -> SnapshotFold.Batch {
        var batch = facts.fold(streams, for: plan)
        let fromLog = batch.needsLog
        batch.needsLog = []
        for orderID in fromLog { batch.add(try await fold(order: orderID, through: plan.through), of: orderID, after: plan.start) }
        return batch
    }

    /// The fold of one order from the fold of all (`result`), or from the log when the
    /// compacted facts could not fold it exactly.
    package func exact(_ result: SnapshotFold.Result, order orderID: String, through position: Int64) async throws -> SnapshotFold.Result {
        result.needsLog ? try await fold(order: orderID, through: position) : result
    }

    /// Folds one order as of `position`, reading only its stream and the streams of its
    /// customer and products (a dead-letter retry).
    package func fold(order orderID: String, through position: Int64) async throws -> SnapshotFold.Result {
        let events = try await readStream(OrderTag.streamPrefix + "-" + orderID).filter { $0.position <= position }
        var related: Set<String> = []
        for event in events {
            guard case .order(let orderEvent) = try? event.decode() else { continue }
            switch orderEvent {
            case .created(let created): related.insert(created.customerID.streamID)
            case .itemAdded(let added): related.insert(added.productID.streamID)
            default: break
            }
        }
        var facts: [RecordedEvent] = []
        for streamID in related.sorted() { facts += try await readStream(streamID).filter { $0.position <= position } }
        return try SnapshotFold(facts: facts, through: position).fold(orderEvents: events)
    }
}
