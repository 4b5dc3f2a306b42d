public import Foundation
public import OrdersDomain

/// The read model of one order, denormalized for search: everything a search result, an order
/// page or a dashboard needs, without joins. A pure function of the event log; `version` is the
/// global position of the newest event it reflects, so versions only grow.
public struct OrderDocument: Sendable, Hashable, Codable {
    public struct Customer: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
        public var email: String

        public init(id: String, name: String, email: String) {
            self.id = id
            self.name = name
            self.email = email
        }
    }

    public struct Item: Sendable, Hashable, Codable {
        public var productID: String
        public var sku: String
        public var name: String
        public var quantity: Int
        public var unitPriceMinor: Int64
        public var subtotalMinor: Int64

        public init(productID: String, sku: String, name: String, quantity: Int, unitPriceMinor: Int64) {
            self.productID = productID
            self.sku = sku
            self.name = name
            self.quantity = quantity
            self.unitPriceMinor = unitPriceMinor
            self.subtotalMinor = unitPriceMinor * Int64(quantity)
        }

        enum CodingKeys: String, CodingKey {
            case productID = "product_id", sku, name, quantity, unitPriceMinor = "unit_price_minor", subtotalMinor = "subtotal_minor"
        }
    }

    public struct Shipping: Sendable, Hashable, Codable {
        public var city: String
        public var country: String

        public init(city: String, country: String) {
            self.city = city
            self.country = country
        }
    }

    public var orderID: String
    public var status: OrderStatus
    public var customer: Customer
    public var items: [Item]
    /// The sum of the items' quantities.
    public var itemCount: Int
    public var totalMinor: Int64
    public var currency: String
    public var shipping: Shipping
    public var notes: String?
    public var createdAt: Date
    public var submittedAt: Date?
    public var paidAt: Date?
    public var shippedAt: Date?
    public var deliveredAt: Date?
    public var cancelledAt: Date?
    public var cancelReason: String?
    public var carrier: String?
    public var trackingNumber: String?
    /// When the newest event this document reflects was recorded.
    public var updatedAt: Date
    /// The global position of the newest event this document reflects.
    public var version: Int64

    public init(
        orderID: String, status: OrderStatus, customer: Customer, items: [Item], currency: String, shipping: Shipping, notes: String?,
        createdAt: Date, updatedAt: Date, version: Int64
    ) {
        self.orderID = orderID
        self.status = status
        self.customer = customer
        self.items = items
        self.itemCount = items.reduce(0) { $0 + $1.quantity }
        self.totalMinor = items.reduce(0) { $0 + $1.subtotalMinor }
        self.currency = currency
        self.shipping = shipping
        self.notes = notes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    /// Recomputes `itemCount` and `totalMinor` from the items.
    public mutating func recomputeTotals() {
        itemCount = items.reduce(0) { $0 + $1.quantity }
        totalMinor = items.reduce(0) { $0 + $1.subtotalMinor }
    }

    /// The timestamp a date filter or sort refers to.
    public func date(_ field: DateField) -> Date? {
        switch field {
        case .createdAt: createdAt
        case .submittedAt: submittedAt
        case .paidAt: paidAt
        case .shippedAt: shippedAt
        case .deliveredAt: deliveredAt
        case .cancelledAt: cancelledAt
        case .updatedAt: updatedAt
        }
    }

    enum CodingKeys: String, CodingKey {
        case orderID = "order_id", status, customer, items, itemCount = "item_count", totalMinor = "total_minor", currency, shipping, notes
        case createdAt = "created_at", submittedAt = "submitted_at", paidAt = "paid_at", shippedAt = "shipped_at"
        case deliveredAt = "delivered_at", cancelledAt = "cancelled_at", cancelReason = "cancel_reason", carrier
        case trackingNumber = "tracking_number", updatedAt = "updated_at", version
    }
}

/// The order timestamps a search can filter and sort on.
public enum DateField: String, Sendable, Hashable, CaseIterable, Codable {
    case createdAt = "created_at", submittedAt = "submitted_at", paidAt = "paid_at", shippedAt = "shipped_at"
    case deliveredAt = "delivered_at", cancelledAt = "cancelled_at", updatedAt = "updated_at"
}
