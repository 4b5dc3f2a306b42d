// The embedded read side under load:
// 1. projector throughput: a log seeded through the command bus, projected into a fresh index;
// 2. SearchOrders latency through the HTTP API (the real router on loopback, libcurl client, one
//    request at a time) on 100,000 orders, for a mix of text, date-range and filter queries.
//    These documents are generated directly into the index (seeding 100,000 orders through the
//    bus takes minutes); they have the shape and variety the seeder produces.
//
// Run in release: swift run -c release SearchBenchmark [documents] [seeded-orders]
import Elasticsearch
import Foundation
import Hummingbird
import Logging
import OrdersAPI
import OrdersDomain
import OrdersProjection
import OrdersSearch
import OrdersStore

#if canImport(Glibc)
import Glibc
import CoreFoundation
#endif

let documentCount = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 100_000 : 100_000
let seededOrders = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 10_000 : 10_000
// SEARCH_BENCHMARK_KEEP=<dir> keeps the databases there, to study query plans afterwards.
let keptDirectory = ProcessInfo.processInfo.environment["SEARCH_BENCHMARK_KEEP"]
let directory =
    keptDirectory.map { URL(fileURLWithPath: $0) }
    ?? FileManager.default.temporaryDirectory.appendingPathComponent("orders-search-benchmark-\(getpid())")
try? FileManager.default.removeItem(at: directory)
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { if keptDirectory == nil { try? FileManager.default.removeItem(at: directory) } }
var logger = Logger(label: "benchmark")
logger.logLevel = .warning

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

// 1. Projector throughput.
let database = try StoreDatabase.open(StoreConfiguration(path: directory.appendingPathComponent("store.sqlite").path, durability: .normal))
let store = EventStore(database: database)
let now = Date()
let seedStart = ContinuousClock.now
let summary = try await Seeder(store: store, logger: logger).run(
    SeedOptions(customers: 500, products: 200, orders: seededOrders, seed: 42, since: now.addingTimeInterval(-365 * 86400), until: now)
)
let seedSeconds = seconds(ContinuousClock.now - seedStart)
let projected = try ReadSide.open(.embedded(path: directory.appendingPathComponent("projected.sqlite").path), logger: logger)
let projector = projected.projector(store: store, logger: logger)
let projectStart = ContinuousClock.now
let projectedThrough = try await projector.catchUp()
let projectSeconds = seconds(ContinuousClock.now - projectStart)
let stats = try await projected.index.stats()

