import Foundation
import OrdersDomain
package import OrdersSearch
package import OrdersStore

/// Folds orders one at a time as of a position, with no I/O: for the live projector's batches,
/// a reindex and a dead-letter retry (the reads are theirs: `EventStore+Folding.swift`).
///
/// An order's document depends only on its own stream and the streams of its customer and of
/// the products it holds. So the customer and product events are kept (decoded, without their
/// payloads), and each order is folded from its stream merged with those, in position order,
/// with `DocumentTransitions`: the documents are identical to the reference fold's.
///
/// Each customer's and product's facts are compacted as they grow (`History`), so memory grows
/// with customers and products, never with orders or with how often they are renamed.
package struct SnapshotFold: Sendable {
    struct Fact: Sendable {
        var event: RecordedEvent
        var domain: DomainEvent
    }

    /// Customer and product events by customer and product id, in position order.
    private var customerFacts: [String: History] = [:]
    private var productFacts: [String: History] = [:]
    /// Every customer and product event at or below this position is in the facts.
    package internal(set) var position: Int64 = 0
    /// A customer's or product's facts are compacted each time this many more came in (nil:
    /// never, as for the exact fold of one order from the log).
    package var compactionLimit: Int?

    package init(compactionLimit: Int? = 64) { self.compactionLimit = compactionLimit }

    /// How many customer and product facts are kept (tests of the compaction).
    package var factCount: Int { (customerFacts.values.map(\.facts.count) + productFacts.values.map(\.facts.count)).reduce(0, +) }

    /// Facts from customer and product events (in position order, any other event is ignored)
    /// that make up the log through `position`, never compacted. An event that cannot be read
    /// throws: it would reach many orders, so it halts whoever folds, as it halts the live projector.
    package init(facts events: some Sequence<RecordedEvent>, through position: Int64) throws(ProjectionError) {
        compactionLimit = nil
        for event in events { _ = try add(event) }
        self.position = position
    }

    /// Keeps a customer or product event (another aggregate's goes nowhere) and returns it
    /// decoded. An event that cannot be read throws: it would reach many orders.
    mutating func add(_ event: RecordedEvent) throws(ProjectionError) -> DomainEvent {
        var stored = event
        stored.payload = .init()  // decoded below: the bytes are not needed again
        let fact = Fact(event: stored, domain: try DocumentTransitions.decode(event))
        if let id = DocumentTransitions.aggregateID(event.streamID, prefix: CustomerTag.streamPrefix) {
            customerFacts[id, default: History()].append(fact, compactingEvery: compactionLimit, with: History.compactCustomer)
        } else if let id = DocumentTransitions.aggregateID(event.streamID, prefix: ProductTag.streamPrefix) {
            productFacts[id, default: History()].append(fact, compactingEvery: compactionLimit, with: History.compactProduct)
        }
        return fact.domain
    }

    /// What folding one order gave.
    package struct Result: Sendable {
        /// The document (nil when the order's creation itself could not be projected).
        package var document: OrderDocument?
        /// The event that could not be projected: the order is dead-lettered and parked at it,
        /// the document reflects what came before (as in the live projector).
        package var failure: ProjectionError?
        /// The order's fold stopped (`failure`) before a point its customer's or products' facts
        /// were compacted through: what came before the failure is no longer in the facts, so
        /// there is no document here. Fold it from the log (`EventStore.fold(order:through:)`).
        package var needsLog = false
    }

    /// Folds one order from its events (its whole stream up to some position `≤ position`).
    ///
    /// The order's events are merged by position with its customer's and products' facts and
    /// applied with `DocumentTransitions` to this one document: the reference fold routes each
    /// event to the documents it reaches through its indexes, this fold only asks whether it
    /// reaches this order (the order was created for the customer; it holds the product).
    package func fold(orderEvents: [RecordedEvent]) -> Result {
        guard let first = orderEvents.first, let orderID = DocumentTransitions.orderID(first.streamID) else {
            return Result(document: nil, failure: nil)
        }
        var decoded: [OrderEvent] = []
        decoded.reserveCapacity(orderEvents.count)
        var failure: ProjectionError?
        var customers: [String] = []
        var products: [String] = []
        var kept: [Int] = []  // the indices of `orderEvents` that `decoded` holds
        for index in orderEvents.indices {
            let domainEvent: DomainEvent
            do {
                domainEvent = try DocumentTransitions.decode(orderEvents[index])
            } catch {
                failure = error
                break
            }
            // Another aggregate's event in an order stream reaches no order in the reference fold either.
            guard case .order(let orderEvent) = domainEvent else { continue }
            kept.append(index)
            switch orderEvent {
            case .created(let created) where !customers.contains(created.customerID.rawValue):
                customers.append(created.customerID.rawValue)
            case .itemAdded(let added) where !products.contains(added.productID.rawValue):
                products.append(added.productID.rawValue)
            default: break
            }
            decoded.append(orderEvent)
        }
        // The order's events merged with its customer's and products' events by position (each
        // list is in position order already). A rename after the order's last event still
        // reaches it; nothing after a failure does (the order is parked there).
        let end = failure?.position ?? .max
        let histories = customers.map { customerFacts[$0] ?? History() } + products.map { productFacts[$0] ?? History() }
        let lists = histories.map(\.facts)
        var heads = [Int](repeating: 0, count: lists.count)
        var customer = [DocumentTransitions.CustomerFacts?](repeating: nil, count: customers.count)
        var product = [DocumentTransitions.ProductFacts?](repeating: nil, count: products.count)
        // What reaches the order, as the live fold's indexes say: the customers it was created
        // for, the products it holds.
        var createdFor: [Int] = []
        var holding: [Int] = []
        // The document, once the order's creation made it (`created`): kept out of an optional,
        // which the loop would copy (the document, its arrays and strings) on every test.
        var document = OrderDocument.placeholder
        var created = false
        var next = 0
        do throws(ProjectionError) {
            while true {
                var source = -1  // -1: the order's own next event
                var lowest = next < decoded.count ? orderEvents[kept[next]].position : end
                for index in lists.indices where heads[index] < lists[index].count {
                    let position = lists[index][heads[index]].event.position
                    if position < lowest {
                        lowest = position
                        source = index
                    }
                }
                guard lowest < end else { break }
                if source >= 0 {
                    let head = heads[source]
                    heads[source] += 1
                    switch lists[source][head].domain {
                    case .customer(let e):
                        if DocumentTransitions.apply(e, to: &customer[source]), created, createdFor.contains(source), let facts = customer[source] {
                            DocumentTransitions.apply(facts, lists[source][head].event, to: &document)
                        }
                    case .product(let e):
                        let index = source - customers.count
                        if let name = DocumentTransitions.apply(e, to: &product[index]), created, holding.contains(index) {
                            DocumentTransitions.rename(product: products[index], to: name, lists[source][head].event, in: &document)
                        }
                    case .order: break  // facts hold no order events
                    }
                    continue
                }
                let eventIndex = kept[next]
                next += 1
                var added: DocumentTransitions.ProductFacts?
                switch decoded[next - 1] {
                case .created(let creation):
                    let index = customers.firstIndex(of: creation.customerID.rawValue)!
                    document = try DocumentTransitions.document(orderID, created: creation, customer: customer[index], orderEvents[eventIndex])
                    created = true
                    if !createdFor.contains(index) { createdFor.append(index) }
                    continue
                case .itemAdded(let item):
                    let index = products.firstIndex(of: item.productID.rawValue)!
                    added = product[index]
                    if added != nil, !holding.contains(index) { holding.append(index) }
                case .itemRemoved(let item):
                    if let index = products.firstIndex(of: item.productID.rawValue) { holding.removeAll { $0 == index } }
                default: break
                }
                guard created else {
                    throw DocumentTransitions.failure(orderEvents[eventIndex], "order \(orderID) has no creation event before this one")
                }
                try DocumentTransitions.apply(decoded[next - 1], product: added, orderEvents[eventIndex], to: &document)
            }
        } catch {
            failure = error
        }
        if let failure, histories.contains(where: { $0.compactedThrough >= failure.position }) {
            return Result(document: nil, failure: failure, needsLog: true)
        }
        return Result(document: created ? document : nil, failure: failure)
    }
}

