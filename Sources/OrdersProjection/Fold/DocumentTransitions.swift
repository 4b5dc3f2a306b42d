package import OrdersDomain
package import OrdersSearch
package import OrdersStore

/// What each event does to the facts an order document denormalizes (customer names and
/// emails, product SKUs and names) and to one order's document. No I/O.
///
/// The production fold (`SnapshotFold`, for the projector, the reindex and dead-letter retries)
/// runs these, and so does the reference fold the tests hold it to, so the two cannot drift
/// apart. A document's `version` is the position of the newest event it reflects, including a
/// rename that reached it, so versions only grow.
package enum DocumentTransitions {
    package struct CustomerFacts: Sendable, Hashable {
        package var name: String
        package var email: String
    }

    package struct ProductFacts: Sendable, Hashable {
        package var sku: String
        package var name: String
    }

    /// The order id of an order stream (`order-<id>`), nil for other streams.
    package static func orderID(_ streamID: String) -> String? {
        let prefix = OrderTag.streamPrefix + "-"
        return streamID.hasPrefix(prefix) ? String(streamID.dropFirst(prefix.count)) : nil
    }

    /// The customer id of a customer stream, the product id of a product stream.
    static func aggregateID(_ streamID: String, prefix: String) -> String? {
        streamID.hasPrefix(prefix + "-") ? String(streamID.dropFirst(prefix.count + 1)) : nil
    }

    /// The domain event, or the projection error that parks its order.
    package static func decode(_ event: RecordedEvent) throws(ProjectionError) -> DomainEvent {
        do {
            return try event.decode()
        } catch {
            throw ProjectionError(position: event.position, streamID: event.streamID, reason: error.message)
        }
    }

    /// A customer's facts after `e`; true when the change reaches the customer's orders.
    package static func apply(_ e: CustomerEvent, to facts: inout CustomerFacts?) -> Bool {
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
    package static func apply(_ e: ProductEvent, to facts: inout ProductFacts?) -> String? {
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

    /// Whether a customer or product event changes the documents of the orders that refer to
    /// it (a new name or email, a product's new name). Exhaustive, so that a new event is
    /// decided here.
    package static func reachesOrders(_ event: DomainEvent) -> Bool {
        switch event {
        case .customer(.renamed), .customer(.emailChanged), .product(.renamed): true
        case .customer(.registered), .product(.added), .product(.repriced), .order: false
        }
    }

    /// A customer change (`event`) reaches one of the customer's orders.
    package static func apply(_ facts: CustomerFacts, _ event: RecordedEvent, to document: inout OrderDocument) {
        document.customer.name = facts.name
        document.customer.email = facts.email
        touch(&document, event)
    }

    /// A product rename (`event`) reaches an order holding the product.
    package static func rename(product id: String, to name: String, _ event: RecordedEvent, in document: inout OrderDocument) {
        for index in document.items.indices where document.items[index].productID == id { document.items[index].name = name }
        touch(&document, event)
    }

    /// The document an order's creation starts (`customer`: the facts of its customer).
    package static func document(
        _ orderID: String, created c: OrderCreated, customer: CustomerFacts?, _ event: RecordedEvent
    ) throws(ProjectionError) -> OrderDocument {
        guard let customer else { throw failure(event, "customer \(c.customerID) is unknown") }
        return OrderDocument(
            orderID: orderID, status: .draft, customer: .init(id: c.customerID.rawValue, name: customer.name, email: customer.email),
            items: [], currency: c.currency.code, shipping: .init(city: c.shipping.city, country: c.shipping.country), notes: c.notes,
            createdAt: event.recordedAt, updatedAt: event.recordedAt, version: event.position
        )
    }

    /// What an order event other than its creation does to its document (`product`: the facts
    /// of the product an `itemAdded` adds, nil when it is unknown).
    package static func apply(
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
    package static func failure(_ event: RecordedEvent, _ reason: String) -> ProjectionError {
        ProjectionError(position: event.position, streamID: event.streamID, reason: reason)
    }

    /// The error for an event that does not continue right after `position`.
    package static func hole(_ event: RecordedEvent, after position: Int64) -> ProjectionError {
        ProjectionError(
            position: event.position, streamID: event.streamID,
            reason: "expected position \(position + 1) next: the log has a hole or events arrived out of order", isHole: true)
    }

    /// The document now reflects `event`.
    private static func touch(_ document: inout OrderDocument, _ event: RecordedEvent) {
        document.version = event.position
        document.updatedAt = event.recordedAt
    }
}
