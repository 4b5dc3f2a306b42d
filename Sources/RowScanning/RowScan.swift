import Foundation
package import GRDB
import GRDBSQLite

/// Steps through a statement's rows with SQLite's C API, for folds over many rows (analytics
/// over a whole year of orders, a reindex reading the whole log). Aggregating in Swift over a
/// covering-index range scan is far cheaper than SQL's `GROUP BY`, whose sorter costs ~2 µs a
/// row; and reading columns in place avoids GRDB's per-row `Row` and `String` work.
///
/// A scan is only valid inside the closure it is passed to, and the bytes it lends only until
/// the next row.
package struct RowScan {
    let statement: SQLiteStatement

    package func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    package func double(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }

    package func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    /// The column's text (or blob) bytes, in place: valid until the next row.
    package func bytes(_ column: Int32) -> UnsafeRawBufferPointer {
        // `sqlite3_column_text` first, then `sqlite3_column_bytes`, as SQLite's documentation asks.
        guard let start = sqlite3_column_text(statement, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: start, count: Int(sqlite3_column_bytes(statement, column)))
    }

    /// Whether two byte ranges hold the same bytes (`memcmp`: the generic `elementsEqual` goes
    /// byte by byte).
    package static func same(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    /// The rows of `sql`, one call each.
    package static func forEach(_ db: Database, sql: String, arguments: StatementArguments, _ body: (RowScan) throws -> Void) throws {
        try step(db, sql: sql, arguments: arguments) { row in
            try body(row)
            return true
        }
    }

    /// The rows of `sql`, one call each, until `body` returns false.
    package static func step(_ db: Database, sql: String, arguments: StatementArguments, _ body: (RowScan) throws -> Bool) throws {
        let statement = try db.cachedStatement(sql: sql)
        try statement.setArguments(arguments)
        let scan = RowScan(statement: statement.sqliteStatement)
        defer { sqlite3_reset(statement.sqliteStatement) }
        while true {
            let code = sqlite3_step(statement.sqliteStatement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
            }
            guard try body(scan) else { return }
        }
    }
}

/// Dense ids for the distinct texts of a scan's columns (statuses, currencies, customer ids,
/// event types), found by hash and confirmed byte for byte, so a fold keys its sums by small
/// integers and makes each `String` once.
package struct TextIDs {
    package private(set) var strings: [String] = []
    private var bytes: [[UInt8]] = []
    private var byHash: [UInt64: [Int]] = [:]
    /// Up to this many texts, comparing them all beats hashing (statuses, currencies).
    private static let linear = 8

    package init() {}

    package mutating func id(_ scan: RowScan, _ column: Int32) -> Int { id(scan.bytes(column)) }

    /// The id of `text` (a new one the first time it is seen).
    package mutating func id(_ text: UnsafeRawBufferPointer) -> Int {
        func matches(_ id: Int) -> Bool { bytes[id].withUnsafeBytes { RowScan.same($0, text) } }
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

    package subscript(id: Int) -> String { strings[id] }
}
