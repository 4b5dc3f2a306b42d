import Elasticsearch
import Foundation
import LoopbackHTTP
import OrdersDomain
import Synchronization
import Testing

@testable import OrdersSearch

/// The panels read from answers shaped as Elasticsearch writes them (the aggregation layouts of
/// the reference documentation: sums as doubles, `key_as_string` beside epoch-millisecond keys,
/// normalized keyword keys, `reverse_nested` and `top_hits` bodies, `null` averages). The data:
/// o-1 paid 25.00 EUR (DE, 2 × p-1), o-2 submitted 24.50 EUR (FR, p-1 + 3 × p-2), both on
/// 2026-01-15 in UTC.
@Suite struct ElasticsearchAnalyticsTests {
    static func answer(_ panel: AnalyticsPanel, _ json: String, _ parameters: [(String, String)] = []) throws -> AnalyticsAnswer {
        let query = try AnalyticsQuery.parse([("from", "2026-01-15"), ("to", "2026-01-16")] + parameters, panel: panel)
        let body = try JSONValue.parse(bytes: Array(json.utf8))
        let total = TotalHits(json: body["hits"]?["total"])
        return try ElasticsearchAnalytics(panel: panel, query: query).answer(
            AggregationResponse(total: total, aggregations: AggregationResult(body["aggregations"] ?? [:])))
    }

    static let shards = #""took":3,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0}"#

    @Test func ordersOverTime() throws {
        let json = """
            {\(Self.shards),"hits":{"max_score":null,"hits":[]},"aggregations":{"over_time":{"buckets":[
            {"key_as_string":"2026-01-15T00:00:00.000Z","key":1768435200000,"doc_count":2,"statuses":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[
              {"key":"paid","doc_count":1,"currencies":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"EUR","doc_count":1,"revenue":{"value":2500.0}}]}},
              {"key":"submitted","doc_count":1,"currencies":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"EUR","doc_count":1,"revenue":{"value":2450.0}}]}}]}},
            {"key_as_string":"2026-01-16T00:00:00.000Z","key":1768521600000,"doc_count":0,"statuses":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[]}}]}}}
            """
        guard case .ordersOverTime(let answer) = try Self.answer(.ordersOverTime, json) else { throw AnalyticsReference.WrongPanel() }
        #expect(answer.timeZone == "UTC" && answer.interval == .day)
        #expect(answer.buckets.map { $0.start.formatted(.iso8601) } == ["2026-01-15T00:00:00Z", "2026-01-16T00:00:00Z"])
        #expect(answer.buckets.map(\.orders) == [2, 0])
        #expect(answer.buckets[0].revenue == [CurrencyAmount(currency: "EUR", amountMinor: 4950)])
        #expect(answer.buckets[0].statuses.map(\.status) == [.submitted, .paid], "lifecycle order, whatever order the buckets came in")
        #expect(answer.buckets[1].statuses.isEmpty && answer.buckets[1].revenue.isEmpty)
    }

    @Test func topProductsAndCustomers() throws {
        let products = """
            {\(Self.shards),"hits":{"max_score":null,"hits":[]},"aggregations":{"currencies":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[
            {"key":"EUR","doc_count":2,"items":{"doc_count":3,
              "by_revenue":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[
                {"key":"p-1","doc_count":2,"revenue":{"value":3750.0},"quantity":{"value":3.0},"orders":{"doc_count":2},
                 "sku":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"CAFE","doc_count":2}]},
                 "name":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"Café Crème","doc_count":2}]}},
                {"key":"p-2","doc_count":1,"revenue":{"value":1200.0},"quantity":{"value":3.0},"orders":{"doc_count":1},
                 "sku":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"CUPS","doc_count":1}]},
                 "name":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[{"key":"Espresso Cups","doc_count":1}]}}]},
              "by_quantity":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[
                {"key":"p-1","doc_count":2,"revenue":{"value":3750.0},"quantity":{"value":3.0},"orders":{"doc_count":2},
                 "sku":{"buckets":[{"key":"CAFE","doc_count":2}]},"name":{"buckets":[{"key":"Café Crème","doc_count":2}]}}]}}}]}}}
            """
        guard case .topProducts(let top) = try Self.answer(.topProducts, products) else { throw AnalyticsReference.WrongPanel() }
        #expect(
            top.currencies == [
                .init(
                    currency: "EUR",
                    byRevenue: [
                        ProductFigures(productID: "p-1", sku: "CAFE", name: "Café Crème", revenueMinor: 3750, quantity: 3, orders: 2),
                        ProductFigures(productID: "p-2", sku: "CUPS", name: "Espresso Cups", revenueMinor: 1200, quantity: 3, orders: 1),
                    ],
                    byQuantity: [ProductFigures(productID: "p-1", sku: "CAFE", name: "Café Crème", revenueMinor: 3750, quantity: 3, orders: 2)])
            ])

