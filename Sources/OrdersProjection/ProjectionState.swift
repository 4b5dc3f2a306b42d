import Foundation
import OrdersDomain
public import OrdersSearch
public import OrdersStore

/// The projection as a pure fold: events in position order in, order documents out.
///
/// It keeps what documents denormalize (customer names and emails, product SKUs and names) and
/// which orders refer to which customer and product, so a rename fans out to every affected order.
/// A document's `version` is the position of the newest event it reflects, including a rename
/// that reached it, so versions only grow. No I/O.
///
/// This is the reference fold: it holds every document, which a service cannot afford on a big
/// log. The projector and the reindex fold order by order with `SnapshotFold`, which runs the
/// transitions below and keeps only the facts; the tests hold the two equal.
public struct ProjectionState: Sendable {
    struct CustomerFacts: Sendable, Hashable {
        var name: String
        var email: String
    }

    struct ProductFacts: Sendable, Hashable {
        var sku: String
        var name: String
    }

    private(set) var customers: [String: CustomerFacts] = [:]
    private(set) var products: [String: ProductFacts] = [:]
    /// The current document of every order.
    public private(set) var documents: [String: OrderDocument] = [:]
    private var ordersByCustomer: [String: Set<String>] = [:]
    private var ordersByProduct: [String: Set<String>] = [:]
    /// The position of the last event applied.
    public private(set) var position: Int64 = 0

    public init() {}

    /// Applies events (which must continue right after `position`, without a hole) and returns
    /// the ids of the orders whose documents changed.
    public mutating func apply(_ events: [RecordedEvent]) throws -> Set<String> {
        var changed: Set<String>? = []
        for event in events {
            guard event.position == position + 1 else {
                throw ProjectionError(
                    position: event.position, streamID: event.streamID,
                    reason: "expected position \(position + 1) next: the log has a hole or events arrived out of order", isHole: true
                )
            }
            try apply(event, changed: &changed)
            position = event.position
        }
        return changed ?? []
    }

    /// The order id of an order stream (`order-<id>`), nil for other streams.
    public static func orderID(_ streamID: String) -> String? {
        let prefix = OrderTag.streamPrefix + "-"
        return streamID.hasPrefix(prefix) ? String(streamID.dropFirst(prefix.count)) : nil
    }

    /// The domain event, or the projection error that parks its order.
    static func decode(_ event: RecordedEvent) throws(ProjectionError) -> DomainEvent {
        do {
            return try event.decode()
        } catch {
            throw ProjectionError(position: event.position, streamID: event.streamID, reason: error.message)
        }
    }

    private mutating func apply(_ event: RecordedEvent, changed: inout Set<String>?) throws {
        try apply(try Self.decode(event), event, changed: &changed)
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
        let fansOut = Self.apply(e, to: &customers[id])
        guard fansOut, let orders = ordersByCustomer[id], let facts = customers[id] else { return }
        for orderID in orders where documents[orderID] != nil {
            Self.apply(facts, event, to: &documents[orderID]!)
            changed?.insert(orderID)
        }
    }

    private mutating func applyProduct(_ e: ProductEvent, _ event: RecordedEvent, changed: inout Set<String>?) {
        let id = String(event.streamID.dropFirst(ProductTag.streamPrefix.count + 1))
        guard let renamed = Self.apply(e, to: &products[id]) else { return }
        for orderID in ordersByProduct[id] ?? [] where documents[orderID] != nil {
            Self.rename(product: id, to: renamed, event, in: &documents[orderID]!)
            changed?.insert(orderID)
        }
    }

    private mutating func applyOrder(_ e: OrderEvent, _ event: RecordedEvent, changed: inout Set<String>?) throws {
        let orderID = String(event.streamID.dropFirst(OrderTag.streamPrefix.count + 1))
        if case .created(let c) = e {
            documents[orderID] = try Self.document(orderID, created: c, customer: customers[c.customerID.rawValue], event)
            ordersByCustomer[c.customerID.rawValue, default: []].insert(orderID)
            changed?.insert(orderID)
            return
        }
        guard documents[orderID] != nil else { throw Self.failure(event, "order \(orderID) has no creation event before this one") }
        var product: ProductFacts?
        if case .itemAdded(let a) = e {
            product = products[a.productID.rawValue]
            if product != nil { ordersByProduct[a.productID.rawValue, default: []].insert(orderID) }
        }
        if case .itemRemoved(let r) = e { ordersByProduct[r.productID.rawValue]?.remove(orderID) }
        // Changed in place: the document is not copied out of the dictionary and back.
        try Self.apply(e, product: product, event, to: &documents[orderID]!)
        changed?.insert(orderID)
    }

