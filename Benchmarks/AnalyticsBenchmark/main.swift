// The Elasticsearch side of the analytics panels: client CPU and latency for building each
// panel's aggregation request, sending it through libcurl and turning Elasticsearch's answer
// into the panel, with answers the size a 1,000,000-document index gives (a year of daily
// buckets × 6 statuses × 8 currencies, 100 products and customers per currency, 250
// countries). The endpoint runs in a child process and answers `_search` with responses
// shaped like Elasticsearch's (counts adding up to the document count); its CPU is not
// counted as the client's. The embedded backend's panel latencies are in SearchBenchmark.
//
// Run in release: swift run -c release AnalyticsBenchmark [rounds] [documents]
import Elasticsearch
import Foundation
import Logging
import LoopbackHTTP
import OrdersSearch

#if canImport(Glibc)
import Glibc
#endif

let documents = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 1_000_000 : 1_000_000
let currencies = ["CHF", "CNY", "EUR", "GBP", "JPY", "PLN", "SEK", "USD"]
let statuses = ["delivered", "shipped", "paid", "submitted", "cancelled", "draft"]
let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

/// A currency split of `count` documents and their revenue (about 45.00 per order).
func byCurrency(_ count: Int, extra: (Int, Int) -> [String: JSONValue] = { _, _ in [:] }) -> JSONValue {
    let share = count / currencies.count
    return [
        "doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
        "buckets": .array(
            currencies.enumerated().map { n, currency in
                var bucket: [String: JSONValue] = [
                    "key": .string(currency), "doc_count": .int(Int64(share)), "revenue": ["value": .double(Double(share * 4_500))],
                ]
                bucket.merge(extra(n, share)) { $1 }
                return .object(bucket)
            }),
    ]
}

func statusSplit(_ count: Int) -> JSONValue {
    let share = count / statuses.count
    return [
        "doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
        "buckets": .array(
            statuses.map { status in ["key": .string(status), "doc_count": .int(Int64(share)), "currencies": byCurrency(share)] }),
    ]
}

func terms(_ buckets: [JSONValue]) -> JSONValue { ["doc_count_error_upper_bound": 0, "sum_other_doc_count": 0, "buckets": .array(buckets)] }

/// `_search` answers by panel, as Elasticsearch would send them for `documents` orders.
func answers() -> [String: [UInt8]] {
    func response(_ aggregations: [String: JSONValue], total: Bool = false) -> [UInt8] {
        var body: [String: JSONValue] = [
            "took": 41, "timed_out": false, "_shards": ["total": 1, "successful": 1, "skipped": 0, "failed": 0],
            "hits": ["max_score": .null, "hits": []], "aggregations": .object(aggregations),
        ]
        if total { body["hits"] = ["total": ["value": .int(Int64(documents)), "relation": "eq"], "max_score": .null, "hits": []] }
        return JSONValue.object(body).serialized
    }
    let days = 365
    let overTime: [String: JSONValue] = [
        "over_time": [
            "buckets": .array(
                (0..<days).map { day in
                    let key = start.addingTimeInterval(Double(day) * 86_400)
                    return [
                        "key_as_string": .string(key.formatted(.iso8601)), "key": .int(Int64(key.timeIntervalSince1970 * 1000)),
                        "doc_count": .int(Int64(documents / days)), "statuses": statusSplit(documents / days),
                    ]
                })
        ]
    ]
    func products(_ share: Int) -> JSONValue {
        terms(
            (0..<100).map { n in
                let items = share / (n + 2)
                return [
                    "key": .string("p-\(n)"), "doc_count": .int(Int64(items)), "revenue": ["value": .double(Double(items * 2_500))],
                    "quantity": ["value": .double(Double(items * 2))], "orders": ["doc_count": .int(Int64(items))],
                    "sku": terms([["key": .string("SKU-\(n)"), "doc_count": .int(Int64(items))]]),
                    "name": terms([["key": .string("Café Crème Espresso Beans \(n)"), "doc_count": .int(Int64(items))]]),
                ]
            })
    }
    let topProducts: [String: JSONValue] = [
        "currencies": byCurrency(documents) { _, share in
            ["items": ["doc_count": .int(Int64(share * 2)), "by_revenue": products(share), "by_quantity": products(share)]]
        }
    ]
    let topCustomers: [String: JSONValue] = [
        "currencies": byCurrency(documents) { _, share in
            [
                "customers": terms(
                    (0..<100).map { n in
                        [
                            "key": .string("cus-\(n)"), "doc_count": .int(Int64(share / 1000)), "revenue": ["value": .double(Double(share * 45))],
                            "contact": [
                                "hits": [
                                    "total": ["value": .int(Int64(share / 1000)), "relation": "eq"], "max_score": .null,
                                    "hits": [
                                        [
                                            "_index": "orders-1", "_id": .string("ord-\(n)"), "_score": .null,
                                            "_source": [
                                                "customer": ["name": .string("Zoë Müller \(n)"), "email": .string("customer\(n)@example.com")]
                                            ],
                                            "sort": [.int(1_767_225_600_000), .string("ord-\(n)")],
                                        ]
                                    ],
                                ]
                            ],
                        ]
                    })
            ]
        }
    ]
    let countries: [String: JSONValue] = [
        "currencies": byCurrency(documents) { _, share in
            [
                "countries": terms(
                    (0..<250).map { n in
                        ["key": .string("c\(n % 26)"), "doc_count": .int(Int64(share / 250)), "revenue": ["value": .double(Double(share * 18))]]
                    })
            ]
        }
    ]
    let averages: [String: JSONValue] = [
        "items_per_order": ["value": 2.4731],
        "currencies": byCurrency(documents) { _, share in ["average_order_value": ["value": .double(4_500.123456)]] },
    ]
    return [
        "over_time": response(overTime), "statuses": response(["statuses": statusSplit(documents)]), "by_revenue": response(topProducts),
        "customers": response(topCustomers), "countries": response(countries), "items_per_order": response(averages, total: true),
    ]
}

