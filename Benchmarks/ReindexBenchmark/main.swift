// Reindex into Elasticsearch's shape: a log of N orders (default 1,000,000) is folded as of its
// head and bulk-loaded through the libcurl client into a loopback endpoint that answers like
// `_bulk` (and the few index/alias calls a reindex makes), in a child process so that only the
// reindex's own CPU and memory are measured. Prints documents/s, client CPU and peak RSS.
//
// Run in release: swift run -c release ReindexBenchmark [orders] [--stages]
// `--stages` then times the load's stages one after another on one thread, over the first
// 200,000 orders: where a document's CPU goes (read, decode, fold, encode; the rest of the
// reindex's figure is the transfer and the scheduling around it).
// The generated write store is kept in REINDEX_BENCHMARK_DIR (default /tmp/orders-reindex-
// benchmark) and reused when it holds the same number of orders.
import Elasticsearch
import Foundation
import GRDB
import Logging
import LoopbackHTTP
import OrdersDomain
import OrdersProjection
import OrdersSearch
import OrdersStore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

if CommandLine.arguments.dropFirst().first == "--serve" { serveCluster() }

let arguments = CommandLine.arguments.dropFirst()
let orders = arguments.first(where: { !$0.hasPrefix("--") }).flatMap { Int($0) } ?? 1_000_000
let directory = ProcessInfo.processInfo.environment["REINDEX_BENCHMARK_DIR"] ?? "/tmp/orders-reindex-benchmark"
let storePath = "\(directory)/orders-\(orders).sqlite"

func wall() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

func usage() -> (user: Double, system: Double, peakMegabytes: Double) {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return (seconds(usage.ru_utime), seconds(usage.ru_stime), Double(usage.ru_maxrss) / 1024)
}