// 2. Search latency on a large index.
let large = try ReadSide.open(.embedded(path: directory.appendingPathComponent("large.sqlite").path), logger: logger)
let index = large.index
// A shop's variety: 40 × 40 names over 20,000 customers, 400 products (origin × kind), 16 cities.
let first = [
    "Zoë", "José", "Łukasz", "Søren", "Chloé", "Anna", "Jürgen", "María", "Ingrid", "Oliver", "太郎", "Иван", "Amélie", "Björn", "Çağla",
    "Dário", "Élodie", "Fátima", "Gábor", "Hélène", "Íñigo", "Jörg", "Kateřina", "Léa", "Mónica", "Nuño", "Ødegaard", "Pål", "Raphaël",
    "Sébastien", "Tomás", "Úrsula", "Vojtěch", "Wiebke", "Xénia", "Yağmur", "Zdeněk", "Ana", "Ben", "Clara",
]
let last = [
    "Müller", "Núñez", "Wójcik", "Østergård", "Lefèvre", "Schröder", "García", "Lindström", "O'Brien", "山田", "Петров", "Smith", "Dvořák",
    "Björklund", "Çelik", "Fernández", "Gößmann", "Håkansson", "Ibáñez", "Jäger", "Kowalczyk", "López", "Mäkinen", "Nováková", "Öztürk",
    "Pérez", "Quiñones", "Rømer", "Sánchez", "Thérien", "Übel", "Vázquez", "Weiß", "Xavier", "Yılmaz", "Żak", "Andrés", "Brandt", "Costa",
    "Dubois",
]
let origins = [
    "Café", "Provençal", "Tōkyō", "Ægir", "Jalapeño", "Edelweiß", "Crème", "Nordic", "Andalusian", "Bavarian", "Kraków", "Málaga",
    "Smörgås", "Île", "Öland", "Señorita", "Château", "Fjord", "Pâtisserie", "Ñandú",
]
let kinds = [
    "Espresso Beans", "Brûlée Torch", "Wool Blanket", "Tea Set", "Hot Sauce", "Soap", "Olive Oil", "Espresso Cups", "Linen Apron",
    "Cutting Board", "Honey", "Candle", "Chocolate", "Notebook", "Scarf", "Mug", "Salt", "Jam", "Teapot", "Knife",
]
let products = origins.flatMap { origin in kinds.map { "\(origin) \($0)" } }
let cities = [
    ("München", "DE"), ("Málaga", "ES"), ("Kraków", "PL"), ("Malmö", "SE"), ("Nîmes", "FR"), ("東京", "JP"), ("London", "GB"), ("San José", "US"),
    ("Köln", "DE"), ("Córdoba", "ES"), ("Łódź", "PL"), ("Göteborg", "SE"), ("Besançon", "FR"), ("大阪", "JP"), ("Leeds", "GB"), ("Boston", "US"),
]
let currencies = ["EUR", "EUR", "PLN", "SEK", "EUR", "JPY", "GBP", "USD", "EUR", "EUR", "PLN", "SEK", "EUR", "JPY", "GBP", "USD"]
var random = SystemRandomNumberGenerator()
let yearAgo = now.addingTimeInterval(-365 * 86400)
let loadStart = ContinuousClock.now
for start in stride(from: 0, to: documentCount, by: 2000) {
    var batch: [OrderDocument] = []
    for i in start..<min(start + 2000, documentCount) {
        let place = Int.random(in: 0..<cities.count, using: &random)
        let customer = Int.random(in: 0..<20_000, using: &random)
        var document = OrderDocument(
            orderID: UUID().uuidString.lowercased(), status: OrderStatus.allCases[i % 6],
            customer: .init(
                id: "c-\(customer)", name: "\(first[customer % first.count]) \(last[(customer / first.count) % last.count])",
                email: "customer\(customer)@example.com"),
            items: (0..<(1 + i % 3)).map { k in
                let product = Int.random(in: 0..<products.count, using: &random)
                return .init(
                    productID: "p-\(product)", sku: "SKU-\(product)", name: products[product], quantity: 1 + k,
                    unitPriceMinor: Int64(500 + product * 250))
            },
            currency: currencies[place], shipping: .init(city: cities[place].0, country: cities[place].1),
            notes: i % 10 == 0 ? "Bitte beim Nachbarn abgeben" : nil,
            createdAt: yearAgo.addingTimeInterval(Double.random(in: 0..<(365 * 86400), using: &random)),
            updatedAt: now, version: Int64(i + 1)
        )
        document.recomputeTotals()
        batch.append(document)
    }
    _ = try await index.apply(batch)
}
let loadSeconds = seconds(ContinuousClock.now - loadStart)

let port = 18_000 + Int(getpid() % 10_000)
// The server as `orders serve` assembles it, over the large read side (its projector not running):
// callers without a key are served too (as with --allow-anonymous), so that one run measures
// requests with and without authentication. No rate limit: the benchmark is one caller that
// measures how fast the server answers.
let keys = APIKeys(database: database)
let key = try await keys.create(name: "benchmark-\(UUID().uuidString.prefix(8))", role: .reader, now: Date()).secret
let application = try await buildServer(
    store: store, bus: CommandBus.standard(store: store, logger: logger), keys: keys, readSide: large,
    configuration: ServerConfiguration(port: port, authentication: .init(allowAnonymous: true), runsProjector: false, rateLimit: .off),
    registry: nil,
    logger: logger
).application
let server = Task { try await application.run() }
let client = Transport(configuration: ElasticsearchConfiguration(nodes: [URL(string: "http://127.0.0.1:\(port)")!]), logger: logger)
let clientService = Task { await client.run() }
// Wait for the server.
for _ in 0..<100 {
    if (try? await client.send(Elasticsearch.HTTPRequest(.get, "/health")))?.status == 200 { break }
    try await Task.sleep(for: .milliseconds(50))
}

