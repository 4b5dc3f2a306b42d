package import Foundation
package import OrdersDomain

/// One page of `SearchOrders`.
package struct SearchOrdersResult: Sendable, Hashable {
    package struct Hit: Sendable, Hashable {
        package var order: OrderSummary
        /// Matched fragments by field (`customer.name`, `items.name`, `notes`, ...), with `<em>` marks.
        package var highlights: [String: [String]]
    }

    /// Matching orders in all.
    package var total: Int
    /// False when `total` is a lower bound.
    package var totalIsExact: Bool
    package var hits: [Hit]
    /// Counts by status of the orders matching every filter but `status` (so a UI can offer the others).
    package var statusCounts: [OrderStatus: Int]
    /// Pass as `after` for the next page; `nil` on the last page.
    package var nextCursor: String?
}

/// What a result list shows of an order.
package struct OrderSummary: Sendable, Hashable, Codable {
    package var orderID: String
    package var status: OrderStatus
    package var customerID: String
    package var customerName: String
    package var itemCount: Int
    package var totalMinor: Int64
    package var currency: String
    package var city: String
    package var country: String
    package var createdAt: Date
    package var updatedAt: Date

    package init(
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

    package init(_ document: OrderDocument) {
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
