import Foundation
import GRDB
import OrdersDomain
import RowScanning

/// The analytics panels on the embedded index: one range scan of the narrow `orders` rows (and
/// `order_items` for products) over a covering index, folded in Swift into sums keyed by small
/// text ids (`RowScan`, `TextIDs`); SQL's `GROUP BY` sorts every row and costs ten times as
/// much. Calendar buckets are cut in Swift, since SQLite knows no time zones.
extension EmbeddedSearchIndex {
    package func analytics(_ panel: AnalyticsPanel, _ query: AnalyticsQuery) async throws -> AnalyticsAnswer {
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

    /// Up to three ids a fold sums by, packed into one integer so that a dictionary hashes one
    /// word: `first` a bucket number or currency (15 bits), `second` anything (32 bits:
    /// customers, products), `third` a currency (16 bits).
    struct FoldKey: Hashable {
        let packed: Int

        init(first: Int, second: Int = 0, third: Int = 0) { packed = first << 48 | second << 16 | third }

        var first: Int { packed >> 48 }
        var second: Int { (packed >> 16) & 0xFFFF_FFFF }
        var third: Int { packed & 0xFFFF }
    }

    struct Sums {
        var orders = 0
        var revenue: Int64 = 0
        var quantity: Int64 = 0
        /// The last order counted (item rows of one order arrive together).
        var lastOrder: Int64 = -1

        mutating func add(revenue: Int64, quantity: Int64 = 0) {
            orders += 1
            self.revenue += revenue
            self.quantity += quantity
        }
    }

    static func ordersOverTime(_ db: Database, _ query: AnalyticsQuery, _ selection: AnalyticsSelection) throws -> OrdersOverTime {
        let starts = query.bucketStarts.map(SearchPlan.milliseconds)
        var texts = TextIDs()
        var sums: [FoldKey: Sums] = [:]
        try RowScan.forEach(
            db, sql: "SELECT o.\(selection.dateColumn), o.status, o.currency, o.total_minor FROM orders o WHERE \(selection.sql)",
            arguments: selection.arguments
        ) { row in
            // The last bucket starting at or before the instant.
            let instant = row.int64(0)
            var low = 0
            var high = starts.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if starts[middle] <= instant { low = middle } else { high = middle - 1 }
            }
            sums[FoldKey(first: low, second: texts.id(row, 1), third: texts.id(row, 2)), default: Sums()].add(revenue: row.int64(3))
        }
        var rows = Array(repeating: [(status: OrderStatus, currency: String, orders: Int, revenue: Int64)](), count: starts.count)
        for (key, sum) in sums {
            guard let status = OrderStatus(rawValue: texts[key.second]) else { continue }
            rows[key.first].append((status, texts[key.third], sum.orders, sum.revenue))
        }
        let buckets = zip(starts, rows).map { start, rows in
            OrdersOverTime.Bucket(
                start: Date(timeIntervalSince1970: Double(start) / 1000), orders: rows.reduce(0) { $0 + $1.orders },
                revenue: CurrencyAmount.totals(rows.map { ($0.currency, $0.revenue) }), statuses: StatusFigures.collect(rows))
        }
        return OrdersOverTime(interval: query.interval, timeZone: query.timeZoneName, buckets: buckets)
    }

    static func statusBreakdown(_ db: Database, _ selection: AnalyticsSelection) throws -> StatusBreakdown {
        let (texts, sums) = try fold(db, "o.status, o.currency", selection)
        return StatusBreakdown(
            statuses: StatusFigures.collect(
                sums.compactMap { key, sum in
                    OrderStatus(rawValue: texts[key.first]).map {
                        (status: $0, currency: texts[key.second], orders: sum.orders, revenue: sum.revenue)
                    }
                }))
    }

