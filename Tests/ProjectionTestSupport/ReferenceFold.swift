import Foundation
import OrdersDomain
import OrdersProjection
package import OrdersSearch
package import OrdersStore

/// The projection as a pure fold: events in position order in, order documents out.
///
/// It keeps what documents denormalize (customer names and emails, product SKUs and names) and
/// which orders refer to which customer and product, so a rename fans out to every affected order.
/// A document's `version` is the position of the newest event it reflects, including a rename
/// that reached it, so versions only grow. No I/O.
///
/// This is the reference fold the tests hold the production fold to: it holds every document,
/// which a service cannot afford on a big log. The projector and the reindex fold order by order
/// with `SnapshotFold`, which keeps only the facts; both run `DocumentTransitions`, and only the
/// routing differs (indexes of orders by customer and product here).
package struct ReferenceFold: Sendable {
    typealias CustomerFacts = DocumentTransitions.CustomerFacts
    typealias ProductFacts = DocumentTransitions.ProductFacts

    private(set) var customers: [String: CustomerFacts] = [:]
    private(set) var products: [String: ProductFacts] = [:]
    /// The current document of every order.
    package private(set) var documents: [String: OrderDocument] = [:]
    private var ordersByCustomer: [String: Set<String>] = [:]
    private var ordersByProduct: [String: Set<String>] = [:]
    /// The position of the last event applied.
    package private(set) var position: Int64 = 0

    package init() {}

    /// Applies events (which must continue right after `position`, without a hole) and returns
    /// the ids of the orders whose documents changed.
    package mutating func apply(_ events: [RecordedEvent]) throws -> Set<String> {
        var changed: Set<String>? = []
        for event in events {
            guard event.position == position + 1 else { throw DocumentTransitions.hole(event, after: position) }
            try apply(event, changed: &changed)
            position = event.position
        }
        return changed ?? []
    }

    private mutating func apply(_ event: RecordedEvent, changed: inout Set<String>?) throws {
        try apply(try DocumentTransitions.decode(event), event, changed: &changed)
    }

    private mutating func apply(_ domainEvent: DomainEvent, _ event: RecordedEvent, changed: inout Set<String>?) throws {
        switch domainEvent {
        case .customer(let e): applyCustomer(e, event, changed: &changed)
        case .product(let e): applyProduct(e, event, changed: &changed)
        case .order(let e): try applyOrder(e, event, changed: &changed)
        }
    }

    private mutating func applyCustomer(_ e: CustomerEvent, _ event: RecordedEvent, changed: inout Set<String>?) {
        let id = String(event.streamID.dropFirst(CustomerTag.streamPrefix.count + 1))
        let fansOut = DocumentTransitions.apply(e, to: &customers[id])
        guard fansOut, let orders = ordersByCustomer[id], let facts = customers[id] else { return }
        for orderID in orders where documents[orderID] != nil {
            DocumentTransitions.apply(facts, event, to: &documents[orderID]!)
            changed?.insert(orderID)
        }
    }

    private mutating func applyProduct(_ e: ProductEvent, _ event: RecordedEvent, changed: inout Set<String>?) {
        let id = String(event.streamID.dropFirst(ProductTag.streamPrefix.count + 1))
        guard let renamed = DocumentTransitions.apply(e, to: &products[id]) else { return }
        for orderID in ordersByProduct[id] ?? [] where documents[orderID] != nil {
            DocumentTransitions.rename(product: id, to: renamed, event, in: &documents[orderID]!)
            changed?.insert(orderID)
        }
    }

    private mutating func applyOrder(_ e: OrderEvent, _ event: RecordedEvent, changed: inout Set<String>?) throws {
        let orderID = String(event.streamID.dropFirst(OrderTag.streamPrefix.count + 1))
        if case .created(let c) = e {
            documents[orderID] = try DocumentTransitions.document(orderID, created: c, customer: customers[c.customerID.rawValue], event)
            ordersByCustomer[c.customerID.rawValue, default: []].insert(orderID)
            changed?.insert(orderID)
            return
        }
        guard documents[orderID] != nil else { throw DocumentTransitions.failure(event, "order \(orderID) has no creation event before this one") }
        var product: ProductFacts?
        if case .itemAdded(let a) = e {
            product = products[a.productID.rawValue]
            if product != nil { ordersByProduct[a.productID.rawValue, default: []].insert(orderID) }
        }
        if case .itemRemoved(let r) = e { ordersByProduct[r.productID.rawValue]?.remove(orderID) }
        // Changed in place: the document is not copied out of the dictionary and back.
        try DocumentTransitions.apply(e, product: product, event, to: &documents[orderID]!)
        changed?.insert(orderID)
    }
}
