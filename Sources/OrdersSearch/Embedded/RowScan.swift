import GRDB
import GRDBSQLite

/// Steps through a statement's rows with SQLite's C API, for folds over many rows (analytics
/// over a whole year of orders). Aggregating in Swift over a covering-index range scan is far
/// cheaper here than SQL's `GROUP BY`, whose sorter costs ~2 µs a row; and reading columns
/// directly avoids GRDB's per-row `Row` and `String` work.
struct RowScan {
    let statement: SQLiteStatement

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    /// The rows of `sql`, one call each; the scan is only valid inside `body`.
    static func forEach(_ db: Database, sql: String, arguments: StatementArguments, _ body: (RowScan) throws -> Void) throws {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        let scan = RowScan(statement: statement.sqliteStatement)
        defer { sqlite3_reset(statement.sqliteStatement) }
        while true {
            let code = sqlite3_step(statement.sqliteStatement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
            }
            try body(scan)
        }
    }
}

/// Dense ids for the distinct texts of a scan's columns (statuses, currencies, customer ids),
/// found by hash and confirmed byte for byte, so a fold keys its sums by small integers and
/// makes each `String` once.
struct TextIDs {
    private(set) var strings: [String] = []
    private var bytes: [[UInt8]] = []
    private var byHash: [UInt64: [Int]] = [:]
    /// Up to this many texts, comparing them all beats hashing (statuses, currencies).
    private static let linear = 8

    mutating func id(_ scan: RowScan, _ column: Int32) -> Int {
        let count = Int(sqlite3_column_bytes(scan.statement, column))
        let text = UnsafeRawBufferPointer(start: sqlite3_column_text(scan.statement, column), count: count)
        func matches(_ id: Int) -> Bool { bytes[id].count == count && bytes[id].withUnsafeBytes { $0.elementsEqual(text) } }
        if bytes.count <= Self.linear {
            for id in bytes.indices where matches(id) { return id }
        } else {
            for id in byHash[Self.hash(text)] ?? [] where matches(id) { return id }
        }
        strings.append(String(decoding: text, as: UTF8.self))
        bytes.append(Array(text))
        byHash[Self.hash(text), default: []].append(strings.count - 1)
        return strings.count - 1
    }

    /// FNV-1a, 64 bits.
    private static func hash(_ text: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    subscript(id: Int) -> String { strings[id] }
}
