package import Foundation
package import OrdersDomain

/// The read model of one order, denormalized for search: everything a search result, an order
/// page or a dashboard needs, without joins. A pure function of the event log; `version` is the
/// global position of the newest event it reflects, so versions only grow.
package struct OrderDocument: Sendable, Hashable, Codable {
    package struct Customer: Sendable, Hashable, Codable {
        package var id: String
        package var name: String
        package var email: String

        package init(id: String, name: String, email: String) {
            self.id = id
            self.name = name
            self.email = email
        }
    }

    package struct Item: Sendable, Hashable, Codable {
        package var productID: String
        package var sku: String
        package var name: String
        package var quantity: Int
        package var unitPriceMinor: Int64
        package var subtotalMinor: Int64

        package init(productID: String, sku: String, name: String, quantity: Int, unitPriceMinor: Int64) {
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

    package struct Shipping: Sendable, Hashable, Codable {
        package var city: String
        package var country: String

        package init(city: String, country: String) {
            self.city = city
            self.country = country
        }
    }

    package var orderID: String
    package var status: OrderStatus
    package var customer: Customer
    package var items: [Item]
    /// The sum of the items' quantities.
    package var itemCount: Int
    package var totalMinor: Int64
    package var currency: String
    package var shipping: Shipping
    package var notes: String?
    package var createdAt: Date
    package var submittedAt: Date?
    package var paidAt: Date?
    package var shippedAt: Date?
    package var deliveredAt: Date?
    package var cancelledAt: Date?
    package var cancelReason: String?
    package var carrier: String?
    package var trackingNumber: String?
    /// When the newest event this document reflects was recorded.
    package var updatedAt: Date
    /// The global position of the newest event this document reflects.
    package var version: Int64

    package init(
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
    package mutating func recomputeTotals() {
        itemCount = items.reduce(0) { $0 + $1.quantity }
        totalMinor = items.reduce(0) { $0 + $1.subtotalMinor }
    }

    /// The timestamp a date filter or sort refers to.
    package func date(_ field: DateField) -> Date? {
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
package enum DateField: String, Sendable, Hashable, CaseIterable, Codable {
    case createdAt = "created_at", submittedAt = "submitted_at", paidAt = "paid_at", shippedAt = "shipped_at"
    case deliveredAt = "delivered_at", cancelledAt = "cancelled_at", updatedAt = "updated_at"
}
