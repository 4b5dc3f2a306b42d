import Foundation
import OrdersDomain
public import OrdersSearch
public import OrdersStore

/// Folds orders one at a time as of a position: for a reindex (and a dead-letter retry).
///
/// An order's document depends only on its own stream and the streams of its customer and of
/// the products it holds. So the customer and product events are kept (decoded, without their
/// payloads), and each order is folded from its stream merged with those, in position order,
/// by the same `ProjectionState` code the live projector runs: the documents are identical to
/// the live fold's, while memory grows with customers and products, never with orders.
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
                for stream in streams { try fold.add(stream.events) }
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
        for streamID in related.sorted() { try fold.add(try await store.readStream(streamID).filter { $0.position <= position }) }
        fold.position = position
        return fold.fold(orderEvents: events)
    }

    /// Adds the customer and product events among `events` (a catch-up batch after `position`).
    public mutating func extend(with events: [RecordedEvent]) throws {
        try add(events.filter { ProjectionState.orderID($0.streamID) == nil })
        if let last = events.last { position = max(position, last.position) }
    }

    private mutating func add(_ events: [RecordedEvent]) throws {
        let customerPrefix = CustomerTag.streamPrefix + "-"
        let productPrefix = ProductTag.streamPrefix + "-"
        for event in events {
            var stored = event
            stored.payload = .init()  // decoded below: the bytes are not needed again
            let fact = Fact(event: stored, domain: try ProjectionState.decode(event))
            if event.streamID.hasPrefix(customerPrefix) {
                customerFacts[String(event.streamID.dropFirst(customerPrefix.count)), default: []].append(fact)
            } else if event.streamID.hasPrefix(productPrefix) {
                productFacts[String(event.streamID.dropFirst(productPrefix.count)), default: []].append(fact)
            }
        }
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
    public func fold(orderEvents: [RecordedEvent]) -> Result {
        guard let first = orderEvents.first, let orderID = ProjectionState.orderID(first.streamID) else {
            return Result(document: nil, failure: nil)
        }
        var decoded: [DomainEvent] = []
        decoded.reserveCapacity(orderEvents.count)
        var failure: ProjectionError?
        var customers: [String] = []
        var products: [String] = []
        for index in orderEvents.indices {
            do {
                let domain = try ProjectionState.decode(orderEvents[index])
                if case .order(let orderEvent) = domain {
                    switch orderEvent {
                    case .created(let created) where !customers.contains(created.customerID.rawValue):
                        customers.append(created.customerID.rawValue)
                    case .itemAdded(let added) where !products.contains(added.productID.rawValue):
                        products.append(added.productID.rawValue)
                    default: break
                    }
                }
                decoded.append(domain)
            } catch {
                failure = error
                break
            }
        }
        // The order's events merged with its customer's and products' events by position (each
        // list is in position order already). A rename after the order's last event still
        // reaches it; nothing after a failure does (the order is parked there).
        let end = failure?.position ?? .max
        var lists: [[Fact]] = []
        for id in customers { if let list = customerFacts[id] { lists.append(list) } }
        for id in products { if let list = productFacts[id] { lists.append(list) } }
        var heads = [Int](repeating: 0, count: lists.count)
        var state = ProjectionState()
        var changed: Set<String>? = nil
        var next = 0
        while true {
            var source = -1  // -1: the order's own next event
            var lowest = next < decoded.count ? orderEvents[next].position : end
            for index in lists.indices where heads[index] < lists[index].count {
                let position = lists[index][heads[index]].event.position
                if position < lowest {
                    lowest = position
                    source = index
                }
            }
            guard lowest < end else { break }
            do {
                if source < 0 {
                    next += 1
                    try state.apply(decoded[next - 1], of: orderEvents[next - 1], changed: &changed)
                } else {
                    heads[source] += 1
                    let fact = heads[source] - 1
                    try state.apply(lists[source][fact].domain, of: lists[source][fact].event, changed: &changed)
                }
            } catch let error as ProjectionError {
                // Only an order event can fail here: facts were read when loaded.
                failure = error
                break
            } catch {
                let event = source < 0 ? orderEvents[next - 1] : lists[source][heads[source] - 1].event
                failure = ProjectionError(position: event.position, streamID: event.streamID, reason: "\(error)")
                break
            }
        }
        return Result(document: state.documents[orderID], failure: failure)
    }
}
