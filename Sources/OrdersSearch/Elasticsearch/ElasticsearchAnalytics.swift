import Elasticsearch
import Foundation
import OrdersDomain

/// The analytics panels as Elasticsearch aggregations, one `_search` (`size: 0`) per panel, with
/// the embedded backend's semantics:
/// - the selection is a `bool` filter (date range on the date field, status, currency, country,
///   customer);
/// - revenue is a `sum` of `total_minor` (or of the nested items' `subtotal_minor`) under a
///   `terms` on `currency`, so amounts are never added across currencies;
/// - rankings are `terms` ordered by the metric, then by key, which is exact on the index's
///   single shard;
/// - time buckets are a `date_histogram` with `calendar_interval`, `time_zone`, and
///   `extended_bounds` with `min_doc_count: 0`, so empty buckets are there too.
struct ElasticsearchAnalytics {
    let panel: AnalyticsPanel
    let query: AnalyticsQuery

    /// Enough for every currency and every country there is.
    static let currencyBuckets = 200
    static let countryBuckets = 300

    var request: SearchRequest {
        SearchRequest(
            query: .bool(filter: filters), size: 0, aggregations: aggregations, trackTotalHits: panel == .averages ? .exact : .off)
    }

    var filters: [Query] {
        var filters: [Query] = [
            .range(
                query.dateField.rawValue, gte: .string(ElasticsearchSearchBody.instant(query.from)),
                lt: .string(ElasticsearchSearchBody.instant(query.to)), format: "strict_date_optional_time")
        ]
        if !query.statuses.isEmpty { filters.append(.terms("status", query.statuses.map(\.rawValue).sorted().map(JSONValue.string))) }
        if let currency = query.currency { filters.append(.term("currency", .string(currency))) }
        // The country keyword is normalized (lower-case); the codes are ASCII letters.
        if let country = query.country { filters.append(.term("shipping.country.keyword", .string(country.lowercased()))) }
        if let customer = query.customerID { filters.append(.term("customer.id", .string(customer))) }
        return filters
    }

    static func byCurrency(_ children: [String: Aggregation]) -> Aggregation {
        Aggregation.terms("currency", size: currencyBuckets, order: [("_key", .asc)]).aggregating(children)
    }

    static let statusesByCurrency = Aggregation.terms("status", size: OrderStatus.allCases.count)
        .aggregating(["currencies": byCurrency(["revenue": .sum("total_minor")])])

    var aggregations: [String: Aggregation] {
        switch panel {
        case .ordersOverTime:
            let milliseconds = { (date: Date) in JSONValue.int(Int64((date.timeIntervalSince1970 * 1000).rounded())) }
            // The intervals are named as Elasticsearch names them.
            let interval = Aggregation.CalendarInterval(rawValue: query.interval.rawValue)!
            return [
                "over_time": Aggregation.dateHistogram(
                    query.dateField.rawValue, calendarInterval: interval, timeZone: query.timeZoneName, minDocCount: 0,
                    extendedBounds: (milliseconds(query.from), milliseconds(query.to.addingTimeInterval(-0.001)))
                ).aggregating(["statuses": Self.statusesByCurrency])
            ]
        case .statusBreakdown:
            return ["statuses": Self.statusesByCurrency]
        case .topProducts:
            let product = { (metric: String) in
                Aggregation.terms("items.product_id", size: query.size, order: [(metric, .desc), ("_key", .asc)]).aggregating([
                    "revenue": .sum("items.subtotal_minor"), "quantity": .sum("items.quantity"), "orders": .reverseNested,
                    "sku": .terms("items.sku", size: 1), "name": .terms("items.name.keyword", size: 1),
                ])
            }
            return [
                "currencies": Self.byCurrency([
                    "items": Aggregation.nested(path: "items").aggregating(["by_revenue": product("revenue"), "by_quantity": product("quantity")])
                ])
            ]
        case .topCustomers:
            return [
                "currencies": Self.byCurrency([
                    "customers": Aggregation.terms("customer.id", size: query.size, order: [("revenue", .desc), ("_key", .asc)]).aggregating([
                        "revenue": .sum("total_minor"),
                        "contact": .topHits(
                            size: 1, sort: [.field("updated_at", .desc), .field("order_id", .desc)],
                            sourceIncludes: ["customer.name", "customer.email"]),
                    ])
                ])
            ]
        case .revenueByCountry:
            return [
                "currencies": Self.byCurrency([
                    "countries": Aggregation.terms(
                        "shipping.country.keyword", size: Self.countryBuckets, order: [("revenue", .desc), ("_key", .asc)]
                    )
                    .aggregating(["revenue": .sum("total_minor")])
                ])
            ]
        case .averages:
            return [
                "items_per_order": .avg("item_count"),
                "currencies": Self.byCurrency(["revenue": .sum("total_minor"), "average_order_value": .avg("total_minor")]),
            ]
        }
    }

    // MARK: Reading the answer

