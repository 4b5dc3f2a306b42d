import Foundation
import GRDB
import OrdersDomain

/// The analytics panels in SQL over the embedded index's narrow `orders` rows and `order_items`.
/// Calendar buckets are cut in Swift (Foundation knows the time zones; SQLite does not) while
/// the rows stream in date order from the covering date index.
extension EmbeddedSearchIndex {
    public func analytics(_ panel: AnalyticsPanel, _ query: AnalyticsQuery) async throws -> AnalyticsAnswer {
        let selection = AnalyticsSelection(query)
        return try await writer.read { db in
            switch panel {
            case .ordersOverTime: .ordersOverTime(try Self.ordersOverTime(db, query, selection))
            case .statusBreakdown: .statusBreakdown(try Self.statusBreakdown(db, selection))
            case .topProducts: .topProducts(try Self.topProducts(db, query, selection))
            case .topCustomers: .topCustomers(try Self.topCustomers(db, query, selection))
            case .revenueByCountry: .revenueByCountry(try Self.revenueByCountry(db, selection))
            case .averages: .averages(try Self.averages(db, selection))
            }
        }
    }

    static func ordersOverTime(_ db: Database, _ query: AnalyticsQuery, _ selection: AnalyticsSelection) throws -> OrdersOverTime {
        let starts = query.bucketStarts.map(SearchPlan.milliseconds)
        struct Key: Hashable {
            var status: OrderStatus
            var currency: String
        }
        var figures = Array(repeating: [Key: (orders: Int, revenue: Int64)](), count: starts.count)
        let rows = try Row.fetchCursor(
            db, sql: "SELECT o.\(selection.dateColumn), o.status, o.currency, o.total_minor FROM orders o WHERE \(selection.sql) ORDER BY 1",
            arguments: selection.arguments)
        var bucket = 0
        while let row = try rows.next() {
            let instant: Int64 = row[0]
            while bucket + 1 < starts.count, starts[bucket + 1] <= instant { bucket += 1 }
            guard let status = OrderStatus(rawValue: row[1]) else { continue }
            let key = Key(status: status, currency: row[2])
            figures[bucket][key, default: (0, 0)].orders += 1
            figures[bucket][key, default: (0, 0)].revenue += row[3] as Int64
        }
        let buckets = zip(starts, figures).map { start, figures in
            let statuses = StatusFigures.collect(
                figures.map { (status: $0.key.status, currency: $0.key.currency, orders: $0.value.orders, revenue: $0.value.revenue) })
            return OrdersOverTime.Bucket(
                start: Date(timeIntervalSince1970: Double(start) / 1000), orders: statuses.reduce(0) { $0 + $1.orders },
                revenue: CurrencyAmount.totals(statuses.flatMap(\.revenue).map { ($0.currency, $0.amountMinor) }), statuses: statuses)
        }
        return OrdersOverTime(interval: query.interval, timeZone: query.timeZoneName, buckets: buckets)
    }

    static func statusBreakdown(_ db: Database, _ selection: AnalyticsSelection) throws -> StatusBreakdown {
        let rows = try Row.fetchAll(
            db, sql: "SELECT o.status, o.currency, count(*), sum(o.total_minor) FROM orders o WHERE \(selection.sql) GROUP BY 1, 2",
            arguments: selection.arguments)
        return StatusBreakdown(
            statuses: StatusFigures.collect(
                rows.compactMap { row in OrderStatus(rawValue: row[0]).map { (status: $0, currency: row[1], orders: row[2], revenue: row[3]) } }))
    }

