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

    /// Customer and product events by stream id, in position order.
    private var facts: [String: [Fact]] = [:]
    /// Every customer and product event at or below this position is in `facts`.
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
        for event in events {
            var stored = event
            stored.payload = .init()  // decoded below: the bytes are not needed again
            facts[event.streamID, default: []].append(Fact(event: stored, domain: try ProjectionState.decode(event)))
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
        var decoded: [Fact] = []
        decoded.reserveCapacity(orderEvents.count)
        var failure: ProjectionError?
        var related: Set<String> = []
        for event in orderEvents {
            do {
                let domain = try ProjectionState.decode(event)
                if case .order(let orderEvent) = domain {
                    switch orderEvent {
                    case .created(let created): related.insert(created.customerID.streamID)
                    case .itemAdded(let added): related.insert(added.productID.streamID)
                    default: break
                    }
                }
                decoded.append(Fact(event: event, domain: domain))
            } catch {
                failure = error
                break
            }
        }
        // Merge the order's events with its customer's and products' events by position. A
        // rename after the order's last event still reaches it; nothing after a failure does
        // (the order is parked there).
        var merged = decoded
        let end = failure?.position ?? .max
        for streamID in related { merged += (facts[streamID] ?? []).prefix { $0.event.position < end } }
        merged.sort { $0.event.position < $1.event.position }
        var state = ProjectionState()
        for fact in merged {
            do {
                _ = try state.apply(fact.domain, of: fact.event)
            } catch let error as ProjectionError {
                // Only an order event can fail here: facts were read when loaded.
                failure = error
                break
            } catch {
                failure = ProjectionError(position: fact.event.position, streamID: fact.event.streamID, reason: "\(error)")
                break
            }
        }
        return Result(document: state.documents[orderID], failure: failure)
    }
}
