public import Foundation
public import OrdersDomain

/// One page of `SearchOrders`.
public struct SearchOrdersResult: Sendable, Hashable {
    public struct Hit: Sendable, Hashable {
        public var order: OrderSummary
        /// Matched fragments by field (`customer.name`, `items.name`, `notes`, ...), with `<em>` marks.
        public var highlights: [String: [String]]
    }

    /// Matching orders in all.
    public var total: Int
    /// False when `total` is a lower bound.
    public var totalIsExact: Bool
    public var hits: [Hit]
    /// Counts by status of the orders matching every filter but `status` (so a UI can offer the others).
    public var statusCounts: [OrderStatus: Int]
    /// Pass as `after` for the next page; `nil` on the last page.
    public var nextCursor: String?
}

/// What a result list shows of an order.
public struct OrderSummary: Sendable, Hashable, Codable {
    public var orderID: String
    public var status: OrderStatus
    public var customerID: String
    public var customerName: String
    public var itemCount: Int
    public var totalMinor: Int64
    public var currency: String
    public var city: String
    public var country: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        orderID: String, status: OrderStatus, customerID: String, customerName: String, itemCount: Int, totalMinor: Int64, currency: String,
        city: String, country: String, createdAt: Date, updatedAt: Date
    ) {
        self.orderID = orderID
        self.status = status
        self.customerID = customerID
        self.customerName = customerName
        self.itemCount = itemCount
        self.totalMinor = totalMinor
        self.currency = currency
        self.city = city
        self.country = country
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public init(_ document: OrderDocument) {
        orderID = document.orderID
        status = document.status
        customerID = document.customer.id
        customerName = document.customer.name
        itemCount = document.itemCount
        totalMinor = document.totalMinor
        currency = document.currency
        city = document.shipping.city
        country = document.shipping.country
        createdAt = document.createdAt
        updatedAt = document.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case orderID = "order_id", status, customerID = "customer_id", customerName = "customer_name", itemCount = "item_count"
        case totalMinor = "total_minor", currency, city, country, createdAt = "created_at", updatedAt = "updated_at"
    }
}