    // MARK: Transitions

    // What each event does to the facts and to one document. `ProjectionState` routes an event
    // to every document it reaches; `SnapshotFold` to the one order it folds. Both call these,
    // so the two folds cannot drift apart.

    /// A customer's facts after `e`; true when the change reaches the customer's orders.
    static func apply(_ e: CustomerEvent, to facts: inout CustomerFacts?) -> Bool {
        switch e {
        case .registered(let r):
            facts = CustomerFacts(name: r.name, email: r.email)
            return false
        case .renamed(let r):
            facts?.name = r.name
        case .emailChanged(let r):
            facts?.email = r.email
        }
        return facts != nil
    }

    /// A product's facts after `e`; its new name when the change reaches the orders holding it.
    static func apply(_ e: ProductEvent, to facts: inout ProductFacts?) -> String? {
        switch e {
        case .added(let a):
            facts = ProductFacts(sku: a.sku, name: a.name)
        case .repriced:
            // Orders keep the price an item had when it was added: nothing to fan out.
            break
        case .renamed(let r):
            facts?.name = r.name
            return r.name
        }
        return nil
    }

    /// A customer change (`event`) reaches one of the customer's orders.
    static func apply(_ facts: CustomerFacts, _ event: RecordedEvent, to document: inout OrderDocument) {
        document.customer.name = facts.name
        document.customer.email = facts.email
        touch(&document, event)
    }

    /// A product rename (`event`) reaches an order holding the product.
    static func rename(product id: String, to name: String, _ event: RecordedEvent, in document: inout OrderDocument) {
        for index in document.items.indices where document.items[index].productID == id { document.items[index].name = name }
        touch(&document, event)
    }

    /// The document an order's creation starts (`customer`: the facts of its customer).
    static func document(
        _ orderID: String, created c: OrderCreated, customer: CustomerFacts?, _ event: RecordedEvent
    ) throws(ProjectionError)
        -> OrderDocument
    {
        guard let customer else { throw failure(event, "customer \(c.customerID) is unknown") }
        return OrderDocument(
            orderID: orderID, status: .draft, customer: .init(id: c.customerID.rawValue, name: customer.name, email: customer.email),
            items: [], currency: c.currency.code, shipping: .init(city: c.shipping.city, country: c.shipping.country), notes: c.notes,
            createdAt: event.recordedAt, updatedAt: event.recordedAt, version: event.position
        )
    }

    /// What an order event other than its creation does to its document (`product`: the facts
    /// of the product an `itemAdded` adds, nil when it is unknown).
    static func apply(
        _ e: OrderEvent, product: ProductFacts?, _ event: RecordedEvent, to document: inout OrderDocument
    ) throws(ProjectionError) {
        switch e {
        case .created: break
        case .itemAdded(let a):
            guard let product else { throw failure(event, "product \(a.productID) is unknown") }
            document.items.append(
                .init(
                    productID: a.productID.rawValue, sku: product.sku, name: product.name, quantity: a.quantity,
                    unitPriceMinor: a.unitPrice.amountMinor)
            )
        case .itemQuantityChanged(let c):
            guard let index = document.items.firstIndex(where: { $0.productID == c.productID.rawValue }) else {
                throw failure(event, "product \(c.productID) is not an item of order \(document.orderID)")
            }
            document.items[index].quantity = c.quantity
            document.items[index].subtotalMinor = document.items[index].unitPriceMinor * Int64(c.quantity)
        case .itemRemoved(let r):
            document.items.removeAll { $0.productID == r.productID.rawValue }
        case .submitted:
            document.status = .submitted
            document.submittedAt = event.recordedAt
        case .paid:
            document.status = .paid
            document.paidAt = event.recordedAt
        case .shipped(let s):
            document.status = .shipped
            document.shippedAt = event.recordedAt
            document.carrier = s.carrier
            document.trackingNumber = s.trackingNumber
        case .delivered:
            document.status = .delivered
            document.deliveredAt = event.recordedAt
        case .cancelled(let c):
            document.status = .cancelled
            document.cancelledAt = event.recordedAt
            document.cancelReason = c.reason
        }
        document.recomputeTotals()
        touch(&document, event)
    }

    /// Why `event` cannot be projected.
    static func failure(_ event: RecordedEvent, _ reason: String) -> ProjectionError {
        ProjectionError(position: event.position, streamID: event.streamID, reason: reason)
    }

    /// The document now reflects `event`.
    private static func touch(_ document: inout OrderDocument, _ event: RecordedEvent) {
        document.version = event.position
        document.updatedAt = event.recordedAt
    }
}