if CommandLine.arguments.dropFirst().first == "--serve" {
    let canned = answers()
    ChildEndpoint.serve { request in
        let body = String(decoding: request.body, as: UTF8.self)
        // The first aggregation name the panel's request holds picks the answer.
        for name in ["over_time", "by_revenue", "customers", "countries", "items_per_order", "statuses"] where body.contains("\"\(name)\"") {
            return .init(status: 200, body: canned[name]!)
        }
        return .json(#"{"error":"unexpected request","status":400}"#, status: 400)
    }
}

let rounds = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 200 : 200
var logger = Logger(label: "benchmark")
logger.logLevel = .warning

func processCPU() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

/// `text` padded with spaces to `width` (Foundation on Linux ignores widths on `%@`).
func padded(_ text: String, _ width: Int) -> NSString { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) as NSString }

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

let endpoint = try ChildEndpoint()
defer { endpoint.stop() }
let client = ElasticsearchClient(configuration: ElasticsearchConfiguration(nodes: [endpoint.url]), logger: logger)
let definitionPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("index-mappings/orders.json").path
let index = ElasticsearchSearchIndex(client: client, definition: try IndexDefinition(contentsOf: definitionPath), logger: logger)
let sizes = answers().mapValues(\.count)

print("analytics benchmark, Elasticsearch side (release build expected): \(documents) documents' worth of answers, \(rounds) rounds per panel")
print("  panel                answer KB   p50 ms   p99 ms   client CPU ms/request")
try await withRunningService(client) {
    for panel in AnalyticsPanel.allCases {
        var parameters = [("from", "2026-01-01"), ("to", "2026-12-31"), ("tz", "Europe/Berlin")]
        if panel == .topProducts || panel == .topCustomers { parameters.append(("size", "100")) }
        let query = try AnalyticsQuery.parse(parameters, panel: panel)
        _ = try await index.analytics(panel, query)  // warm-up
        var latencies: [Double] = []
        let cpu = processCPU()
        for _ in 0..<rounds {
            let begin = ContinuousClock.now
            let answer = try await index.analytics(panel, query)
            latencies.append(seconds(ContinuousClock.now - begin) * 1000)
            if case .ordersOverTime(let time) = answer { precondition(time.buckets.count == 365) }
        }
        let cpuPerRequest = (processCPU() - cpu) / Double(rounds) * 1000
        let key = [
            "orders-over-time": "over_time", "status-breakdown": "statuses", "top-products": "by_revenue", "top-customers": "customers",
            "revenue-by-country": "countries", "averages": "items_per_order",
        ][panel.rawValue]!
        print(
            String(
                format: "  %@ %9.1f %8.2f %8.2f %12.2f", padded(panel.rawValue, 20), Double(sizes[key]!) / 1024, percentile(latencies, 0.5),
                percentile(latencies, 0.99), cpuPerRequest))
    }
}