// An order id from the index, for exact and prefix lookups.
let someOrderID = try await index.search(try SearchOrdersQuery.parse([("size", "1")])).hits[0].order.orderID
let mixes: [(String, [(String, String)])] = [
    ("text", [("q", "muller")]), ("text two words", [("q", "café crème")]), ("text prefix", [("q", "espr*")]),
    ("text phrase", [("q", "\"wool blanket\"")]),
    ("text non-Latin", [("q", "山田")]), ("order id", [("q", someOrderID)]), ("order id prefix", [("q", String(someOrderID.prefix(5)))]),
    ("date range", [("from", "2026-03-01"), ("to", "2026-03-31"), ("tz", "Europe/Berlin")]),
    ("filters", [("status", "paid,shipped"), ("currency", "EUR"), ("min_total", "1000")]),
    ("text + date + filter", [("q", "nunez"), ("from", "2026-01-01"), ("status", "delivered")]),
    ("sorted by total", [("sort", "-total"), ("size", "50")]), ("newest page", []),
    // The worst case for text: a word in every order (every email is at example.com).
    ("broad text (all match)", [("q", "example")]),
]
var latencies: [String: [Double]] = [:]
var matches: [String: Int] = [:]
var all: [Double] = []
for round in 0..<100 {
    for (kind, parameters) in mixes {
        var query = parameters
        if round % 2 == 1, kind == "text" { query.append(("size", "50")) }
        let start = ContinuousClock.now
        let response = try await client.send(Elasticsearch.HTTPRequest(.get, "/orders/search", query: query))
        let milliseconds = seconds(ContinuousClock.now - start) * 1000
        precondition(response.status == 200, "\(kind): \(String(decoding: response.body, as: UTF8.self))")
        if round == 0, let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let total = json["total"] as? [String: Any]
        {
            matches[kind, default: 0] += total["value"] as? Int ?? 0
        }
        if round > 0 {  // the first round warms caches
            latencies[kind, default: []].append(milliseconds)
            all.append(milliseconds)
        }
    }
}

// 3. Analytics panels over HTTP: the last 30 days (daily buckets) and the whole year (weekly),
// in every currency and in one; then the dashboard page (seven panels for one currency).
let ranges: [(String, [(String, String)])] = [
    ("30 days", [("from", yearAgo.addingTimeInterval(335 * 86400).formatted(.iso8601)), ("tz", "Europe/Berlin")]),
    ("year", [("from", yearAgo.formatted(.iso8601)), ("to", now.addingTimeInterval(86400).formatted(.iso8601)), ("tz", "Europe/Berlin")]),
    ("year, EUR", [("from", yearAgo.formatted(.iso8601)), ("to", now.addingTimeInterval(86400).formatted(.iso8601)), ("currency", "EUR")]),
]
var panelLatencies: [String: [Double]] = [:]
var panelKeys: [String] = []
for round in 0..<21 {
    for (range, parameters) in ranges {
        for panel in AnalyticsPanel.allCases {
            var query = parameters
            if panel == .ordersOverTime { query.append(("interval", range == "30 days" ? "day" : "week")) }
            let start = ContinuousClock.now
            let response = try await client.send(Elasticsearch.HTTPRequest(.get, "/analytics/\(panel.rawValue)", query: query))
            let milliseconds = seconds(ContinuousClock.now - start) * 1000
            precondition(response.status == 200, "\(panel.rawValue): \(String(decoding: response.body, as: UTF8.self))")
            let key = "\(panel.rawValue) (\(range))"
            if round == 0 { panelKeys.append(key) } else { panelLatencies[key, default: []].append(milliseconds) }
        }
    }
    let start = ContinuousClock.now
    let page = try await client.send(Elasticsearch.HTTPRequest(.get, "/dashboard", query: [("refresh", "0")]))
    precondition(page.status == 200)
    if round > 0 { panelLatencies["dashboard page (30 days)", default: []].append(seconds(ContinuousClock.now - start) * 1000) }
}
panelKeys.append("dashboard page (30 days)")
// 2b. What authentication costs: GET /orders/{id} at 16 requests in flight, with an API key and
// without one, in alternating rounds of 2 s (the same server, the same orders).
let ids = try await index.search(try SearchOrdersQuery.parse([("size", "100")])).hits.map(\.order.orderID)
let authenticated = Transport(
    configuration: ElasticsearchConfiguration(nodes: [URL(string: "http://127.0.0.1:\(port)")!], authentication: .bearer(key)), logger: logger)
