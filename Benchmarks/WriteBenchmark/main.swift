// Write-side throughput: single-event commands through the full command bus (validation,
// logging and metrics middleware, aggregate load, decide, group-committed append), next to raw
// SQLite inserts of the same rows through the C API, for synchronous=NORMAL and FULL.
//
// Run in release: swift run -c release WriteBenchmark [commands]
import Foundation
import GRDBSQLite
import Logging
import OrdersDomain
import OrdersStore

let commands = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 40_000 : 40_000
let clients = 64
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orders-write-benchmark-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// One transaction per row through the SQLite C API: the floor under any event store on this disk.
func rawInserts(_ durability: StoreConfiguration.Durability, rows: Int) -> Double {
    let path = directory.appendingPathComponent("raw-\(durability).sqlite").path
    var db: OpaquePointer?
    guard sqlite3_open(path, &db) == SQLITE_OK else { fatalError("cannot open \(path)") }
    defer { sqlite3_close(db) }
    func exec(_ sql: String) {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { fatalError(String(cString: sqlite3_errmsg(db))) }
    }
    exec("PRAGMA journal_mode = WAL")
    exec("PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
    exec(
        """
        CREATE TABLE events (position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, stream_version INTEGER NOT NULL,
        type TEXT NOT NULL, schema_version INTEGER NOT NULL, payload TEXT NOT NULL, command_id TEXT, correlation_id TEXT,
        recorded_at INTEGER NOT NULL, UNIQUE (stream_id, stream_version)) STRICT
        """
    )
    var statement: OpaquePointer?
    sqlite3_prepare_v2(
        db,
        "INSERT INTO events (position, stream_id, stream_version, type, schema_version, payload, recorded_at) VALUES (?, ?, 1, 'customer.renamed', 1, ?, ?)",
        -1, &statement, nil
    )
    defer { sqlite3_finalize(statement) }
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    let start = ContinuousClock.now
    for row in 1...rows {
        let stream = "customer-bench-\(row)"
        let payload = #"{"name":"Zoë Müller \#(row)"}"#
        sqlite3_bind_int64(statement, 1, Int64(row))
        sqlite3_bind_text(statement, 2, stream, -1, transient)
        sqlite3_bind_text(statement, 3, payload, -1, transient)
        sqlite3_bind_int64(statement, 4, 1_768_471_200_000)
        guard sqlite3_step(statement) == SQLITE_DONE else { fatalError(String(cString: sqlite3_errmsg(db))) }
        sqlite3_reset(statement)
    }
    return Double(rows) / seconds(ContinuousClock.now - start)
}

/// Runs `operation(0..<count)` from `clients` concurrent callers; returns operations per second.
func measure(clients: Int, count: Int, _ operation: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for client in 0..<clients {
            group.addTask {
                for index in stride(from: client, to: count, by: clients) { try await operation(index) }
            }
        }
        try await group.waitForAll()
    }
    return Double(count) / seconds(ContinuousClock.now - start)
}

/// `count` commands from `clients` concurrent callers; returns commands per second.
func run(clients: Int, count: Int, _ make: @escaping @Sendable (Int) throws -> any Command, bus: CommandBus) async throws -> Double {
    try await measure(clients: clients, count: count) { index in _ = try await bus.send(try make(index)) }
}

/// `count` bare appends (one event each, new streams) from `clients` callers: the store and its
/// group commit without the command bus.
func runAppends(clients: Int, count: Int, store: EventStore) async throws -> Double {
    let payload = Data(#"{"name":"Zoë Müller"}"#.utf8)
    return try await measure(clients: clients, count: count) { index in
        _ = try await store.append(
            AppendRequest(
                streamID: "bench-\(index)", expectedVersion: 0, events: [EncodedEvent(type: "customer.renamed", schemaVersion: 1, payload: payload)],
                metadata: EventMetadata(recordedAt: Date())
            )
        )
    }
}

var logger = Logger(label: "benchmark")
logger.logLevel = .warning
func format(_ rate: Double) -> String { String(format: "%7.0f", rate) }

print("write-side benchmark: commands/s (single-event commands through the full command bus) and inserts/s")
print("register: customer.register (new stream + unique email); rename: customer.rename (existing, cached aggregate)")
print("durability  rows    raw-sqlite  store-append(64)  register(1)  register(64)  rename(1)  rename(64)")
for durability in [StoreConfiguration.Durability.normal, .full] {
    // FULL pays an fsync per transaction: fewer rows keep the run short.
    let count = durability == .full ? commands / 4 : commands
    let raw = rawInserts(durability, rows: count)
    let database = try StoreDatabase.open(
        StoreConfiguration(path: directory.appendingPathComponent("store-\(durability).sqlite").path, durability: durability)
    )
    let store = EventStore(database: database)
    let appends = try await runAppends(clients: clients, count: count, store: store)
    let bus = CommandBus.standard(store: store, logger: logger)
    func register(_ prefix: String) -> @Sendable (Int) throws -> any Command {
        { i in RegisterCustomer(customerID: try CustomerID("\(prefix)\(i)"), name: "Zoë Müller \(i)", email: "\(prefix)\(i)@example.com") }
    }
    func rename(_ prefix: String) -> @Sendable (Int) throws -> any Command {
        { i in RenameCustomer(customerID: try CustomerID("\(prefix)\(i)"), name: "Zoë Müller-Lüdenscheidt \(i)") }
    }
    let registerMany = try await run(clients: clients, count: count, register("b"), bus: bus)
    let renameMany = try await run(clients: clients, count: count, rename("b"), bus: bus)
    let registerOne = try await run(clients: 1, count: count, register("a"), bus: bus)
    let renameOne = try await run(clients: 1, count: count, rename("a"), bus: bus)
    print(
        "\(durability.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0))  \(String(format: "%6d", count))  \(format(raw))     \(format(appends))           \(format(registerOne))      \(format(registerMany))       \(format(renameOne))    \(format(renameMany))"
    )
}