// 1. The log: generated straight into the events table (a fixture; the write path has its own
// benchmark). 20,000 customers, 400 products; each order is created, gets 1-3 items, and most
// move on (submitted, paid, shipped, delivered or cancelled): about 5 events per order.
if !FileManager.default.fileExists(atPath: storePath) {
    let started = wall()
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let database = try StoreDatabase.open(StoreConfiguration(path: storePath + ".partial", durability: .normal))
    let firstNames = ["Zoë", "José", "Søren", "Chloé", "Matthias", "Ana", "Jürgen", "Łukasz", "Mei", "Olivia"]
    let lastNames = ["Müller", "Núñez", "Østergård", "Lefèvre", "Schmidt", "García", "Kowalski", "Rossi", "Smith", "Dubois"]
    let cities = [("München", "DE"), ("Berlin", "DE"), ("Paris", "FR"), ("Madrid", "ES"), ("København", "DK"), ("Kraków", "PL")]
    let euro = try Currency("EUR")
    let start = Date(timeIntervalSince1970: 1_767_225_600)
    try database.writer.write { db in
        let insert = try db.makeStatement(
            sql: "INSERT INTO events (position, stream_id, stream_version, type, schema_version, payload, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        var position: Int64 = 0
        func append(_ streamID: String, _ version: Int, _ event: DomainEvent, at offset: Int64) throws {
            position += 1
            let encoded = try EventCodec.encode(event)
            try insert.execute(arguments: [
                position, streamID, version, encoded.type, encoded.schemaVersion, String(decoding: encoded.payload, as: UTF8.self),
                Int64(start.timeIntervalSince1970 * 1000) + offset * 1000,
            ])
        }
        for number in 0..<20_000 {
            let id = try CustomerID("c-\(number)")
            let name = "\(firstNames[number % 10]) \(lastNames[(number / 10) % 10])"
            try append(id.streamID, 1, .customer(.registered(.init(customerID: id, name: name, email: "c\(number)@example.com"))), at: 0)
        }
        for number in 0..<400 {
            let id = try ProductID("p-\(number)")
            let price = Money(amountMinor: Int64(199 + number * 7 % 5000), currency: euro)
            try append(
                id.streamID, 1, .product(.added(.init(productID: id, sku: "SKU-\(number)", name: "Café Crème \(number)", price: price))), at: 0)
        }
        for number in 0..<orders {
            let id = try OrderID(
                String(format: "%08x-%04x-4%03x-8%03x-%012x", number, number % 65536, number % 4096, (number / 7) % 4096, number * 31))
            let stream = id.streamID
            let city = cities[number % cities.count]
            let at = Int64(number)
            var version = 1
            try append(
                stream, version,
                .order(
                    .created(
                        .init(
                            orderID: id, customerID: try CustomerID("c-\(number % 20_000)"),
                            shipping: try ShippingAddress(city: city.0, country: city.1),
                            notes: number % 4 == 0 ? "Bitte beim Nachbarn abgeben" : nil, currency: euro))), at: at)
            var total: Int64 = 0
            for item in 0..<(1 + number % 3) {
                version += 1
                let unit = Int64(199 + ((number + item * 13) % 400) * 7 % 5000)
                total += unit * Int64(1 + item)
                try append(
                    stream, version,
                    .order(
                        .itemAdded(
                            .init(
                                productID: try ProductID("p-\((number + item * 13) % 400)"), quantity: 1 + item,
                                unitPrice: Money(amountMinor: unit, currency: euro)))), at: at)
            }
            let stage = number % 6
            if stage >= 1 {
                version += 1; try append(stream, version, .order(.submitted(.init(total: Money(amountMinor: total, currency: euro)))), at: at + 60)
            }
            if stage >= 2 && stage != 5 {
                version += 1;
                try append(
                    stream, version, .order(.paid(.init(amount: Money(amountMinor: total, currency: euro), paymentReference: "pay-\(number)"))),
                    at: at + 120)
            }
            if stage >= 3 && stage != 5 {
                version += 1; try append(stream, version, .order(.shipped(.init(carrier: "DHL", trackingNumber: "TRK\(number)"))), at: at + 3600)
            }
            if stage == 4 { version += 1; try append(stream, version, .order(.delivered(.init())), at: at + 86_400) }
            if stage == 5 { version += 1; try append(stream, version, .order(.cancelled(.init(reason: "changed my mind"))), at: at + 300) }
        }
    }
    try database.writer.close()
    try FileManager.default.moveItem(atPath: storePath + ".partial", toPath: storePath)
    print(String(format: "generated %d orders in %.1f s into %@", orders, wall() - started, storePath))
}

// 2. The reindex, into the child's endpoint.
let endpoint = try ChildEndpoint()
var logger = Logger(label: "benchmark")
logger.logLevel = .warning
let client = ElasticsearchClient(configuration: ElasticsearchConfiguration(nodes: [endpoint.url]), logger: logger)
let definitionPath = IndexDefinition.defaultPath() ?? "index-mappings/orders.json"
let generations = ElasticsearchGenerations(client: client, definition: try IndexDefinition(contentsOf: definitionPath), logger: logger)
let store = EventStore(database: try StoreDatabase.open(StoreConfiguration(path: storePath, durability: .normal)))
let statePath = "\(directory)/state-\(UUID().uuidString).sqlite"
defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: statePath + suffix) } }
let reindexer = Reindexer(
    store: store, generations: generations, state: try ProjectionStateStore(path: statePath), readSide: "benchmark", logger: logger)

let before = usage()
let started = wall()
let summary = try await withRunningService(client) { try await reindexer.run() }
let seconds = wall() - started
let after = usage()
endpoint.stop()

let cpu = (after.user - before.user) + (after.system - before.system)
print("reindex benchmark: \(orders) orders (\(try await store.headPosition()) events) → \(summary.source ?? "-") → \(summary.target)")
print(String(format: "documents/s:   %.0f  (%d documents in %.2f s wall)", Double(summary.documents) / seconds, summary.documents, seconds))
print(
    String(
        format: "client CPU:    %.2f µs/document (%.2f s user + %.2f s kernel, %.1f cores busy)", cpu * 1e6 / Double(summary.documents),
        after.user - before.user, after.system - before.system, cpu / seconds))
print(String(format: "peak RSS:      %.0f MB", after.peakMegabytes))
if arguments.contains("--stages") { try await stages(store: store, orders: min(orders, 200_000)) }

