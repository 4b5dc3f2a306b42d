import Foundation
import GRDB
import OrdersDomain

/// The SQL of one `SearchOrders` on the embedded index. User text only ever reaches SQLite as
/// bound values: FTS5 terms are quoted tokens built by `TextQuery`, never user syntax.
struct SearchPlan {
    let query: SearchOrdersQuery
    private(set) var arguments: StatementArguments = []

    /// FTS5 columns whose highlights are returned, and the field names the API uses for them.
    static let highlightColumns: [(String, String)] = [
        ("hl_name", "customer.name"), ("hl_email", "customer.email"), ("hl_products", "items.name"), ("hl_skus", "items.sku"),
        ("hl_city", "shipping.city"), ("hl_notes", "notes"),
    ]

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

    /// `SELECT ... FROM orders` with every filter; `sort_value` and highlights included.
    mutating func matching(includeStatus: Bool) -> String {
        arguments = []
        var sql: String
        var conditions: [String] = []
        if let text = query.text {
            let fts = Self.ftsExpression(text)
            // BM25 weights: name 5, email 3, products 4, skus 3, city 1, country 1, notes 1.
            let matched =
                fts == nil
                ? "SELECT NULL AS rowid, 0.0 AS score, NULL AS hl_name, NULL AS hl_email, NULL AS hl_products, NULL AS hl_skus, NULL AS hl_city, NULL AS hl_notes WHERE 0"
                : """
                SELECT rowid, bm25(orders_text, 5.0, 3.0, 4.0, 3.0, 1.0, 1.0, 1.0) AS score,
                    highlight(orders_text, 0, '<em>', '</em>') AS hl_name, highlight(orders_text, 1, '<em>', '</em>') AS hl_email,
                    highlight(orders_text, 2, '<em>', '</em>') AS hl_products, highlight(orders_text, 3, '<em>', '</em>') AS hl_skus,
                    highlight(orders_text, 4, '<em>', '</em>') AS hl_city, highlight(orders_text, 6, '<em>', '</em>') AS hl_notes
                FROM orders_text WHERE orders_text MATCH ?
                """
            sql = """
                SELECT o.rowid AS rowid, o.*, m.hl_name, m.hl_email, m.hl_products, m.hl_skus, m.hl_city, m.hl_notes,
                    CASE WHEN o.order_id = ? THEN -1e12 WHEN m.rowid IS NULL THEN 0.0 ELSE m.score END AS relevance
                FROM orders o LEFT JOIN (\(matched)) m ON m.rowid = o.rowid
                """
            // Bound in the order the placeholders appear: the CASE's id, then the MATCH expression.
            arguments += [text.raw]
            if let fts { arguments += [fts] }
            // Text matches, or the order id exactly, or a prefix of it of at least 4 characters.
            var idCondition = "o.order_id = ?"
            arguments += [text.raw]
            if text.raw.count >= 4 {
                idCondition += " OR (substr(o.order_id, 1, ?) = ?)"
                arguments += [text.raw.count, text.raw]
            }
            conditions.append("(m.rowid IS NOT NULL OR \(idCondition))")
        } else {
            sql = """
                SELECT o.rowid AS rowid, o.*, NULL AS hl_name, NULL AS hl_email, NULL AS hl_products, NULL AS hl_skus, NULL AS hl_city,
                    NULL AS hl_notes, 0.0 AS relevance
                FROM orders o
                """
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
    /// to know whether there is a next page.
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
        var sql = "SELECT *, \(value) AS sort_value FROM (\(inner))"
        if let cursor {
            let comparison = descending ? "<" : ">"
            sql += " WHERE (\(value) \(comparison) ? OR (\(value) = ? AND order_id \(comparison) ?))"
            arguments += [cursor.value.databaseValue, cursor.value.databaseValue, cursor.orderID]
        }
        let direction = descending ? "DESC" : "ASC"
        sql += " ORDER BY \(value) \(direction), order_id \(direction) LIMIT ?"
        arguments += [size + 1]
        return sql
    }
}
