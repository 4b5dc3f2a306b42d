package import Foundation
package import OrdersDomain

/// An amount in one currency's minor units.
package struct CurrencyAmount: Sendable, Hashable, Codable {
    package var currency: String
    package var amountMinor: Int64

    package init(currency: String, amountMinor: Int64) {
        self.currency = currency
        self.amountMinor = amountMinor
    }

    enum CodingKeys: String, CodingKey { case currency, amountMinor = "amount_minor" }

    /// Sums by currency, ordered by currency code.
    static func totals(_ amounts: some Sequence<(String, Int64)>) -> [CurrencyAmount] {
        Dictionary(amounts.map { ($0.0, $0.1) }, uniquingKeysWith: +).sorted { $0.key < $1.key }
            .map { CurrencyAmount(currency: $0.key, amountMinor: $0.value) }
    }
}

/// Orders and revenue of one status.
package struct StatusFigures: Sendable, Hashable, Codable {
    package var status: OrderStatus
    package var orders: Int
    package var revenue: [CurrencyAmount]

    package init(status: OrderStatus, orders: Int, revenue: [CurrencyAmount]) {
        self.status = status
        self.orders = orders
        self.revenue = revenue
    }
}

/// `orders-over-time`: one bucket per interval from the bucket holding `from` to the one holding
/// the last instant before `to`, empty buckets included.
package struct OrdersOverTime: Sendable, Hashable, Codable {
    package struct Bucket: Sendable, Hashable, Codable {
        /// The bucket's first instant (a local midnight, Monday or month start in the zone).
        package var start: Date
        package var orders: Int
        package var revenue: [CurrencyAmount]
        /// Statuses with orders in this bucket, in lifecycle order.
        package var statuses: [StatusFigures]

        package init(start: Date, orders: Int, revenue: [CurrencyAmount], statuses: [StatusFigures]) {
            self.start = start
            self.orders = orders
            self.revenue = revenue
            self.statuses = statuses
        }
    }

    package var interval: AnalyticsQuery.Interval
    package var timeZone: String
    package var buckets: [Bucket]

    package init(interval: AnalyticsQuery.Interval, timeZone: String, buckets: [Bucket]) {
        self.interval = interval
        self.timeZone = timeZone
        self.buckets = buckets
    }

    enum CodingKeys: String, CodingKey { case interval, timeZone = "time_zone", buckets }
}

extension AnalyticsQuery.Interval: Codable {}

/// `status-breakdown`: statuses with at least one order, in lifecycle order.
package struct StatusBreakdown: Sendable, Hashable, Codable {
    package var statuses: [StatusFigures]

    package init(statuses: [StatusFigures]) { self.statuses = statuses }
}

/// One product's figures over the selected orders.
package struct ProductFigures: Sendable, Hashable, Codable {
    package var productID: String
    /// The SKU and name found on most of its order items (ties: the first in code-point order).
    package var sku: String
    package var name: String
    package var revenueMinor: Int64
    package var quantity: Int
    /// Orders that contain the product.
    package var orders: Int

    package init(productID: String, sku: String, name: String, revenueMinor: Int64, quantity: Int, orders: Int) {
        self.productID = productID
        self.sku = sku
        self.name = name
        self.revenueMinor = revenueMinor
        self.quantity = quantity
        self.orders = orders
    }

    enum CodingKeys: String, CodingKey { case productID = "product_id", sku, name, revenueMinor = "revenue_minor", quantity, orders }
}

/// `top-products`, per currency (ties: product id ascending).
package struct TopProducts: Sendable, Hashable, Codable {
    package struct Ranking: Sendable, Hashable, Codable {
        package var currency: String
        package var byRevenue: [ProductFigures]
        package var byQuantity: [ProductFigures]

        package init(currency: String, byRevenue: [ProductFigures], byQuantity: [ProductFigures]) {
            self.currency = currency
            self.byRevenue = byRevenue
            self.byQuantity = byQuantity
        }

        enum CodingKeys: String, CodingKey { case currency, byRevenue = "by_revenue", byQuantity = "by_quantity" }
    }

    package var currencies: [Ranking]

    package init(currencies: [Ranking]) { self.currencies = currencies }
}

