import Foundation
import GRDB
import OrdersDomain

/// The SQL of one `SearchOrders` on the embedded index. User text only ever reaches SQLite as
/// bound values: FTS5 terms are quoted tokens built by `TextQuery`, never user syntax.
///
/// With text, the candidates are the FTS5 matches plus the orders whose id is the text or starts
/// with it (4+ characters); filters then apply to those candidates only. Highlights are computed
/// for the rows of the page alone.
struct SearchPlan {
    let query: SearchOrdersQuery
    private(set) var arguments: StatementArguments = []

    init(query: SearchOrdersQuery) { self.query = query }

    /// The FTS5 MATCH expression: every word (prefix with `*`) and phrase, quoted, ANDed.
    static func ftsExpression(_ text: TextQuery) -> String? {
        let parts: [String] = text.terms.map { term in
            switch term {
            case .word(let word, let prefix): "\"\(word.replacingOccurrences(of: "\"", with: ""))\"" + (prefix ? "*" : "")
            case .phrase(let words): "\"" + words.map { $0.replacingOccurrences(of: "\"", with: "") }.joined(separator: " ") + "\""
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: " AND ")
    }

    /// `SELECT rowid, order_id, status, created_at, total_minor, relevance FROM ...` with every
    /// filter. `scored: false` skips BM25 (counting and facets do not need it).
    mutating func matching(includeStatus: Bool, scored: Bool = true) -> String {
        arguments = []
        var sql: String
        var conditions: [String] = []
        if let text = query.text {
            // Candidates: FTS matches (with their BM25 score; weights name 5, email 3, products 4,
            // skus 3, city 1, country 1, notes 1) and id matches (exact first).
            var candidates: [String] = []
            if let fts = Self.ftsExpression(text) {
                let score = scored ? "bm25(orders_text, 5.0, 3.0, 4.0, 3.0, 1.0, 1.0, 1.0)" : "0.0"
                candidates.append("SELECT rowid AS id, \(score) AS score FROM orders_text WHERE orders_text MATCH ?")
                arguments += [fts]
            }
            candidates.append("SELECT rowid AS id, -1e12 AS score FROM orders WHERE order_id = ?")
            arguments += [text.raw]
            if text.raw.count >= 4 {
                // A prefix as a range on the unique index: order_id >= raw AND order_id < raw + U+10FFFF.
                candidates.append("SELECT rowid AS id, -1e6 AS score FROM orders WHERE order_id >= ? AND order_id < ?")
                arguments += [text.raw, text.raw + "\u{10FFFF}"]
            }
            sql = """
                SELECT o.rowid AS rowid, o.order_id, o.status, o.created_at, o.total_minor, c.relevance
                FROM (SELECT id, min(score) AS relevance FROM (\(candidates.joined(separator: " UNION ALL "))) GROUP BY id) c
                JOIN orders o ON o.rowid = c.id
                """
        } else {
            sql = "SELECT o.rowid AS rowid, o.order_id, o.status, o.created_at, o.total_minor, 0.0 AS relevance FROM orders o"
        }
        let column = "o." + query.dateField.rawValue
        if let from = query.from {
            conditions.append("\(column) >= ?")
            arguments += [Int64((from.timeIntervalSince1970 * 1000).rounded())]
        }
        if let to = query.to {
            conditions.append("\(column) < ?")
            arguments += [Int64((to.timeIntervalSince1970 * 1000).rounded())]
        }
        if includeStatus, !query.statuses.isEmpty {
            let statuses = query.statuses.map(\.rawValue).sorted()
            conditions.append("o.status IN (\(statuses.map { _ in "?" }.joined(separator: ",")))")
            arguments += StatementArguments(statuses)
        }
        if let customer = query.customerID {
            conditions.append("o.customer_id = ?")
            arguments += [customer]
        }
        if let min = query.minTotal {
            conditions.append("o.total_minor >= ?")
            arguments += [min]
        }
        if let max = query.maxTotal {
            conditions.append("o.total_minor <= ?")
            arguments += [max]
        }
        if let currency = query.currency {
            conditions.append("o.currency = ?")
            arguments += [currency]
        }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        return sql
    }

    /// The page: matching rows sorted with a unique tie-breaker, after the cursor, one extra row
    /// to know whether there is a next page, with their documents.
    mutating func page(sort: SearchOrdersQuery.Sort, after cursor: Cursor?, size: Int) -> String {
        let inner = matching(includeStatus: true)
        let (value, descending): (String, Bool) =
            switch sort {
            case .relevance: ("relevance", false)
            case .createdAtDescending: ("created_at", true)
            case .createdAtAscending: ("created_at", false)
            case .totalDescending: ("total_minor", true)
            case .totalAscending: ("total_minor", false)
            }
        var sql = "SELECT m.rowid, m.order_id, m.\(value) AS sort_value, d.document FROM (\(inner)) m JOIN order_documents d ON d.id = m.rowid"
        if let cursor {
            let comparison = descending ? "<" : ">"
            sql += " WHERE (m.\(value) \(comparison) ? OR (m.\(value) = ? AND m.order_id \(comparison) ?))"
            arguments += [cursor.value.databaseValue, cursor.value.databaseValue, cursor.orderID]
        }
        let direction = descending ? "DESC" : "ASC"
        sql += " ORDER BY m.\(value) \(direction), m.order_id \(direction) LIMIT ?"
        arguments += [size + 1]
        return sql
    }

    /// FTS5 columns whose highlights are returned, and the field names the API uses for them.
    static let highlightColumns: [(Int, String)] = [
        (0, "customer.name"), (1, "customer.email"), (2, "items.name"), (3, "items.sku"), (4, "shipping.city"), (6, "notes"),
    ]

    /// Highlighted fragments of the given rows, by rowid and field.
    static func highlights(_ db: Database, text: TextQuery?, rowids: [Int64]) throws -> [Int64: [String: [String]]] {
        guard let text, let fts = ftsExpression(text), !rowids.isEmpty else { return [:] }
        let columns = highlightColumns.map { "highlight(orders_text, \($0.0), '<em>', '</em>')" }.joined(separator: ", ")
        let rows = try Row.fetchAll(
            db,
            sql:
                "SELECT rowid, \(columns) FROM orders_text WHERE orders_text MATCH ? AND rowid IN (\(rowids.map { _ in "?" }.joined(separator: ",")))",
            arguments: StatementArguments([fts]) + StatementArguments(rowids)
        )
        var result: [Int64: [String: [String]]] = [:]
        for row in rows {
            var fields: [String: [String]] = [:]
            for (offset, (_, field)) in highlightColumns.enumerated() {
                guard let value: String = row[offset + 1], value.contains("<em>") else { continue }
                fields[field] = field == "items.name" ? value.components(separatedBy: " \u{1F} ").filter { $0.contains("<em>") } : [value]
            }
            result[row[0]] = fields
        }
        return result
    }
}