/// The load's stages, each on its own and on this one thread, in µs of CPU per order.
func stages(store: EventStore, orders: Int) async throws {
    func cpu() -> Double { let now = usage(); return now.user + now.system }
    func threadCPU() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
    let head = try await store.headPosition()
    let fold = try await SnapshotFold.load(from: store, through: head)
    var read = 0.0, decode = 0.0, folding = 0.0, encode = 0.0
    var done = 0, events = 0, bytes = 0
    var after: String?
    while done < orders {
        // The read runs on GRDB's queue: timed by the process's CPU, nothing else running.
        let start = cpu()
        let streams = try await store.readStreams(
            prefix: OrderTag.streamPrefix + "-", after: after, through: head, limit: min(2000, orders - done))
        read += cpu() - start
        guard let last = streams.last else { break }
        after = last.streamID
        var started = threadCPU()
        for stream in streams { for event in stream.events { _ = try event.decode() } }
        decode += threadCPU() - started
        started = threadCPU()
        let documents = streams.compactMap { fold.fold(orderEvents: $0.events).document }
        folding += threadCPU() - started
        started = threadCPU()
        for document in documents { bytes += SourceWriter.encode(document).count }
        encode += threadCPU() - started
        done += streams.count
        events += streams.reduce(0) { $0 + $1.events.count }
    }
    func perOrder(_ seconds: Double) -> Double { seconds * 1e6 / Double(done) }
    print("stages, one thread, \(done) orders (\(events) events, \(bytes / done) bytes of _source per order), µs of CPU per order:")
    print(String(format: "  read (SQLite rows → RecordedEvent)      %6.2f", perOrder(read)))
    print(String(format: "  decode (payload JSON → DomainEvent)     %6.2f", perOrder(decode)))
    print(String(format: "  fold (decode included → OrderDocument)  %6.2f", perOrder(folding)))
    print(String(format: "  encode (OrderDocument → _source JSON)   %6.2f", perOrder(encode)))
    print(String(format: "  read + fold + encode                    %6.2f", perOrder(read + folding + encode)))
}

/// The child: enough of a cluster for a reindex. `_bulk` is answered like Elasticsearch and
/// counted per index, so `_count` can answer; the alias moves on `_aliases`.
func serveCluster() -> Never {
    struct Cluster {
        var live = "orders-1"
        var indices: Set<String> = ["orders-1"]
        var counts: [String: Int] = [:]
    }
    let cluster = Mutex(Cluster())
    ChildEndpoint.serve { request in
        let segments = request.path.split(separator: "/").map(String.init)
        switch (request.method, segments.last ?? "") {
        case ("POST", "_bulk"):
            var indexed = 0
            let response = ChildEndpoint.bulkAnswer(request, indexed: &indexed)
            cluster.withLock { $0.counts[segments[0], default: 0] += indexed }
            return response
        case ("GET", "orders") where segments.first == "_alias":
            return .json(#"{"\#(cluster.withLock { $0.live })":{"aliases":{"orders":{}}}}"#)
        case ("GET", "_settings"):
            return .json("{" + cluster.withLock { $0.indices }.sorted().map { #""\#($0)":{"settings":{}}"# }.joined(separator: ",") + "}")
        case ("PUT", _) where segments.count == 1:
            cluster.withLock { _ = $0.indices.insert(segments[0]) }
            return .json(#"{"acknowledged":true,"shards_acknowledged":true,"index":"\#(segments[0])"}"#)
        case ("POST", "_count"):
            return .json(#"{"count":\#(cluster.withLock { $0.counts[segments[0]] ?? 0 })}"#)
        case ("POST", "_aliases"):
            let body = String(decoding: request.body, as: UTF8.self)
            if let range = body.range(of: #"{"add":{"alias":"orders","index":""#) {
                cluster.withLock { $0.live = String(body[range.upperBound...].prefix { $0 != "\"" }) }
            }
            return .json(#"{"acknowledged":true}"#)
        case ("DELETE", _):
            cluster.withLock { _ = $0.indices.remove(segments[0]) }
            return .json(#"{"acknowledged":true}"#)
        default:
            return .json(CapturingEndpoint.answer(request))
        }
    }
}