let authenticatedService = Task { await authenticated.run() }
func throughput(_ transport: Transport, seconds duration: Duration) async throws -> Double {
    let deadline = ContinuousClock.now + duration
    let counts = try await withThrowingTaskGroup(of: Int.self) { group in
        for worker in 0..<16 {
            group.addTask {
                var count = 0
                while ContinuousClock.now < deadline {
                    let response = try await transport.send(Elasticsearch.HTTPRequest(.get, "/orders/\(ids[(worker * 7 + count) % ids.count])"))
                    precondition(response.status == 200, "GET /orders/{id}: \(response.status)")
                    count += 1
                }
                return count
            }
        }
        return try await group.reduce(0, +)
    }
    return Double(counts) / seconds(duration)
}
_ = try await throughput(client, seconds: .seconds(1))  // warm-up
_ = try await throughput(authenticated, seconds: .seconds(1))
var withoutKey: [Double] = []
var withKey: [Double] = []
for _ in 0..<5 {
    withoutKey.append(try await throughput(client, seconds: .seconds(2)))
    withKey.append(try await throughput(authenticated, seconds: .seconds(2)))
}
authenticatedService.cancel()
await authenticatedService.value
clientService.cancel()
await clientService.value
server.cancel()

// The same queries on the index directly (no HTTP, no JSON), to separate the index's share.
// Nothing else runs in the process now, so its CPU time is the query's: a figure that CPU
// stolen from this machine's VM does not inflate, as it does wall times.
func processCPUMilliseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1e6
}
var direct: [String: [Double]] = [:]
var directCPU: [String: [Double]] = [:]
for round in 0..<30 {
    for (kind, parameters) in mixes {
        let query = try SearchOrdersQuery.parse(parameters)
        let start = ContinuousClock.now
        let cpuStart = processCPUMilliseconds()
        _ = try await index.search(query)
        if round > 0 {
            direct[kind, default: []].append(seconds(ContinuousClock.now - start) * 1000)
            directCPU[kind, default: []].append(processCPUMilliseconds() - cpuStart)
        }
    }
}

/// `text` padded with spaces to `width` (Foundation on Linux ignores widths on `%@`).
func padded(_ text: String, _ width: Int) -> NSString { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) as NSString }

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

print("search benchmark (release build expected)")
print(String(format: "seeding: %d orders, %d commands through the bus in %.1f s", summary.orders, summary.commands, seedSeconds))
print(
    String(
        format: "projector: %d events -> %d documents in %.2f s = %.0f events/s, %.0f documents/s", projectedThrough, stats.documents, projectSeconds,
        Double(projectedThrough) / projectSeconds, Double(stats.documents) / projectSeconds))
print(
    String(format: "index load: %d generated documents in %.1f s (%.0f documents/s)", documentCount, loadSeconds, Double(documentCount) / loadSeconds)
)
let medianWithout = percentile(withoutKey, 0.5)
let medianWith = percentile(withKey, 0.5)
print(
    String(
        format: "GET /orders/{id}, 16 in flight, 5 alternating rounds of 2 s: without a key %.0f req/s, with an API key %.0f req/s "
            + "(authentication costs %.1f%%)", medianWithout, medianWith, (1 - medianWith / medianWithout) * 100))
print("SearchOrders over HTTP on \(documentCount) orders, one request at a time, 99 rounds of \(mixes.count) queries (ms):")
for kind in mixes.map(\.0).reduce(into: [String](), { if !$0.contains($1) { $0.append($1) } }) {
    let values = latencies[kind]!
    print(
        String(
            format: "  %@ p50 %6.2f  p99 %6.2f  max %6.2f  | index alone p50 %6.2f, CPU %6.2f  (%d matching)", padded(kind, 22),
            percentile(values, 0.5), percentile(values, 0.99), values.max()!, percentile(direct[kind]!, 0.5), percentile(directCPU[kind]!, 0.5),
            matches[kind] ?? 0))
}
print(String(format: "  %@ p50 %6.2f  p99 %6.2f  max %6.2f", padded("all", 22), percentile(all, 0.5), percentile(all, 0.99), all.max()!))
print("Analytics over HTTP on \(documentCount) orders, 20 rounds after a warm-up (ms):")
for key in panelKeys {
    let values = panelLatencies[key]!
    print(
        String(format: "  %@ p50 %7.2f  p99 %7.2f  max %7.2f", padded(key, 38), percentile(values, 0.5), percentile(values, 0.99), values.max()!))
}