    static func topProducts(_ db: Database, _ query: AnalyticsQuery, _ selection: AnalyticsSelection) throws -> TopProducts {
        var texts = TextIDs()
        var sums: [FoldKey: Sums] = [:]
        // Items per (currency, product, SKU) and per (currency, product, name), for the label a
        // `terms` aggregation would pick: the one on most of the product's items (ties: the
        // smaller string).
        var skus: [Int: Int] = [:]
        var names: [Int: Int] = [:]
        func label(_ currency: Int, _ product: Int, _ text: Int) -> Int { currency << 48 | product << 24 | text }
        func add(currency: Int, _ row: RowScan) {
            let order = row.int64(0)
            let product = texts.id(row, 1)
            let (quantity, revenue) = (row.int64(2), row.int64(3))
            modify(&sums[FoldKey(first: currency, second: product), default: Sums()]) { sum in
                if sum.lastOrder != order {
                    sum.orders += 1
                    sum.lastOrder = order
                }
                sum.quantity += quantity
                sum.revenue += revenue
            }
            skus[label(currency, product, texts.id(row, 4)), default: 0] += 1
            names[label(currency, product, texts.id(row, 5)), default: 0] += 1
        }
        // The selected orders (row id → currency) from the date scan; then their items: when
        // they are many, one pass over every item beats a seek per order.
        var currencies: [Int64: Int] = [:]
        try RowScan.forEach(db, sql: "SELECT o.rowid, o.currency FROM orders o WHERE \(selection.sql)", arguments: selection.arguments) { row in
            currencies[row.int64(0)] = texts.id(row, 1)
        }
        let items = try Int.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM order_items") ?? 0
        if currencies.count * 4 > items {
            try RowScan.forEach(
                db, sql: "SELECT order_row, product_id, quantity, subtotal_minor, sku, name FROM order_items ORDER BY order_row", arguments: []
            ) { row in
                if let currency = currencies[row.int64(0)] { add(currency: currency, row) }
            }
        } else {
            try RowScan.forEach(
                db,
                sql: """
                    SELECT i.order_row, i.product_id, i.quantity, i.subtotal_minor, i.sku, i.name, o.currency
                    FROM orders o JOIN order_items i ON i.order_row = o.rowid WHERE \(selection.sql)
                    """,
                arguments: selection.arguments
            ) { row in add(currency: texts.id(row, 6), row) }
        }
        func mostCommon(_ counts: [Int: Int]) -> [FoldKey: String] {
            var best: [FoldKey: (text: String, items: Int)] = [:]
            for (key, items) in counts {
                let product = FoldKey(first: key >> 48, second: (key >> 24) & 0xFF_FFFF)
                let text = texts[key & 0xFF_FFFF]
                if let current = best[product], current.items > items || (current.items == items && current.text <= text) { continue }
                best[product] = (text, items)
            }
            return best.mapValues(\.text)
        }
        let (skuOf, nameOf) = (mostCommon(skus), mostCommon(names))
        var rankings: [TopProducts.Ranking] = []
        for (currency, products) in Dictionary(grouping: sums, by: { $0.key.first }).sorted(by: { texts[$0.key] < texts[$1.key] }) {
            let all = products.map { (key: $0.key, id: texts[$0.key.second], sums: $0.value) }
            let byRevenue = all.sorted { ($1.sums.revenue, $0.id) < ($0.sums.revenue, $1.id) }.prefix(query.size)
            let byQuantity = all.sorted { ($1.sums.quantity, $0.id) < ($0.sums.quantity, $1.id) }.prefix(query.size)
            let figures = { (product: (key: FoldKey, id: String, sums: Sums)) in
                ProductFigures(
                    productID: product.id, sku: skuOf[product.key] ?? "", name: nameOf[product.key] ?? "", revenueMinor: product.sums.revenue,
                    quantity: Int(product.sums.quantity), orders: product.sums.orders)
            }
            rankings.append(TopProducts.Ranking(currency: texts[currency], byRevenue: byRevenue.map(figures), byQuantity: byQuantity.map(figures)))
        }
        return TopProducts(currencies: rankings)
    }

