public import Foundation
public import OrdersDomain

/// An amount in one currency's minor units.
public struct CurrencyAmount: Sendable, Hashable, Codable {
    public var currency: String
    public var amountMinor: Int64

    public init(currency: String, amountMinor: Int64) {
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
public struct StatusFigures: Sendable, Hashable, Codable {
    public var status: OrderStatus
    public var orders: Int
    public var revenue: [CurrencyAmount]

    public init(status: OrderStatus, orders: Int, revenue: [CurrencyAmount]) {
        self.status = status
        self.orders = orders
        self.revenue = revenue
    }
}

/// `orders-over-time`: one bucket per interval from the bucket holding `from` to the one holding
/// the last instant before `to`, empty buckets included.
public struct OrdersOverTime: Sendable, Hashable, Codable {
    public struct Bucket: Sendable, Hashable, Codable {
        /// The bucket's first instant (a local midnight, Monday or month start in the zone).
        public var start: Date
        public var orders: Int
        public var revenue: [CurrencyAmount]
        /// Statuses with orders in this bucket, in lifecycle order.
        public var statuses: [StatusFigures]

        public init(start: Date, orders: Int, revenue: [CurrencyAmount], statuses: [StatusFigures]) {
            self.start = start
            self.orders = orders
            self.revenue = revenue
            self.statuses = statuses
        }
    }

    public var interval: AnalyticsQuery.Interval
    public var timeZone: String
    public var buckets: [Bucket]

    public init(interval: AnalyticsQuery.Interval, timeZone: String, buckets: [Bucket]) {
        self.interval = interval
        self.timeZone = timeZone
        self.buckets = buckets
    }

    enum CodingKeys: String, CodingKey { case interval, timeZone = "time_zone", buckets }
}

extension AnalyticsQuery.Interval: Codable {}

/// `status-breakdown`: statuses with at least one order, in lifecycle order.
public struct StatusBreakdown: Sendable, Hashable, Codable {
    public var statuses: [StatusFigures]

    public init(statuses: [StatusFigures]) { self.statuses = statuses }
}

/// One product's figures over the selected orders.
public struct ProductFigures: Sendable, Hashable, Codable {
    public var productID: String
    /// The SKU and name found on most of its order items (ties: the first in code-point order).
    public var sku: String
    public var name: String
    public var revenueMinor: Int64
    public var quantity: Int
    /// Orders that contain the product.
    public var orders: Int

    public init(productID: String, sku: String, name: String, revenueMinor: Int64, quantity: Int, orders: Int) {
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
public struct TopProducts: Sendable, Hashable, Codable {
    public struct Ranking: Sendable, Hashable, Codable {
        public var currency: String
        public var byRevenue: [ProductFigures]
        public var byQuantity: [ProductFigures]

        public init(currency: String, byRevenue: [ProductFigures], byQuantity: [ProductFigures]) {
            self.currency = currency
            self.byRevenue = byRevenue
            self.byQuantity = byQuantity
        }

        enum CodingKeys: String, CodingKey { case currency, byRevenue = "by_revenue", byQuantity = "by_quantity" }
    }

    public var currencies: [Ranking]

    public init(currencies: [Ranking]) { self.currencies = currencies }
}

/// One customer's figures over the selected orders.
public struct CustomerFigures: Sendable, Hashable, Codable {
    public var customerID: String
    /// As on the customer's most recently updated selected order.
    public var name: String
    public var email: String
    public var revenueMinor: Int64
    public var orders: Int

    public init(customerID: String, name: String, email: String, revenueMinor: Int64, orders: Int) {
        self.customerID = customerID
        self.name = name
        self.email = email
        self.revenueMinor = revenueMinor
        self.orders = orders
    }

    enum CodingKeys: String, CodingKey { case customerID = "customer_id", name, email, revenueMinor = "revenue_minor", orders }
}

/// `top-customers`, per currency (ties: customer id ascending).
public struct TopCustomers: Sendable, Hashable, Codable {
    public struct Ranking: Sendable, Hashable, Codable {
        public var currency: String
        public var customers: [CustomerFigures]

        public init(currency: String, customers: [CustomerFigures]) {
            self.currency = currency
            self.customers = customers
        }
    }

    public var currencies: [Ranking]

    public init(currencies: [Ranking]) { self.currencies = currencies }
}

/// `revenue-by-country`, per currency, countries by revenue (ties: country code ascending).
public struct RevenueByCountry: Sendable, Hashable, Codable {
    public struct Country: Sendable, Hashable, Codable {
        public var country: String
        public var revenueMinor: Int64
        public var orders: Int

        public init(country: String, revenueMinor: Int64, orders: Int) {
            self.country = country
            self.revenueMinor = revenueMinor
            self.orders = orders
        }

        enum CodingKeys: String, CodingKey { case country, revenueMinor = "revenue_minor", orders }
    }

    public struct Ranking: Sendable, Hashable, Codable {
        public var currency: String
        public var countries: [Country]

        public init(currency: String, countries: [Country]) {
            self.currency = currency
            self.countries = countries
        }
    }

    public var currencies: [Ranking]

    public init(currencies: [Ranking]) { self.currencies = currencies }
}

/// `averages`: order value per currency, items per order over all selected orders.
public struct OrderAverages: Sendable, Hashable, Codable {
    public struct PerCurrency: Sendable, Hashable, Codable {
        public var currency: String
        public var orders: Int
        public var revenueMinor: Int64
        /// `revenueMinor / orders`, unrounded.
        public var averageOrderValueMinor: Double

        public init(currency: String, orders: Int, revenueMinor: Int64, averageOrderValueMinor: Double) {
            self.currency = currency
            self.orders = orders
            self.revenueMinor = revenueMinor
            self.averageOrderValueMinor = averageOrderValueMinor
        }

        enum CodingKeys: String, CodingKey {
            case currency, orders, revenueMinor = "revenue_minor", averageOrderValueMinor = "average_order_value_minor"
        }
    }

    public var orders: Int
    /// The mean of the orders' item counts (sum of quantities); `nil` without orders.
    public var itemsPerOrder: Double?
    public var currencies: [PerCurrency]

    public init(orders: Int, itemsPerOrder: Double?, currencies: [PerCurrency]) {
        self.orders = orders
        self.itemsPerOrder = itemsPerOrder
        self.currencies = currencies
    }

    enum CodingKeys: String, CodingKey { case orders, itemsPerOrder = "items_per_order", currencies }
}

/// The answer of one panel.
public enum AnalyticsAnswer: Sendable, Hashable, Encodable {
    case ordersOverTime(OrdersOverTime)
    case statusBreakdown(StatusBreakdown)
    case topProducts(TopProducts)
    case topCustomers(TopCustomers)
    case revenueByCountry(RevenueByCountry)
    case averages(OrderAverages)

    /// Encodes as the panel's own answer.
    public func encode(to encoder: any Encoder) throws {
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