/// One customer's figures over the selected orders.
package struct CustomerFigures: Sendable, Hashable, Codable {
    package var customerID: String
    /// As on the customer's most recently updated selected order.
    package var name: String
    package var email: String
    package var revenueMinor: Int64
    package var orders: Int

    package init(customerID: String, name: String, email: String, revenueMinor: Int64, orders: Int) {
        self.customerID = customerID
        self.name = name
        self.email = email
        self.revenueMinor = revenueMinor
        self.orders = orders
    }

    enum CodingKeys: String, CodingKey { case customerID = "customer_id", name, email, revenueMinor = "revenue_minor", orders }
}

/// `top-customers`, per currency (ties: customer id ascending).
package struct TopCustomers: Sendable, Hashable, Codable {
    package struct Ranking: Sendable, Hashable, Codable {
        package var currency: String
        package var customers: [CustomerFigures]

        package init(currency: String, customers: [CustomerFigures]) {
            self.currency = currency
            self.customers = customers
        }
    }

    package var currencies: [Ranking]

    package init(currencies: [Ranking]) { self.currencies = currencies }
}

/// `revenue-by-country`, per currency, countries by revenue (ties: country code ascending).
package struct RevenueByCountry: Sendable, Hashable, Codable {
    package struct Country: Sendable, Hashable, Codable {
        package var country: String
        package var revenueMinor: Int64
        package var orders: Int

        package init(country: String, revenueMinor: Int64, orders: Int) {
            self.country = country
            self.revenueMinor = revenueMinor
            self.orders = orders
        }

        enum CodingKeys: String, CodingKey { case country, revenueMinor = "revenue_minor", orders }
    }

    package struct Ranking: Sendable, Hashable, Codable {
        package var currency: String
        package var countries: [Country]

        package init(currency: String, countries: [Country]) {
            self.currency = currency
            self.countries = countries
        }
    }

    package var currencies: [Ranking]

    package init(currencies: [Ranking]) { self.currencies = currencies }
}

/// `averages`: order value per currency, items per order over all selected orders.
package struct OrderAverages: Sendable, Hashable, Codable {
    package struct PerCurrency: Sendable, Hashable, Codable {
        package var currency: String
        package var orders: Int
        package var revenueMinor: Int64
        /// `revenueMinor / orders`, unrounded.
        package var averageOrderValueMinor: Double

        package init(currency: String, orders: Int, revenueMinor: Int64, averageOrderValueMinor: Double) {
            self.currency = currency
            self.orders = orders
            self.revenueMinor = revenueMinor
            self.averageOrderValueMinor = averageOrderValueMinor
        }

        enum CodingKeys: String, CodingKey {
            case currency, orders, revenueMinor = "revenue_minor", averageOrderValueMinor = "average_order_value_minor"
        }
    }

    package var orders: Int
    /// The mean of the orders' item counts (sum of quantities); `nil` without orders.
    package var itemsPerOrder: Double?
    package var currencies: [PerCurrency]

    package init(orders: Int, itemsPerOrder: Double?, currencies: [PerCurrency]) {
        self.orders = orders
        self.itemsPerOrder = itemsPerOrder
        self.currencies = currencies
    }

    enum CodingKeys: String, CodingKey { case orders, itemsPerOrder = "items_per_order", currencies }
}

/// The answer of one panel.
package enum AnalyticsAnswer: Sendable, Hashable, Encodable {
    case ordersOverTime(OrdersOverTime)
    case statusBreakdown(StatusBreakdown)
    case topProducts(TopProducts)
    case topCustomers(TopCustomers)
    case revenueByCountry(RevenueByCountry)
    case averages(OrderAverages)

    /// Encodes as the panel's own answer.
    package func encode(to encoder: any Encoder) throws {
        switch self {
        case .ordersOverTime(let answer): try answer.encode(to: encoder)
        case .statusBreakdown(let answer): try answer.encode(to: encoder)
        case .topProducts(let answer): try answer.encode(to: encoder)
        case .topCustomers(let answer): try answer.encode(to: encoder)
        case .revenueByCountry(let answer): try answer.encode(to: encoder)
        case .averages(let answer): try answer.encode(to: encoder)
        }
    }
}

extension StatusFigures {
    /// Figures per status from (status, currency, orders, revenue) rows, statuses in lifecycle order.
    static func collect(_ rows: [(status: OrderStatus, currency: String, orders: Int, revenue: Int64)]) -> [StatusFigures] {
        OrderStatus.allCases.compactMap { status in
            let mine = rows.filter { $0.status == status }
            guard !mine.isEmpty else { return nil }
            return StatusFigures(
                status: status, orders: mine.reduce(0) { $0 + $1.orders }, revenue: CurrencyAmount.totals(mine.map { ($0.currency, $0.revenue) }))
        }
    }
}