    static func topCustomers(_ db: Database, _ query: AnalyticsQuery, _ selection: AnalyticsSelection) throws -> TopCustomers {
        let (texts, sums) = try fold(db, "o.currency, o.customer_id", selection)
        // The name and email as on the customer's most recently updated order in the selection.
        let contact = try db.makeStatement(
            sql: """
                SELECT d.document ->> '$.customer.name', d.document ->> '$.customer.email'
                FROM orders o JOIN order_documents d ON d.id = o.rowid
                WHERE o.customer_id = ? AND o.currency = ? AND \(selection.sql)
                ORDER BY o.updated_at DESC, o.order_id DESC LIMIT 1
                """)
        var rankings: [TopCustomers.Ranking] = []
        for (currency, customers) in Dictionary(grouping: sums, by: { $0.key.first }).sorted(by: { texts[$0.key] < texts[$1.key] }) {
            let currency = texts[currency]
            let ranked = customers.map { (id: texts[$0.key.second], sums: $0.value) }
                .sorted { ($1.sums.revenue, $0.id) < ($0.sums.revenue, $1.id) }.prefix(query.size)
            rankings.append(
                TopCustomers.Ranking(
                    currency: currency,
                    customers: try ranked.map { customer in
                        let found = try Row.fetchOne(contact, arguments: [customer.id, currency] + selection.arguments)
                        return CustomerFigures(
                            customerID: customer.id, name: found?[0] ?? "", email: found?[1] ?? "", revenueMinor: customer.sums.revenue,
                            orders: customer.sums.orders)
                    }))
        }
        return TopCustomers(currencies: rankings)
    }

    static func revenueByCountry(_ db: Database, _ selection: AnalyticsSelection) throws -> RevenueByCountry {
        let (texts, sums) = try fold(db, "o.currency, o.country", selection)
        return RevenueByCountry(
            currencies: Dictionary(grouping: sums, by: { $0.key.first }).map { currency, countries in
                RevenueByCountry.Ranking(
                    currency: texts[currency],
                    countries: countries.map {
                        RevenueByCountry.Country(country: texts[$0.key.second], revenueMinor: $0.value.revenue, orders: $0.value.orders)
                    }
                    .sorted { ($1.revenueMinor, $0.country) < ($0.revenueMinor, $1.country) })
            }.sorted { $0.currency < $1.currency })
    }

    static func averages(_ db: Database, _ selection: AnalyticsSelection) throws -> OrderAverages {
        let (texts, sums) = try fold(db, "o.currency", selection, quantity: "o.item_count")
        let orders = sums.values.reduce(0) { $0 + $1.orders }
        let items = sums.values.reduce(0) { $0 + $1.quantity }
        return OrderAverages(
            orders: orders, itemsPerOrder: orders == 0 ? nil : Double(items) / Double(orders),
            currencies: sums.map { key, sum in
                OrderAverages.PerCurrency(
                    currency: texts[key.first], orders: sum.orders, revenueMinor: sum.revenue,
                    averageOrderValueMinor: Double(sum.revenue) / Double(sum.orders))
            }.sorted { $0.currency < $1.currency })
    }

    /// Orders and revenue (and `quantity`'s sum) of the selected orders by one or two text columns.
    static func fold(_ db: Database, _ keys: String, _ selection: AnalyticsSelection, quantity: String = "0") throws -> (TextIDs, [FoldKey: Sums]) {
        let columns = Int32(keys.split(separator: ",").count)
        var texts = TextIDs()
        var sums: [FoldKey: Sums] = [:]
        try RowScan.forEach(
            db, sql: "SELECT \(keys), o.total_minor, \(quantity) FROM orders o WHERE \(selection.sql)", arguments: selection.arguments
        ) { row in
            let key = FoldKey(first: texts.id(row, 0), second: columns > 1 ? texts.id(row, 1) : 0)
            sums[key, default: Sums()].add(revenue: row.int64(columns), quantity: row.int64(columns + 1))
        }
        return (texts, sums)
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
        var conditions = OrderConditions()
        conditions.date(query.dateField, from: query.from, to: query.to)
        conditions.status(in: query.statuses)
        conditions.equal(.currency, query.currency)
        conditions.equal(.country, query.country)
        conditions.equal(.customerID, query.customerID)
        sql = conditions.sql
        arguments = conditions.arguments
    }
}

/// Applies `change` to a value in place (one dictionary lookup for `dictionary[key, default:]`).
private func modify<Value>(_ value: inout Value, _ change: (inout Value) -> Void) { change(&value) }