extension OrderDocument {
    /// What `SnapshotFold.fold` holds before an order's creation made its document (never returned).
    fileprivate static let placeholder = OrderDocument(
        orderID: "", status: .draft, customer: .init(id: "", name: "", email: ""), items: [], currency: "", shipping: .init(city: "", country: ""),
        notes: nil, createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0), version: 0)
}

extension SnapshotFold {
    /// What a batch of the log asks to be folded again, decided from its events alone.
    package struct BatchPlan: Sendable, Hashable {
        /// The position the batch continues after.
        package var start: Int64
        /// The last position the batch covers: its last event, or the one before `halt`.
        package var through: Int64
        /// A hole in positions, or a customer or product event that cannot be read (it would
        /// reach many orders): the batch stops before it.
        package var halt: ProjectionError?
        /// The order streams with events in the batch (but parked orders').
        package var orderStreams: Set<String>
        /// Customers whose name or email changed, products renamed: their orders are folded
        /// again too (found through the log's indexes).
        package var customers: Set<String>
        package var products: Set<String>
        /// Orders left as they are (dead-lettered).
        package var parked: Set<String>
    }
}

extension SnapshotFold.BatchPlan {
    /// Whether the batch changed a customer or product whose orders it must fold again.
    package var reachesThroughFacts: Bool { !customers.isEmpty || !products.isEmpty }

