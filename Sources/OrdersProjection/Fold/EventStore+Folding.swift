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

    /// The order streams a batch plan reaches, as of `plan.through`: the batch's own, and those
    /// of the customers and products it changed (through the log's partial indexes). Sorted: a
    /// batch that reaches many orders (a popular product renamed) is folded and written in parts.
    package func streamIDs(for plan: SnapshotFold.BatchPlan) async throws -> [String] {
        var streamIDs = plan.orderStreams
        for streamID in try await orderStreams(referencingCustomers: plan.customers, products: plan.products, through: plan.through) {
            if let orderID = DocumentTransitions.orderID(streamID), !plan.parked.contains(orderID) { streamIDs.insert(streamID) }
        }
        return streamIDs.sorted()
    }

    /// Folds the orders of `streamIDs` (some of those `plan` reaches) with `facts`, as of
    /// `plan.through`: the part of a batch those orders make. An order the compacted facts
    /// cannot fold exactly (`SnapshotFold.Result.needsLog`) is folded from the log.
    package func fold(
        _ streamIDs: some Collection<String>, for plan: SnapshotFold.BatchPlan, with facts: SnapshotFold
    ) async throws -> SnapshotFold.Batch {
        var batch = facts.fold(try await readStreams(Set(streamIDs), through: plan.through), for: plan)
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

extension Array {
    /// The elements in consecutive parts of at most `size` (a batch's orders, written in parts).
    package func parts(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: Swift.max(1, size)).map { self[$0..<Swift.min($0 + Swift.max(1, size), count)] }
    }
}
