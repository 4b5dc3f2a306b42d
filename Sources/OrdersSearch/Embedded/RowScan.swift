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

    mutating func id(_ scan: RowScan, _ column: Int32) -> Int {
        let count = Int(sqlite3_column_bytes(scan.statement, column))
        let text = UnsafeRawBufferPointer(start: sqlite3_column_text(scan.statement, column), count: count)
        // Few distinct texts (statuses, currencies): compare them all, no hashing.
        if bytes.count <= 8 {
            for (id, known) in bytes.enumerated() where known.count == count && known.withUnsafeBytes({ $0.elementsEqual(text) }) { return id }
            if bytes.count < 8 { return add(text, hash: nil) }
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in text { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for id in byHash[hash] ?? [] where bytes[id].count == count && bytes[id].withUnsafeBytes({ $0.elementsEqual(text) }) { return id }
        return add(text, hash: hash)
    }

    private mutating func add(_ text: UnsafeRawBufferPointer, hash: UInt64?) -> Int {
        let id = strings.count
        strings.append(String(decoding: text, as: UTF8.self))
        bytes.append(Array(text))
        if bytes.count == 9 {
            // Past the linear range: index everything by hash from now on.
            for (known, value) in bytes.enumerated() {
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in value { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
                byHash[hash, default: []].append(known)
            }
        } else if let hash {
            byHash[hash, default: []].append(id)
        }
        return id
    }

    subscript(id: Int) -> String { strings[id] }
}
