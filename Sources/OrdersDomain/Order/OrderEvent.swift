/// Everything that can happen to an order. Each case's payload is stored as JSON under a stable
/// type name and schema version (see `EventCodec`).
public enum OrderEvent: Hashable, Sendable {
    case created(OrderCreated)
    case itemAdded(OrderItemAdded)
    case itemQuantityChanged(OrderItemQuantityChanged)
    case itemRemoved(OrderItemRemoved)
    case submitted(OrderSubmitted)
    case paid(OrderPaid)
    case shipped(OrderShipped)
    case delivered(OrderDelivered)
    case cancelled(OrderCancelled)
}

/// `order.created` v2. (v1 stored the address as flat `shipping_city` / `shipping_country`.)
public struct OrderCreated: Hashable, Sendable, Codable {
    public var orderID: OrderID
    public var customerID: CustomerID
    public var shipping: ShippingAddress
    public var notes: String?
    public var currency: Currency

    public init(orderID: OrderID, customerID: CustomerID, shipping: ShippingAddress, notes: String?, currency: Currency) {
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

/// `order.item_added` v1. The unit price is the product's price when the item was added.
public struct OrderItemAdded: Hashable, Sendable, Codable {
    public var productID: ProductID
    public var quantity: Int
    public var unitPrice: Money

    public init(productID: ProductID, quantity: Int, unitPrice: Money) {
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

/// `order.item_quantity_changed` v1.
public struct OrderItemQuantityChanged: Hashable, Sendable, Codable {
    public var productID: ProductID
    public var quantity: Int

    public init(productID: ProductID, quantity: Int) {
        self.productID = productID
        self.quantity = quantity
    }

    enum CodingKeys: String, CodingKey {
        case productID = "product_id"
        case quantity
    }
}

/// `order.item_removed` v1.
public struct OrderItemRemoved: Hashable, Sendable, Codable {
    public var productID: ProductID

    public init(productID: ProductID) { self.productID = productID }

    enum CodingKeys: String, CodingKey {
        case productID = "product_id"
    }
}

/// `order.submitted` v1, with the total the customer is asked to pay.
public struct OrderSubmitted: Hashable, Sendable, Codable {
    public var total: Money

    public init(total: Money) { self.total = total }
}

/// `order.paid` v1.
public struct OrderPaid: Hashable, Sendable, Codable {
    public var amount: Money
    public var paymentReference: String?

    public init(amount: Money, paymentReference: String?) {
        self.amount = amount
        self.paymentReference = paymentReference
    }

    enum CodingKeys: String, CodingKey {
        case amount
        case paymentReference = "payment_reference"
    }
}

/// `order.shipped` v1.
public struct OrderShipped: Hashable, Sendable, Codable {
    public var carrier: String
    public var trackingNumber: String

    public init(carrier: String, trackingNumber: String) {
        self.carrier = carrier
        self.trackingNumber = trackingNumber
    }

    enum CodingKeys: String, CodingKey {
        case carrier
        case trackingNumber = "tracking_number"
    }
}

/// `order.delivered` v1.
public struct OrderDelivered: Hashable, Sendable, Codable {
    public init() {}
}

/// `order.cancelled` v1.
public struct OrderCancelled: Hashable, Sendable, Codable {
    public var reason: String

    public init(reason: String) { self.reason = reason }
}
