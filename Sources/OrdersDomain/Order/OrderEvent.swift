/// Everything that can happen to an order. Each case's payload is stored as JSON under a stable
/// type name and schema version (see `EventCodec`).
package enum OrderEvent: Hashable, Sendable {
    case created(OrderCreated)
    case itemAdded(OrderItemAdded)
    case itemQuantityChanged(OrderItemQuantityChanged)
    case itemRemoved(OrderItemRemoved)
    case submitted(OrderSubmitted)
    case paid(OrderPaid)
    case shipped(OrderShipped)
    case delivered(OrderDelivered)
    case cancelled(OrderCancelled)

    /// The payload types of these cases, for `EventCodec` (see `DomainEvent.payloadTypes`).
    static let payloadTypes: [any EventPayload.Type] = [
        OrderCreated.self, OrderItemAdded.self, OrderItemQuantityChanged.self, OrderItemRemoved.self, OrderSubmitted.self, OrderPaid.self,
        OrderShipped.self, OrderDelivered.self, OrderCancelled.self,
    ]

    /// The payload this event carries.
    var payload: any EventPayload {
        switch self {
        case .created(let payload): payload
        case .itemAdded(let payload): payload
        case .itemQuantityChanged(let payload): payload
        case .itemRemoved(let payload): payload
        case .submitted(let payload): payload
        case .paid(let payload): payload
        case .shipped(let payload): payload
        case .delivered(let payload): payload
        case .cancelled(let payload): payload
        }
    }
}

/// `order.created` v2. (v1 stored the address as flat `shipping_city` / `shipping_country`.)
package struct OrderCreated: Hashable, Sendable, Codable {
    package var orderID: OrderID
    package var customerID: CustomerID
    package var shipping: ShippingAddress
    package var notes: String?
    package var currency: Currency

    package init(orderID: OrderID, customerID: CustomerID, shipping: ShippingAddress, notes: String?, currency: Currency) {
        self.orderID = orderID
        self.customerID = customerID
        self.shipping = shipping
        self.notes = notes
        self.currency = currency
    }

    enum CodingKeys: String, CodingKey {
        case orderID = "order_id"
        case customerID = "customer_id"
        case shipping, notes, currency
    }
}

extension OrderCreated: EventPayload {
    static let eventType = "order.created"
    static let schemaVersion = 2
    static let upcasters: [Int: EventCodec.Upcaster] = [1: fromV1]
    var domainEvent: DomainEvent { .order(.created(self)) }

    /// v1 → v2: the flat `shipping_city` / `shipping_country` pair became a `shipping` object, and
    /// `notes` became optional (v1 wrote `""` for none).
    private static let fromV1: EventCodec.Upcaster = { v1 throws(EventDecodingError) in
        guard let city = v1["shipping_city"] as? String, let country = v1["shipping_country"] as? String else {
            throw EventDecodingError(.malformedPayload, type: eventType, schemaVersion: 1, detail: "missing shipping_city or shipping_country")
        }
        var v2 = v1
        v2["shipping_city"] = nil
        v2["shipping_country"] = nil
        v2["shipping"] = ["city": city, "country": country] as [String: any Sendable]
        if let notes = v1["notes"] as? String, notes.isEmpty { v2["notes"] = nil }
        return v2
    }
}

/// `order.item_added` v1. The unit price is the product's price when the item was added.
package struct OrderItemAdded: Hashable, Sendable, Codable {
    package var productID: ProductID
    package var quantity: Int
    package var unitPrice: Money

    package init(productID: ProductID, quantity: Int, unitPrice: Money) {
        self.productID = productID
        self.quantity = quantity
        self.unitPrice = unitPrice
    }

    enum CodingKeys: String, CodingKey {
        case productID = "product_id"
        case quantity
        case unitPrice = "unit_price"
    }
}

extension OrderItemAdded: EventPayload {
    static let eventType = "order.item_added"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .order(.itemAdded(self)) }
}

/// `order.item_quantity_changed` v1.
package struct OrderItemQuantityChanged: Hashable, Sendable, Codable {
    package var productID: ProductID
    package var quantity: Int

    package init(productID: ProductID, quantity: Int) {
        self.productID = productID
        self.quantity = quantity
    }

    enum CodingKeys: String, CodingKey {
        case productID = "product_id"
        case quantity
    }
}

extension OrderItemQuantityChanged: EventPayload {
    static let eventType = "order.item_quantity_changed"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .order(.itemQuantityChanged(self)) }
}

/// `order.item_removed` v1.
package struct OrderItemRemoved: Hashable, Sendable, Codable {
    package var productID: ProductID

    package init(productID: ProductID) { self.productID = productID }

    enum CodingKeys: String, CodingKey {
        case productID = "product_id"
    }
}

extension OrderItemRemoved: EventPayload {
    static let eventType = "order.item_removed"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .order(.itemRemoved(self)) }
}

/// `order.submitted` v1, with the total the customer is asked to pay.
package struct OrderSubmitted: Hashable, Sendable, Codable {
    package var total: Money

    package init(total: Money) { self.total = total }
}

extension OrderSubmitted: EventPayload {
    static let eventType = "order.submitted"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .order(.submitted(self)) }
}

/// `order.paid` v1.
package struct OrderPaid: Hashable, Sendable, Codable {
    package var amount: Money
    package var paymentReference: String?

    package init(amount: Money, paymentReference: String?) {
        self.amount = amount
        self.paymentReference = paymentReference
    }

    enum CodingKeys: String, CodingKey {
        case amount
        case paymentReference = "payment_reference"
    }
}

extension OrderPaid: EventPayload {
    static let eventType = "order.paid"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .order(.paid(self)) }
}

/// `order.shipped` v1.
package struct OrderShipped: Hashable, Sendable, Codable {
    package var carrier: String
    package var trackingNumber: String

    package init(carrier: String, trackingNumber: String) {
        self.carrier = carrier
        self.trackingNumber = trackingNumber
    }

    enum CodingKeys: String, CodingKey {
        case carrier
        case trackingNumber = "tracking_number"
    }
}

extension OrderShipped: EventPayload {
    static let eventType = "order.shipped"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .order(.shipped(self)) }
}

/// `order.delivered` v1.
package struct OrderDelivered: Hashable, Sendable, Codable {
    package init() {}
}

extension OrderDelivered: EventPayload {
    static let eventType = "order.delivered"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .order(.delivered(self)) }
}

/// `order.cancelled` v1.
package struct OrderCancelled: Hashable, Sendable, Codable {
    package var reason: String

    package init(reason: String) { self.reason = reason }
}

extension OrderCancelled: EventPayload {
    static let eventType = "order.cancelled"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .order(.cancelled(self)) }
}
