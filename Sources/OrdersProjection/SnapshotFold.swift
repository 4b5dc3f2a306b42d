import Foundation
import OrdersDomain
public import OrdersSearch
public import OrdersStore

/// Folds orders one at a time as of a position: for the live projector's batches, a reindex
/// and a dead-letter retry.
///
/// An order's document depends only on its own stream and the streams of its customer and of
/// the products it holds. So the customer and product events are kept (decoded, without their
/// payloads), and each order is folded from its stream merged with those, in position order,
/// with the transitions of the reference fold `ProjectionState`: the documents are identical
/// to its documents, while memory grows with customers and products, never with orders.
public struct SnapshotFold: Sendable {
    struct Fact: Sendable {
        var event: RecordedEvent
        var domain: DomainEvent
    }

    /// Customer and product events by customer and product id, in position order.
    private var customerFacts: [String: [Fact]] = [:]
    private var productFacts: [String: [Fact]] = [:]
    /// Every customer and product event at or below this position is in the facts.
    public private(set) var position: Int64 = 0

    public init() {}

    /// The customer and product events at positions `≤ position`. A fact that cannot be read
    /// halts (it would reach many orders), as it halts the live projector.
    public static func load(from store: EventStore, through position: Int64) async throws -> SnapshotFold {
        var fold = SnapshotFold()
        for prefix in [CustomerTag.streamPrefix + "-", ProductTag.streamPrefix + "-"] {
            var after: String?
            while true {
                let streams = try await store.readStreams(prefix: prefix, after: after, through: position, limit: 1000)
                guard let last = streams.last else { break }
                for stream in streams { for event in stream.events { _ = try fold.add(event) } }
                after = last.streamID
            }
        }
        fold.position = position
        return fold
    }

    /// Folds one order as of `position`, reading only its stream and the streams of its
    /// customer and products (a dead-letter retry, an unparked order).
    public static func order(_ orderID: String, from store: EventStore, through position: Int64) async throws -> Result {
        let events = try await store.readStream(OrderTag.streamPrefix + "-" + orderID).filter { $0.position <= position }
        var related: Set<String> = []
        for event in events {
            guard case .order(let orderEvent) = try? event.decode() else { continue }
            switch orderEvent {
            case .created(let created): related.insert(created.customerID.streamID)
            case .itemAdded(let added): related.insert(added.productID.streamID)
            default: break
            }
        }
        var fold = SnapshotFold()
        for streamID in related.sorted() {
            for event in try await store.readStream(streamID) where event.position <= position { _ = try fold.add(event) }
        }
        fold.position = position
        return fold.fold(orderEvents: events)
    }

    /// Keeps a customer or product event (another aggregate's goes nowhere) and returns it
    /// decoded. An event that cannot be read throws: it would reach many orders.
    private mutating func add(_ event: RecordedEvent) throws(ProjectionError) -> DomainEvent {
        let customerPrefix = CustomerTag.streamPrefix + "-"
        let productPrefix = ProductTag.streamPrefix + "-"
        var stored = event
        stored.payload = .init()  // decoded below: the bytes are not needed again
        let fact = Fact(event: stored, domain: try ProjectionState.decode(event))
        if event.streamID.hasPrefix(customerPrefix) {
            customerFacts[String(event.streamID.dropFirst(customerPrefix.count)), default: []].append(fact)
        } else if event.streamID.hasPrefix(productPrefix) {
            productFacts[String(event.streamID.dropFirst(productPrefix.count)), default: []].append(fact)
        }
        return fact.domain
    }

    /// What folding one order gave.
    public struct Result: Sendable {
        /// The document (nil when the order's creation itself could not be projected).
        public var document: OrderDocument?
        /// The event that could not be projected: the order is dead-lettered and parked at it,
        /// the document reflects what came before (as in the live projector).
        public var failure: ProjectionError?
    }