    /// Continues this plan with `next`, the plan of the events right after it: one batch.
    package mutating func extend(with next: SnapshotFold.BatchPlan) {
        precondition(next.start == through, "a plan continues only the plan right before it")
        through = next.through
        halt = next.halt
        orderStreams.formUnion(next.orderStreams)
        customers.formUnion(next.customers)
        products.formUnion(next.products)
    }
}

extension SnapshotFold {
    /// Takes `events`, the log right after `position`, into the facts and says which orders
    /// they reach: the orders whose streams they are in, and the orders of each customer and
    /// product they change. Orders in `parked` are left as they are. No I/O.
    package mutating func take(_ events: [RecordedEvent], parked: Set<String>) -> BatchPlan {
        var plan = BatchPlan(start: position, through: position, orderStreams: [], customers: [], products: [], parked: parked)
        for event in events {
            guard event.position == plan.through + 1 else {
                plan.halt = DocumentTransitions.hole(event, after: plan.through)
                break
            }
            if let orderID = DocumentTransitions.orderID(event.streamID) {
                if !parked.contains(orderID) { plan.orderStreams.insert(event.streamID) }
            } else {
                let fact: DomainEvent
                do {
                    fact = try add(event)
                } catch {
                    plan.halt = error
                    break
                }
                if DocumentTransitions.reachesOrders(fact) {
                    if let id = DocumentTransitions.aggregateID(event.streamID, prefix: CustomerTag.streamPrefix) { plan.customers.insert(id) }
                    if let id = DocumentTransitions.aggregateID(event.streamID, prefix: ProductTag.streamPrefix) { plan.products.insert(id) }
                }
            }
            plan.through = event.position
        }
        position = plan.through
        return plan
    }

    /// What one batch of the log does to the read side.
    package struct Batch: Sendable {
        /// The documents of the orders the batch reached, refolded as of `through` (only those
        /// it changed: a document's version is above the position the batch started after).
        package var documents: [OrderDocument]
        /// Order events that cannot be projected: each order is to be dead-lettered and parked
        /// there (its document, in `documents` when the batch changed it, reflects what came before).
        package var failures: [ProjectionError]
        /// The last position the batch covers.
        package var through: Int64
        /// Why the batch stopped early (see `BatchPlan.halt`).
        package var halt: ProjectionError?
        /// Orders to fold from the log instead (`Result.needsLog`), order ids.
        package var needsLog: [String] = []
    }

    /// Folds the order streams a plan reaches (read from the log as of `plan.through`) into the
    /// batch's documents. No I/O.
    package func fold(_ streams: [EventStore.StreamEvents], for plan: BatchPlan) -> Batch {
        var batch = Batch(documents: [], failures: [], through: plan.through, halt: plan.halt)
        for stream in streams {
            guard let orderID = DocumentTransitions.orderID(stream.streamID), !plan.parked.contains(orderID) else { continue }
            batch.add(fold(orderEvents: stream.events), of: orderID, after: plan.start)
        }
        return batch
    }
}

extension SnapshotFold.Batch {
    /// Takes one order's fold: its document when the batch changed it (its version is above
    /// `start`, the position the batch continues after), its failure, or that it needs the log.
    package mutating func add(_ result: SnapshotFold.Result, of orderID: String, after start: Int64) {
        if result.needsLog {
            needsLog.append(orderID)
            return
        }
        if let failure = result.failure { failures.append(failure) }
        if let document = result.document, document.version > start { documents.append(document) }
    }
}
