// Bulk path of the Elasticsearch client: client CPU per document for encoding bulk bodies, and for
// the whole round trip (encode, send through libcurl, receive, decode the per-item response) to a
// loopback endpoint that answers like `_bulk`. The endpoint runs in a child process so its CPU is
// not counted as the client's.
//
// Run in release: swift run -c release ElasticsearchBenchmark [documents] [batch]
import Elasticsearch
import Foundation
import Logging
import LoopbackHTTP

#if canImport(Glibc)
import Glibc
#endif

if CommandLine.arguments.dropFirst().first == "--serve" {
    // The child: answers `_bulk` like Elasticsearch until the parent exits.
    ChildEndpoint.serve { request in
        var indexed = 0
        return ChildEndpoint.bulkAnswer(request, indexed: &indexed)
    }
}

let documents = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 200_000 : 200_000
let batch = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 1_000 : 1_000

func processCPU() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// User and system CPU seconds of this process (system: mostly the kernel's TCP send path).
func userAndSystemCPU() -> (user: Double, system: Double) {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return (seconds(usage.ru_utime), seconds(usage.ru_stime))
}

func wall() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

// ~500-byte order documents, already encoded (as the projector holds them).
let names = ["Zoë Müller", "José Núñez", "山田 太郎", "Søren Østergård", "Иван Петров", "Chloé Lefèvre"]
let sources: [[UInt8]] = (0..<1000).map { i in
    let document = """
        {"order_id":"ord-\(String(format: "%08d", i))","status":"paid","customer":{"id":"cus-\(i % 97)","name":"\(names[i % names.count])","email":"customer\(i % 97)@example.com"},"items":[{"product_id":"p-\(i % 13)","sku":"SKU-\(i % 13)","name":"Café Crème Espresso Beans","quantity":\(1 + i % 4),"unit_price_minor":1250,"subtotal_minor":\(1250 * (1 + i % 4))}],"item_count":\(1 + i % 4),"total_minor":\(1250 * (1 + i % 4)),"currency":"EUR","shipping":{"city":"München","country":"DE"},"notes":"Bitte beim Nachbarn abgeben, 2. Stock","created_at":"2026-01-15T10:00:00Z","paid_at":"2026-01-15T10:30:00Z","version":\(i + 1)}
        """
    return Array(document.utf8)
}
let averageSize = sources.reduce(0) { $0 + $1.count } / sources.count
// Ids are strings the caller already holds (a projector has them from its events).
let ids = (0..<documents).map { "ord-\($0)" }

// 1. Encoding alone.
var body = BulkBody(reservingCapacity: batch * (averageSize + 128))
var bytes = 0
let encodeCPU = processCPU()
let encodeWall = wall()
for start in stride(from: 0, to: documents, by: batch) {
    body.removeAll()
    for i in start..<min(start + batch, documents) {
        body.index(sources[i % sources.count], id: ids[i], version: Int64(i + 1), versionType: .external)
    }
    bytes += body.bytes.count
}
let encodeMicros = (processCPU() - encodeCPU) * 1e6 / Double(documents)
let encodeRate = Double(documents) / (wall() - encodeWall)

// 1b. Reading bulk responses alone (the trimmed shape the round trip below gets back).
let trimmedResponse = Array(
    (#"{"took":3,"errors":false,"items":["# + Array(repeating: #"{"index":{"status":201}}"#, count: batch).joined(separator: ",") + "]}").utf8)
let parseCPU = processCPU()
for _ in stride(from: 0, to: documents, by: batch) {
    let response = try BulkResponse.parse(trimmedResponse)
    precondition(response.items.count == batch)
}
let parseMicros = (processCPU() - parseCPU) * 1e6 / Double(documents)

// 2. The whole client: a child process serves `_bulk` on loopback.
let endpoint = try ChildEndpoint()

var logger = Logger(label: "benchmark")
logger.logLevel = .warning
let client = ElasticsearchClient(configuration: ElasticsearchConfiguration(nodes: [endpoint.url]), logger: logger)

/// `inFlight` workers, each reusing one bulk body (as a projector does), share the batches.
func roundTrip(inFlight: Int, filterPath: String?) async throws -> (micros: Double, user: Double, system: Double, rate: Double) {
    let batches = stride(from: 0, to: documents, by: batch).map { $0 }
    let cpu = processCPU()
    let split = userAndSystemCPU()
    let started = wall()
    let done = try await withThrowingTaskGroup(of: Int.self) { group in
        for worker in 0..<inFlight {
            group.addTask {
                var body = BulkBody(reservingCapacity: batch * (averageSize + 128))
                var sent = 0
                for start in batches[worker...].striding(by: inFlight) {
                    body.removeAll()
                    for i in start..<min(start + batch, documents) {
                        body.index(sources[i % sources.count], id: ids[i], version: Int64(i + 1), versionType: .external)
                    }
                    let response = try await client.bulk(body, index: "orders", filterPath: filterPath, idempotent: true)
                    guard response.items.count == body.count, response.items.allSatisfy(\.succeeded) else { fatalError("bad bulk answer") }
                    sent += response.items.count
                }
                return sent
            }
        }
        return try await group.reduce(0, +)
    }
    precondition(done == documents)
    let after = userAndSystemCPU()
    return (
        (processCPU() - cpu) * 1e6 / Double(documents), (after.user - split.user) * 1e6 / Double(documents),
        (after.system - split.system) * 1e6 / Double(documents), Double(documents) / (wall() - started)
    )
}

extension ArraySlice {
    func striding(by step: Int) -> [Element] { stride(from: startIndex, to: endIndex, by: step).map { self[$0] } }
}

let (trimmed, full) = try await withRunningService(client) {
    _ = try await roundTrip(inFlight: 2, filterPath: nil)  // warm up connections
    let trimmed = try await roundTrip(inFlight: 4, filterPath: "errors,items.*.status,items.*.error")
    return (trimmed, try await roundTrip(inFlight: 4, filterPath: nil))
}
endpoint.stop()

print("elasticsearch bulk benchmark: \(documents) documents of ~\(averageSize) bytes, \(batch) per request, 4 requests in flight")
print(
    String(
        format: "encoding only:                        %.3f µs/doc client CPU  (%.0f docs/s, %.1f MB of NDJSON)", encodeMicros, encodeRate,
        Double(bytes) / 1e6))
print(String(format: "reading trimmed bulk responses only:   %.3f µs/doc client CPU", parseMicros))
print(
    String(
        format: "round trip, filter_path-trimmed items: %.3f µs/doc client CPU = %.3f user + %.3f kernel  (%.0f docs/s)", trimmed.micros,
        trimmed.user, trimmed.system, trimmed.rate
    )
)
print(
    String(
        format: "round trip, full per-item responses:   %.3f µs/doc client CPU = %.3f user + %.3f kernel  (%.0f docs/s)", full.micros, full.user,
        full.system, full.rate
    )
)