    /// Folds one order from its events (its whole stream up to some position `≤ position`).
    ///
    /// The order's events are merged by position with its customer's and products' facts and
    /// applied with `ProjectionState`'s transitions to this one document: the reference fold routes
    /// each event to the documents it reaches through its indexes, this fold only asks whether
    /// it reaches this order (the order was created for the customer; it holds the product).
    public func fold(orderEvents: [RecordedEvent]) -> Result {
        guard let first = orderEvents.first, let orderID = ProjectionState.orderID(first.streamID) else {
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
                domainEvent = try ProjectionState.decode(orderEvents[index])
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
        let lists = customers.map { customerFacts[$0] ?? [] } + products.map { productFacts[$0] ?? [] }
        var heads = [Int](repeating: 0, count: lists.count)
        var customer = [ProjectionState.CustomerFacts?](repeating: nil, count: customers.count)
        var product = [ProjectionState.ProductFacts?](repeating: nil, count: products.count)
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
                        if ProjectionState.apply(e, to: &customer[source]), created, createdFor.contains(source), let facts = customer[source] {
                            ProjectionState.apply(facts, lists[source][head].event, to: &document)
                        }
                    case .product(let e):
                        let index = source - customers.count
                        if let name = ProjectionState.apply(e, to: &product[index]), created, holding.contains(index) {
                            ProjectionState.rename(product: products[index], to: name, lists[source][head].event, in: &document)
                        }
                    case .order: break  // facts hold no order events
                    }
                    continue
                }
                let eventIndex = kept[next]
                next += 1
                var added: ProjectionState.ProductFacts?
                switch decoded[next - 1] {
                case .created(let creation):
                    let index = customers.firstIndex(of: creation.customerID.rawValue)!
                    document = try ProjectionState.document(orderID, created: creation, customer: customer[index], orderEvents[eventIndex])
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
                    throw ProjectionState.failure(orderEvents[eventIndex], "order \(orderID) has no creation event before this one")
                }
                try ProjectionState.apply(decoded[next - 1], product: added, orderEvents[eventIndex], to: &document)
            }
        } catch {
            failure = error
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
    /// What one batch of the log does to the read side.
    public struct Batch: Sendable {
        /// The documents of the orders the batch reached, refolded as of `through` (only those
        /// it changed: a document's version is above the position the batch started after).
        public var documents: [OrderDocument]
        /// Order events that cannot be projected: each order is to be dead-lettered and parked
        /// there (its document, in `documents` when the batch changed it, reflects what came before).
        public var failures: [ProjectionError]
        /// The last position the batch covers: its last event, or the one before `halt`.
        public var through: Int64
        /// A hole in positions, or a customer or product event that cannot be read (it would
        /// reach many orders): the batch stops before it.
        public var halt: ProjectionError?
    }

    /// Takes `events`, the log right after `position`, into the facts and folds again every
    /// order they reach as of their end: the orders whose streams they are in, and the orders
    /// of each customer and product they change (read through the event store's indexes).
    /// Orders in `parked` are left as they are. Memory holds the facts, never the documents.
    public mutating func project(_ events: [RecordedEvent], parked: Set<String>, from store: EventStore) async throws -> Batch {
        let start = position
        var through = position
        var halt: ProjectionError?
        var orderStreams = Set<String>()
        var customers = Set<String>()
        var products = Set<String>()
        for event in events {
            guard event.position == through + 1 else {
                halt = ProjectionError(
                    position: event.position, streamID: event.streamID,
                    reason: "expected position \(through + 1) next: the log has a hole or events arrived out of order", isHole: true)
                break
            }
            if let orderID = ProjectionState.orderID(event.streamID) {
                if !parked.contains(orderID) { orderStreams.insert(event.streamID) }
            } else {
                let fact: DomainEvent
                do {
                    fact = try add(event)
                } catch {
                    halt = error
                    break
                }
                // What reaches orders (`ProjectionState`'s transitions): a customer's new name or
                // email, a product's new name. Exhaustive, so that a new event is decided here.
                switch fact {
                case .customer(.renamed), .customer(.emailChanged):
                    customers.insert(String(event.streamID.dropFirst(CustomerTag.streamPrefix.count + 1)))
                case .product(.renamed):
                    products.insert(String(event.streamID.dropFirst(ProductTag.streamPrefix.count + 1)))
                case .customer(.registered), .product(.added), .product(.repriced), .order: break
                }
            }
            through = event.position
        }
        position = through
        for streamID in try await store.orderStreams(referencingCustomers: customers, products: products, through: through) {
            if let orderID = ProjectionState.orderID(streamID), !parked.contains(orderID) { orderStreams.insert(streamID) }
        }
        var batch = Batch(documents: [], failures: [], through: through, halt: halt)
        for stream in try await store.readStreams(orderStreams, through: through) {
            let result = fold(orderEvents: stream.events)
            if let failure = result.failure { batch.failures.append(failure) }
            if let document = result.document, document.version > start { batch.documents.append(document) }
        }
        return batch
    }
}
