import OrdersDomain
package import OrdersStore

/// The orders a batch plan reaches, read from the log a part at a time, so that memory does
/// not grow with how many orders one rename reaches (a product in half of a million orders).
///
/// First the orders with events in the batch, then, for each changed customer and each
/// renamed product (in that order, by id), its orders, a page of the log's index at a time.
/// An order that several of these reach is folded once: by the first of them that reaches it
/// (decided from its own stream, which the part reads anyway), and for a product added to it
/// twice, at its first addition. A part can come back empty (orders another one folds).
package struct OrderReach: Sendable {
    private let plan: SnapshotFold.BatchPlan
    private let partSize: Int
    /// The batch's own order streams, sorted; the next one to read.
    private let own: [String]
    private var nextOwn = 0
    /// The changed customers and renamed products, customers first; the one being read and the
    /// position its next page starts after.
    private let references: [OrderReference]
    /// Each reference's place in `references`: the first that reaches an order folds it.
    private let rank: [OrderReference: Int]
    private var reference = 0
    private var after: Int64 = 0

    package init(_ plan: SnapshotFold.BatchPlan, partSize: Int) {
        self.plan = plan
        self.partSize = max(1, partSize)
        own = plan.orderStreams.sorted()
        references = plan.customers.sorted().map(OrderReference.customer) + plan.products.sorted().map(OrderReference.product)
        rank = Dictionary(uniqueKeysWithValues: references.enumerated().map { ($1, $0) })
    }

    /// The next part's order streams, as of the plan's end; nil once every order is read.
    package mutating func next(from store: EventStore) async throws -> [EventStore.StreamEvents]? {
        if nextOwn < own.count {
            let part = own[nextOwn..<min(nextOwn + partSize, own.count)]
            nextOwn += part.count
            return try await store.readStreams(Set(part), through: plan.through)
        }
        while reference < references.count {
            let current = references[reference]
            let rows = try await store.orderStreams(reachedBy: current, after: after, through: plan.through, limit: partSize)
            guard let last = rows.last else {
                reference += 1
                after = 0
                continue
            }
            after = last.position
            // Each order's first row on this page (a product added twice has two).
            var firstRow: [String: Int64] = [:]
            for row in rows where !plan.orderStreams.contains(row.streamID) && !isParked(row.streamID) {
                firstRow[row.streamID] = min(firstRow[row.streamID] ?? .max, row.position)
            }
            let streams = try await store.readStreams(Set(firstRow.keys), through: plan.through)
            return streams.filter { foldsHere($0, current, firstRow: firstRow[$0.streamID]) }
        }
        return nil
    }

    private func isParked(_ streamID: String) -> Bool {
        DocumentTransitions.orderID(streamID).map(plan.parked.contains) ?? false
    }

    /// Whether `current` is the first reference that reaches the order and this page holds its
    /// first row for it. An event that cannot be read does not count; an order whose reaching
    /// events cannot be read at all is folded by every reference that finds it (writes are
    /// idempotent), never by none.
    private func foldsHere(_ stream: EventStore.StreamEvents, _ current: OrderReference, firstRow: Int64?) -> Bool {
        var first: [OrderReference: Int64] = [:]
        for event in stream.events {
            guard case .order(let orderEvent)? = try? event.decode() else { continue }
            let reached: OrderReference
            switch orderEvent {
            case .created(let created) where plan.customers.contains(created.customerID.rawValue):
                reached = .customer(created.customerID.rawValue)
            case .itemAdded(let added) where plan.products.contains(added.productID.rawValue):
                reached = .product(added.productID.rawValue)
            default: continue
            }
            if first[reached] == nil { first[reached] = event.position }
        }
        guard let position = first[current] else { return true }
        let owner = first.keys.min { rank[$0, default: .max] < rank[$1, default: .max] }
        return owner == current && position == firstRow
    }
}