    func answer(_ response: AggregationResponse) throws -> AnalyticsAnswer {
        let aggregations = response.aggregations
        switch panel {
        case .ordersOverTime:
            let buckets = try (aggregations["over_time"]?.buckets ?? []).map { bucket in
                guard let start = bucket.key.int else { throw Self.malformed("a date_histogram bucket without a numeric key") }
                let statuses = Self.statusFigures(bucket["statuses"])
                return OrdersOverTime.Bucket(
                    start: Date(timeIntervalSince1970: Double(start) / 1000), orders: bucket.docCount,
                    revenue: CurrencyAmount.totals(statuses.flatMap(\.revenue).map { ($0.currency, $0.amountMinor) }), statuses: statuses)
            }
            return .ordersOverTime(OrdersOverTime(interval: query.interval, timeZone: query.timeZoneName, buckets: buckets))
        case .statusBreakdown:
            return .statusBreakdown(StatusBreakdown(statuses: Self.statusFigures(aggregations["statuses"])))
        case .topProducts:
            let rankings = Self.currencyBuckets(aggregations).map { currency, bucket in
                let products = { (name: String) in
                    (bucket["items"]?[name]?.buckets ?? []).compactMap { product -> ProductFigures? in
                        guard let id = product.key.string else { return nil }
                        return ProductFigures(
                            productID: id, sku: product["sku"]?.buckets.first?.key.string ?? "",
                            name: product["name"]?.buckets.first?.key.string ?? "", revenueMinor: Self.amount(product["revenue"]),
                            quantity: Int(Self.amount(product["quantity"])), orders: product["orders"]?.docCount ?? 0)
                    }
                }
                return TopProducts.Ranking(currency: currency, byRevenue: products("by_revenue"), byQuantity: products("by_quantity"))
            }
            return .topProducts(TopProducts(currencies: rankings))
        case .topCustomers:
            let rankings = Self.currencyBuckets(aggregations).map { currency, bucket in
                TopCustomers.Ranking(
                    currency: currency,
                    customers: (bucket["customers"]?.buckets ?? []).compactMap { customer in
                        guard let id = customer.key.string else { return nil }
                        let contact = customer["contact"]?.json["hits"]?["hits"]?[0]?["_source"]?["customer"]
                        return CustomerFigures(
                            customerID: id, name: contact?["name"]?.string ?? "", email: contact?["email"]?.string ?? "",
                            revenueMinor: Self.amount(customer["revenue"]), orders: customer.docCount)
                    })
            }
            return .topCustomers(TopCustomers(currencies: rankings))
        case .revenueByCountry:
            let rankings = Self.currencyBuckets(aggregations).map { currency, bucket in
                RevenueByCountry.Ranking(
                    currency: currency,
                    countries: (bucket["countries"]?.buckets ?? []).compactMap { country in
                        country.key.string.map {
                            RevenueByCountry.Country(
                                country: $0.uppercased(), revenueMinor: Self.amount(country["revenue"]), orders: country.docCount)
                        }
                    })
            }
            return .revenueByCountry(RevenueByCountry(currencies: rankings))
        case .averages:
            let currencies = Self.currencyBuckets(aggregations).map { currency, bucket in
                OrderAverages.PerCurrency(
                    currency: currency, orders: bucket.docCount, revenueMinor: Self.amount(bucket["revenue"]),
                    averageOrderValueMinor: bucket["average_order_value"]?.value ?? 0)
            }
            let orders = response.total?.value ?? currencies.reduce(0) { $0 + $1.orders }
            return .averages(
                OrderAverages(orders: orders, itemsPerOrder: orders == 0 ? nil : aggregations["items_per_order"]?.value, currencies: currencies))
        }
    }

    /// A `sum` of whole numbers (exact as a double below 2^53).
    static func amount(_ result: AggregationResult?) -> Int64 { Int64((result?.value ?? 0).rounded()) }

    static func currencyBuckets(_ aggregations: AggregationResult) -> [(String, AggregationResult.Bucket)] {
        (aggregations["currencies"]?.buckets ?? []).compactMap { bucket in bucket.key.string.map { ($0, bucket) } }
    }

    static func statusFigures(_ statuses: AggregationResult?) -> [StatusFigures] {
        var rows: [(status: OrderStatus, currency: String, orders: Int, revenue: Int64)] = []
        for bucket in statuses?.buckets ?? [] {
            guard let name = bucket.key.string, let status = OrderStatus(rawValue: name) else { continue }
            let currencies = currencyBuckets(bucket.result)
            for (currency, figures) in currencies { rows.append((status, currency, figures.docCount, amount(figures["revenue"]))) }
        }
        return StatusFigures.collect(rows)
    }

    static func malformed(_ detail: String) -> ElasticsearchIndexError {
        ElasticsearchIndexError(reason: "unexpected analytics answer: \(detail)")
    }
}

extension ElasticsearchSearchIndex {
    package func analytics(_ panel: AnalyticsPanel, _ query: AnalyticsQuery) async throws -> AnalyticsAnswer {
        let analytics = ElasticsearchAnalytics(panel: panel, query: query)
        return try analytics.answer(try await reading { try await client.aggregate(target, analytics.request) })
    }
}