    static func topProducts(_ db: Database, _ query: AnalyticsQuery, _ selection: AnalyticsSelection) throws -> TopProducts {
        // One row per (currency, product, SKU, name): the figures add up per product, and the SKU
        // and name shown are the ones on most of its items (ties: the smaller string), as a
        // `terms` aggregation would pick them.
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT o.currency, i.product_id, i.sku, i.name, count(*), count(DISTINCT i.order_row), sum(i.quantity), sum(i.subtotal_minor)
                FROM orders o JOIN order_items i ON i.order_row = o.rowid
                WHERE \(selection.sql)
                GROUP BY 1, 2, 3, 4
                """,
            arguments: selection.arguments)
        struct Product {
            var skus: [String: Int] = [:]
            var names: [String: Int] = [:]
            var orders = 0
            var quantity = 0
            var revenue: Int64 = 0
        }
        var products: [String: [String: Product]] = [:]
        for row in rows {
            let items: Int = row[4]
            products[row[0], default: [:]][row[1], default: Product()].skus[row[2], default: 0] += items
            products[row[0], default: [:]][row[1], default: Product()].names[row[3], default: 0] += items
            products[row[0], default: [:]][row[1], default: Product()].orders += row[5] as Int
            products[row[0], default: [:]][row[1], default: Product()].quantity += row[6] as Int
            products[row[0], default: [:]][row[1], default: Product()].revenue += row[7] as Int64
        }
        func mostCommon(_ counts: [String: Int]) -> String {
            counts.min { ($1.value, $0.key) < ($0.value, $1.key) }?.key ?? ""
        }
        return TopProducts(
            currencies: products.keys.sorted().map { currency in
                let figures = products[currency]!.map { id, product in
                    ProductFigures(
                        productID: id, sku: mostCommon(product.skus), name: mostCommon(product.names), revenueMinor: product.revenue,
                        quantity: product.quantity, orders: product.orders)
                }
                return TopProducts.Ranking(
                    currency: currency,
                    byRevenue: Array(figures.sorted { ($1.revenueMinor, $0.productID) < ($0.revenueMinor, $1.productID) }.prefix(query.size)),
                    byQuantity: Array(figures.sorted { ($1.quantity, $0.productID) < ($0.quantity, $1.productID) }.prefix(query.size)))
            })
    }

    static func topCustomers(_ db: Database, _ query: AnalyticsQuery, _ selection: AnalyticsSelection) throws -> TopCustomers {
        let ranked = try Row.fetchAll(
            db,
            sql: """
                SELECT currency, customer_id, revenue, orders FROM (
                    SELECT o.currency, o.customer_id, sum(o.total_minor) AS revenue, count(*) AS orders,
                        row_number() OVER (PARTITION BY o.currency ORDER BY sum(o.total_minor) DESC, o.customer_id) AS rank
                    FROM orders o WHERE \(selection.sql) GROUP BY 1, 2)
                WHERE rank <= ? ORDER BY currency, rank
                """,
            arguments: selection.arguments + [query.size])
        // The name and email as on the customer's most recently updated order in the selection.
        let contact = try db.makeStatement(
            sql: """
                SELECT d.document ->> '$.customer.name', d.document ->> '$.customer.email'
                FROM orders o JOIN order_documents d ON d.id = o.rowid
                WHERE o.customer_id = ? AND o.currency = ? AND \(selection.sql)
                ORDER BY o.updated_at DESC, o.order_id DESC LIMIT 1
                """)
        var rankings: [TopCustomers.Ranking] = []
        for row in ranked {
            let currency: String = row[0]
            let customer: String = row[1]
            let found = try Row.fetchOne(contact, arguments: [customer, currency] + selection.arguments)
            let figures = CustomerFigures(
                customerID: customer, name: found?[0] ?? "", email: found?[1] ?? "", revenueMinor: row[2], orders: row[3])
            if rankings.last?.currency == currency {
                rankings[rankings.count - 1].customers.append(figures)
            } else {
                rankings.append(TopCustomers.Ranking(currency: currency, customers: [figures]))
            }
        }
        return TopCustomers(currencies: rankings)
    }

    static func revenueByCountry(_ db: Database, _ selection: AnalyticsSelection) throws -> RevenueByCountry {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT o.currency, o.country, sum(o.total_minor), count(*) FROM orders o WHERE \(selection.sql)
                GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2
                """,
            arguments: selection.arguments)
        var rankings: [RevenueByCountry.Ranking] = []
        for row in rows {
            let currency: String = row[0]
            let country = RevenueByCountry.Country(country: row[1], revenueMinor: row[2], orders: row[3])
            if rankings.last?.currency == currency {
                rankings[rankings.count - 1].countries.append(country)
            } else {
                rankings.append(RevenueByCountry.Ranking(currency: currency, countries: [country]))
            }
        }
        return RevenueByCountry(currencies: rankings)
    }

    static func averages(_ db: Database, _ selection: AnalyticsSelection) throws -> OrderAverages {
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT o.currency, count(*), sum(o.total_minor), sum(o.item_count) FROM orders o WHERE \(selection.sql) GROUP BY 1 ORDER BY 1",
            arguments: selection.arguments)
        let orders = rows.reduce(0) { $0 + ($1[1] as Int) }
        let items = rows.reduce(0) { $0 + ($1[3] as Int64) }
        return OrderAverages(
            orders: orders, itemsPerOrder: orders == 0 ? nil : Double(items) / Double(orders),
            currencies: rows.map { row in
                let count: Int = row[1]
                let revenue: Int64 = row[2]
                return OrderAverages.PerCurrency(
                    currency: row[0], orders: count, revenueMinor: revenue, averageOrderValueMinor: Double(revenue) / Double(count))
            })
    }
}

/// The orders an analytics query selects, as a `WHERE` clause over `orders o`.
struct AnalyticsSelection {
    let dateColumn: String
    let sql: String
    let arguments: StatementArguments

    init(_ query: AnalyticsQuery) {
        // The date field's raw value is its column's name (a closed set, never user text).
        dateColumn = query.dateField.rawValue
        var clauses = ["o.\(dateColumn) >= ?", "o.\(dateColumn) < ?"]
        var arguments: StatementArguments = [SearchPlan.milliseconds(query.from), SearchPlan.milliseconds(query.to)]
        if !query.statuses.isEmpty {
            let statuses = query.statuses.map(\.rawValue).sorted()
            clauses.append("o.status IN (\(Array(repeating: "?", count: statuses.count).joined(separator: ", ")))")
            arguments += StatementArguments(statuses)
        }
        if let currency = query.currency {
            clauses.append("o.currency = ?")
            arguments += [currency]
        }
        if let country = query.country {
            clauses.append("o.country = ?")
            arguments += [country]
        }
        if let customer = query.customerID {
            clauses.append("o.customer_id = ?")
            arguments += [customer]
        }
        sql = clauses.joined(separator: " AND ")
        self.arguments = arguments
    }
}