        let customers = """
            {\(Self.shards),"hits":{"max_score":null,"hits":[]},"aggregations":{"currencies":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[
            {"key":"EUR","doc_count":2,"customers":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[
              {"key":"c-1","doc_count":1,"revenue":{"value":2500.0},"contact":{"hits":{"total":{"value":1,"relation":"eq"},"max_score":null,"hits":[
                {"_index":"orders-1","_id":"o-1","_score":null,"_source":{"customer":{"name":"Zoë \\"Z\\" Müller","email":"zoe@example.de"}},"sort":[1768471260000,"o-1"]}]}}}]}}]}}}
            """
        guard case .topCustomers(let ranking) = try Self.answer(.topCustomers, customers) else { throw AnalyticsReference.WrongPanel() }
        #expect(
            ranking.currencies == [
                .init(
                    currency: "EUR",
                    customers: [CustomerFigures(customerID: "c-1", name: "Zoë \"Z\" Müller", email: "zoe@example.de", revenueMinor: 2500, orders: 1)])
            ])
    }

    @Test func countriesStatusesAndAverages() throws {
        let countries = """
            {\(Self.shards),"hits":{"max_score":null,"hits":[]},"aggregations":{"currencies":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[
            {"key":"EUR","doc_count":2,"countries":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[
              {"key":"de","doc_count":1,"revenue":{"value":2500.0}},{"key":"fr","doc_count":1,"revenue":{"value":2450.0}}]}}]}}}
            """
        #expect(
            try Self.answer(.revenueByCountry, countries)
                == .revenueByCountry(
                    .init(currencies: [
                        .init(
                            currency: "EUR",
                            countries: [.init(country: "DE", revenueMinor: 2500, orders: 1), .init(country: "FR", revenueMinor: 2450, orders: 1)])
                    ])),
            "the normalized keyword's lower-case codes come back upper-case")

        let statuses = """
            {\(Self.shards),"hits":{"max_score":null,"hits":[]},"aggregations":{"statuses":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[
              {"key":"paid","doc_count":1,"currencies":{"buckets":[{"key":"EUR","doc_count":1,"revenue":{"value":2500.0}}]}},
              {"key":"lost","doc_count":4,"currencies":{"buckets":[]}}]}}}
            """
        #expect(
            try Self.answer(.statusBreakdown, statuses)
                == .statusBreakdown(.init(statuses: [.init(status: .paid, orders: 1, revenue: [.init(currency: "EUR", amountMinor: 2500)])])),
            "a status this service does not know is left out")

        let averages = """
            {\(Self.shards),"hits":{"total":{"value":2,"relation":"eq"},"max_score":null,"hits":[]},"aggregations":{"items_per_order":{"value":3.0},
            "currencies":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[
              {"key":"EUR","doc_count":2,"revenue":{"value":4950.0},"average_order_value":{"value":2475.0}}]}}}
            """
        #expect(
            try Self.answer(.averages, averages)
                == .averages(
                    .init(
                        orders: 2, itemsPerOrder: 3, currencies: [.init(currency: "EUR", orders: 2, revenueMinor: 4950, averageOrderValueMinor: 2475)]
                    )))
        let empty = """
            {\(Self.shards),"hits":{"total":{"value":0,"relation":"eq"},"max_score":null,"hits":[]},"aggregations":{"items_per_order":{"value":null},
            "currencies":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[]}}}
            """
        #expect(try Self.answer(.averages, empty) == .averages(.init(orders: 0, itemsPerOrder: nil, currencies: [])), "avg of nothing is null")
    }

    @Test func refusalsAndUnreadableAnswersAreErrorsNamingTheRequest() async throws {
        let answers: [LoopbackServer.Response] = [
            .json(
                #"{"error":{"root_cause":[],"type":"illegal_argument_exception","reason":"field [x] not aggregatable"},"status":400}"#, status: 400),
            .json("<html>proxy error</html>", status: 200),
            .json(#"{"aggregations":{"over_time":{"buckets":[{"key":"not a time","doc_count":1}]}}}"#),
        ]
        let calls = Mutex(0)
        let server = try LoopbackServer { _ in
            answers[
                calls.withLock { count in
                    defer { count += 1 }
                    return min(count, answers.count - 1)
                }]
        }
        defer { server.stop() }
        let index = try ElasticsearchBackendTests.backend(server.url)
        try await withRunningService(index.client) {
            let query = try AnalyticsQuery.parse([("from", "2026-01-15"), ("to", "2026-01-16")], panel: .ordersOverTime)

            let refused = await #expect(throws: ElasticsearchError.self) { try await index.analytics(.ordersOverTime, query) }
            #expect(refused?.status == 400 && "\(refused!)".contains("not aggregatable"), "the 400's reason is kept")
            let unreadable = await #expect(throws: ElasticsearchError.self) { try await index.analytics(.ordersOverTime, query) }
            #expect("\(unreadable!)".contains("_search"), "names the request")
            let malformed = await #expect(throws: ElasticsearchIndexError.self) { try await index.analytics(.ordersOverTime, query) }
            #expect(malformed?.reason.contains("date_histogram") == true)
            #expect(calls.withLock { $0 } == 3, "a 400 and a bad body are not retried")

            // A cluster that cannot be reached is an outage the API reports as such (503), not a failure.
            let refusing = try RefusingPort()
            let down = try ElasticsearchBackendTests.backend(refusing.url)
            try await withRunningService(down.client) {
                let outage = await #expect(throws: ReadSideUnavailable.self) {
                    try await down.analytics(.averages, try AnalyticsQuery.parse([], panel: .averages))
                }
                #expect((outage?.underlying as? ElasticsearchError)?.kind == .connect)
            }
        }
    }
}
