import Foundation
import GRDB
import OrdersDomain
import RowScanning

/// How the embedded index answers one `SearchOrders`. User text only ever reaches SQLite as bound
/// values: FTS5 terms are quoted tokens built by `TextQuery`, never user syntax.
///
/// The work is bounded by the shape of the query, not by luck of the planner:
/// - **With text**, one pass reads the matching orders' narrow rows (FTS5 matches joined to
///   `orders`, plus the orders whose id is the text or starts with it), with every filter but
///   status applied in SQL. Status facets, the total and the page (a top-k with the cursor) are
///   computed from those rows in memory, so the FTS5 query (and BM25, which reads each row's length
///   from `orders`: `TextRanking`) runs once.
/// - **Without text**, the page walks the index of the sort (`created_at` or `total_minor`, each
///   covering every filter column) and stops after one page; at worst it reads that index once.
///   Facets come from `status_counts` (kept by triggers) when nothing is filtered, else from one
///   `GROUP BY status` over covering indexes.
/// Documents are read for the page's rows only, and so are highlights.
struct SearchPlan {
    let query: SearchOrdersQuery
    let sort: SearchOrdersQuery.Sort

    init(query: SearchOrdersQuery) {
        self.query = query
        sort = query.effectiveSort
    }

    /// One row of the page: where its document is, and what its cursor is made of.
    struct PageRow {
        var rowid: Int64
        var orderID: String
        var sortValue: Cursor.Value
    }

    /// The filters other than text and status, as conditions over `orders o`.
    var filters: OrderConditions {
        var conditions = OrderConditions()
        conditions.date(query.dateField, from: query.from, to: query.to)
        conditions.equal(.customerID, query.customerID)
        conditions.total(min: query.minTotal, max: query.maxTotal)
        conditions.equal(.currency, query.currency)
        return conditions
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

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

    /// BM25 (`TextRanking`) with column weights: name 5, email 3, products 4, SKUs 3, city 1,
    /// country 1, notes 1.
    static let bm25 = "orders_bm25(orders_text, o.text_tokens, 5.0, 3.0, 4.0, 3.0, 1.0, 1.0, 1.0)"
    /// Scores of id matches, below any BM25 score (lower sorts first): the exact id, then prefixes.
    static let exactIDScore = -1e12
    static let idPrefixScore = -1e6

    // MARK: Text

    /// A matching order as the text path first reads it: numbers only. Order ids (strings) are
    /// read afterwards for the few rows that can reach the page.
    struct Candidate {
        var rowid: Int64
        var status: Int
        var value: Cursor.Value
    }

    /// Reads matching rows into candidates. Every matching row passes here (100,000 for a word
    /// in every order), stepped in place; its methods mutate `self` in place, where a nested
    /// function's captured variables cost a dynamic exclusivity check per row.
    struct Collector {
        let scored: Bool
        var candidates: [Candidate] = []
        /// A status is read as its text and known by its bytes: SQL's `CASE` over six strings
        /// cost ~0.25 µs a row (25 ms for a word in every order of 100,000).
        private var statusTexts = TextIDs()
        /// By text id: the index in `OrderStatus.allCases`, or -1.
        private var statusIndices: [Int] = []
        /// The first row whose status this build does not know (the index was changed outside
        /// the service): the query fails naming it, rather than dropping the hit.
        private(set) var unknownStatus: (rowid: Int64, status: String)?

        init(scored: Bool) { self.scored = scored }

        /// The rows of `sql`: rowid, status and the sort value (the score when `scored`).
        mutating func collect(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws {
            try RowScan.forEach(db, sql: sql, arguments: arguments) { row in
                let text = statusTexts.id(row, 1)
                if text == statusIndices.count {
                    statusIndices.append(OrderStatus(rawValue: statusTexts[text]).flatMap { OrderStatus.allCases.firstIndex(of: $0) } ?? -1)
                }
                let value: Cursor.Value = scored ? .real(row.double(2)) : .integer(row.int64(2))
                let status = statusIndices[text]
                if status < 0, unknownStatus == nil { unknownStatus = (row.int64(0), statusTexts[text]) }
                candidates.append(Candidate(rowid: row.int64(0), status: status, value: value))
            }
        }
    }

    /// Status facets, total and page of a text query, from one read of the matching rows.
    func textPage(_ db: Database, text: TextQuery, after cursor: Cursor?) throws -> (counts: [OrderStatus: Int], total: Int, page: [PageRow]) {
        let conditions = filters
        let filter = conditions.isEmpty ? "" : " AND " + conditions.sql
        let (column, descending) = sortColumn
        let scored = sort == .relevance
        var collector = Collector(scored: scored)
        if let fts = Self.ftsExpression(text) {
            try collector.collect(
                db,
                """
                SELECT o.rowid, o.status, \(scored ? Self.bm25 : "o.\(column)") FROM orders_text t JOIN orders o ON o.rowid = t.rowid
                WHERE orders_text MATCH ?\(filter)
                """,
                [fts] + conditions.arguments
            )
        }
        // The id: exact, or as a prefix of 4+ characters (a range on the unique index). An order
        // found both ways keeps its best score.
        let textMatches = collector.candidates.count
        var idCondition = "o.order_id = ?"
        var idArguments: StatementArguments = [text.raw]
        if text.raw.count >= 4 {
            idCondition = "(o.order_id = ? OR (o.order_id >= ? AND o.order_id < ?))"
            idArguments += [text.raw, text.raw + "\u{10FFFF}"]
        }
        let idScore = scored ? "CASE WHEN o.order_id = ? THEN \(Self.exactIDScore) ELSE \(Self.idPrefixScore) END" : "o.\(column)"
        try collector.collect(
            db, "SELECT o.rowid, o.status, \(idScore) FROM orders o WHERE \(idCondition)\(filter)",
            (scored ? [text.raw] : []) + idArguments + conditions.arguments
        )
        if let (rowid, status) = collector.unknownStatus {
            throw Self.unknownStatus(status, orderID: try Self.orderIDs(db, rowids: [rowid])[rowid] ?? "at row \(rowid)")
        }
        var candidates = collector.candidates
        if candidates.count > textMatches { candidates = Self.keepingBestScore(candidates) }

        var statusCounts = [Int](repeating: 0, count: OrderStatus.allCases.count)
        let wanted = Set(query.statuses.compactMap { OrderStatus.allCases.firstIndex(of: $0) })
        var survivors: [Candidate] = []
        var total = 0
        var tiedWithCursor: [Candidate] = []
        for candidate in candidates {
            statusCounts[candidate.status] += 1
            guard wanted.isEmpty || wanted.contains(candidate.status) else { continue }
            total += 1
            if let cursor {
                let comparison = Self.compare(candidate.value, cursor.value)
                if comparison == .orderedSame {
                    tiedWithCursor.append(candidate)
                    continue
                }
                if Self.isBefore(cursor.value, candidate.value, descending: descending) { survivors.append(candidate) }
                // else: before the cursor
            } else {
                survivors.append(candidate)
            }
        }
        var counts: [OrderStatus: Int] = [:]
        for (index, count) in statusCounts.enumerated() where count > 0 { counts[OrderStatus.allCases[index]] = count }

        // Rows tied with the cursor's value come next if their id is after the cursor's.
        let wantedRows = query.size + 1
        var page: [PageRow] = []
        if let cursor, !tiedWithCursor.isEmpty {
            page = try Self.firstByOrderID(
                db, rowids: tiedWithCursor.map(\.rowid), count: wantedRows, descending: descending, after: cursor.orderID
            ).map { PageRow(rowid: $0.rowid, orderID: $0.orderID, sortValue: cursor.value) }
        }
        // The best of the others by value; among those tied with the last one taken, the order
        // id decides, so only the first few of them by id are looked up.
        if page.count < wantedRows, !survivors.isEmpty {
            let (better, tied) = Self.best(survivors, count: wantedRows - page.count, descending: descending)
            let ids = try Self.orderIDs(db, rowids: better.map(\.rowid))
            page += better.compactMap { candidate in
                ids[candidate.rowid].map { PageRow(rowid: candidate.rowid, orderID: $0, sortValue: candidate.value) }
            }
            if let value = tied.first?.value {
                page += try Self.firstByOrderID(
                    db, rowids: tied.map(\.rowid), count: wantedRows - page.count, descending: descending, after: nil
                ).map { PageRow(rowid: $0.rowid, orderID: $0.orderID, sortValue: value) }
            }
        }
        page.sort { Self.ordered($0, $1, descending: descending) }
        return (counts, total, Array(page.prefix(wantedRows)))
    }

    /// The `count` best candidates by value, split into those strictly better than the
    /// `count`-th best value (fewer than `count`) and all those tied with it (their order ids
    /// decide later). A bounded heap finds the `count`-th best value in one pass, so a text
    /// matching 100,000 orders is not sorted whole for a page of 20.
    static func best(_ candidates: [Candidate], count: Int, descending: Bool) -> (better: [Candidate], tied: [Candidate]) {
        func better(_ a: Cursor.Value, _ b: Cursor.Value) -> Bool { isBefore(a, b, descending: descending) }
        precondition(count > 0, "at least one row is wanted")
        // The best `count` values seen so far, the worst of them at the top.
        var heap: [Cursor.Value] = []
        heap.reserveCapacity(count)
        for candidate in candidates {
            if heap.count < count {
                heap.append(candidate.value)
                var child = heap.count - 1
                while child > 0, better(heap[(child - 1) / 2], heap[child]) {
                    heap.swapAt(child, (child - 1) / 2)
                    child = (child - 1) / 2
                }
            } else if better(candidate.value, heap[0]) {
                heap[0] = candidate.value
                var parent = 0
                while true {
                    var worst = parent
                    let left = 2 * parent + 1
                    if left < heap.count, better(heap[worst], heap[left]) { worst = left }
                    if left + 1 < heap.count, better(heap[worst], heap[left + 1]) { worst = left + 1 }
                    if worst == parent { break }
                    heap.swapAt(parent, worst)
                    parent = worst
                }
            }
        }
        guard let threshold = heap.first else { return ([], []) }
        var strictlyBetter: [Candidate] = []
        var tied: [Candidate] = []
        for candidate in candidates {
            if better(candidate.value, threshold) {
                strictlyBetter.append(candidate)
            } else if compare(candidate.value, threshold) == .orderedSame {
                tied.append(candidate)
            }
        }
        return (strictlyBetter, tied)
    }

    /// The first `count` of the given rows in the order id order of a sort (ascending, or
    /// descending), after `after` when given. Few rows are looked up by rowid; when many tie
    /// (a common word scores the same in thousands of orders), walking the order id index until
    /// `count` of them turn up reads fewer rows than looking every one up.
    static func firstByOrderID(
        _ db: Database, rowids: [Int64], count: Int, descending: Bool, after: String?
    ) throws -> [(rowid: Int64, orderID: String)] {
        guard count > 0, !rowids.isEmpty else { return [] }
        func follows(_ id: String) -> Bool {
            guard let after else { return true }
            return descending ? id < after : id > after
        }
        var walk = false
        if rowids.count > count {
            // Expected rows walked: `count` in every `orders / rowids.count` rows.
            let orders = try Int64.fetchOne(db, sql: "SELECT max(rowid) FROM orders") ?? 0
            walk = Int64(count) * orders / Int64(rowids.count) < Int64(rowids.count)
        }
        guard walk else {
            var rows = try orderIDs(db, rowids: rowids).map { (rowid: $0.key, orderID: $0.value) }.filter { follows($0.orderID) }
            rows.sort { descending ? $0.orderID > $1.orderID : $0.orderID < $1.orderID }
            return Array(rows.prefix(count))
        }
        let wanted = Set(rowids)
        var sql = "SELECT rowid, order_id FROM orders"
        if after != nil { sql += " WHERE order_id \(descending ? "<" : ">") ?" }
        sql += " ORDER BY order_id \(descending ? "DESC" : "ASC")"
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: after.map { [$0] } ?? [])
        var rows: [(rowid: Int64, orderID: String)] = []
        while rows.count < count, let row = try cursor.next() {
            let rowid: Int64 = row[0]
            if wanted.contains(rowid) { rows.append((rowid, row[1])) }
        }
        return rows
    }

    /// One candidate per order, with its lowest (best) score (without scores, both values are the same).
    static func keepingBestScore(_ candidates: [Candidate]) -> [Candidate] {
        var best: [Int64: Int] = [:]
        var result: [Candidate] = []
        for candidate in candidates {
            if let index = best[candidate.rowid] {
                if candidate.value.double < result[index].value.double { result[index] = candidate }
            } else {
                best[candidate.rowid] = result.count
                result.append(candidate)
            }
        }
        return result
    }

    /// Order ids by rowid (any number of rows: the list goes in as one JSON array).
    static func orderIDs(_ db: Database, rowids: [Int64]) throws -> [Int64: String] {
        guard !rowids.isEmpty else { return [:] }
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT rowid, order_id FROM orders WHERE rowid IN (SELECT value FROM json_each(?))"),
            arguments: ["[" + rowids.map(String.init).joined(separator: ",") + "]"]
        )
        var ids: [Int64: String] = [:]
        ids.reserveCapacity(rowids.count)
        while let row = try rows.next() { ids[row[0]] = row[1] }
        return ids
    }

    /// Whether value `a` comes before value `b` in the sort's direction.
    static func isBefore(_ a: Cursor.Value, _ b: Cursor.Value, descending: Bool) -> Bool {
        let comparison = compare(a, b)
        return descending ? comparison == .orderedDescending : comparison == .orderedAscending
    }

    static func ordered(_ a: PageRow, _ b: PageRow, descending: Bool) -> Bool {
        if compare(a.sortValue, b.sortValue) != .orderedSame { return isBefore(a.sortValue, b.sortValue, descending: descending) }
        return descending ? a.orderID > b.orderID : a.orderID < b.orderID
    }

    static func compare(_ a: Cursor.Value, _ b: Cursor.Value) -> ComparisonResult {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame
        default: a.double < b.double ? .orderedAscending : a.double > b.double ? .orderedDescending : .orderedSame
        }
    }

    static func cursorValue(_ value: DatabaseValue, sort: SearchOrdersQuery.Sort) -> Cursor.Value {
        sort == .relevance ? .real(Double.fromDatabaseValue(value) ?? 0) : .integer(Int64.fromDatabaseValue(value) ?? 0)
    }

    // MARK: No text

    /// The sort column of `orders` and its direction (relevance sorts by score, ascending).
    var sortColumn: (column: String, descending: Bool) {
        switch sort {
        // Relevance rows carry their score (BM25, lower is better) and are ranked ascending;
        // the column is not read for them.
        case .relevance: ("created_at", false)
        case .createdAtDescending: ("created_at", true)
        case .createdAtAscending: ("created_at", false)
        case .totalDescending: ("total_minor", true)
        case .totalAscending: ("total_minor", false)
        }
    }

    /// Status facets without text: the maintained counts when nothing is filtered.
    func facets(_ db: Database) throws -> [OrderStatus: Int] {
        let conditions = filters
        let rows =
            conditions.isEmpty
            ? try Row.fetchAll(db, sql: "SELECT status, count FROM status_counts WHERE count > 0")
            : try Row.fetchAll(
                db, sql: "SELECT o.status, count(*) FROM orders o WHERE \(conditions.sql) GROUP BY o.status", arguments: conditions.arguments)
        var counts: [OrderStatus: Int] = [:]
        for row in rows { if let status = OrderStatus(rawValue: row[0]) { counts[status] = row[1] } }
        return counts
    }

    /// The page without text: a walk down the sort's covering index, or the customer's orders.
    func page(_ db: Database, after cursor: Cursor?) throws -> [PageRow] {
        var conditions = filters
        let (column, descending) = sortColumn
        conditions.status(in: query.statuses)
        if let cursor {
            conditions.add("(o.\(column), o.order_id) \(descending ? "<" : ">") (?, ?)", [cursor.value.databaseValue, cursor.orderID])
        }
        // A customer's orders are few: their own index finds them. Otherwise, walking the sort's
        // index (which covers status, currency, total and created_at) bounds the work by one pass
        // over that index even when the filters match little, and stops after a page when they
        // match much; letting the planner pick a filter's index instead sorts everything it matches.
        let index = query.customerID != nil ? "" : column == "created_at" ? " INDEXED BY orders_by_created" : " INDEXED BY orders_by_total"
        let direction = descending ? "DESC" : "ASC"
        var sql = "SELECT o.rowid, o.order_id, o.\(column) FROM orders o\(index)"
        if !conditions.isEmpty { sql += " WHERE " + conditions.sql }
        sql += " ORDER BY o.\(column) \(direction), o.order_id \(direction) LIMIT ?"
        return try Row.fetchAll(db, sql: sql, arguments: conditions.arguments + [query.size + 1]).map {
            PageRow(rowid: $0[0], orderID: $0[1], sortValue: .integer($0[2]))
        }
    }

    // MARK: Documents and highlights

    /// What a summary reads: the `orders` columns and the text table's stored name and city
    /// (`o` and `t`), so no document is decoded.
    static let summaryColumns = """
        o.rowid, o.order_id, o.status, o.customer_id, t.customer_name, o.item_count, o.total_minor, o.currency, t.city, o.country,
        o.created_at, o.updated_at
        """
    /// Where `summaryColumns` puts a keyset cursor's keys.
    static let summaryOrderIDColumn = 1
    static let summaryCreatedAtColumn = 10

    /// The summary of a row read with `summaryColumns`.
    static func summary(_ row: Row) throws -> OrderSummary {
        let status: String = row[2]
        guard let known = OrderStatus(rawValue: status) else { throw unknownStatus(status, orderID: row[1]) }
        func date(_ column: Int) -> Date { Date(timeIntervalSince1970: Double(row[column] as Int64) / 1000) }
        return OrderSummary(
            orderID: row[1], status: known, customerID: row[3], customerName: row[4], itemCount: row[5], totalMinor: row[6],
            currency: row[7], city: row[8], country: row[9], createdAt: date(10), updatedAt: date(11))
    }

    /// A status this build does not know (the index was changed outside the service).
    static func unknownStatus(_ status: String, orderID: String) -> DatabaseError {
        DatabaseError(message: "order \(orderID) has an unknown status '\(status)' in the read index")
    }

    /// The summaries of the given rows, by rowid.
    static func summaries(_ db: Database, rowids: [Int64]) throws -> [Int64: OrderSummary] {
        guard !rowids.isEmpty else { return [:] }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(summaryColumns) FROM orders o JOIN orders_text t ON t.rowid = o.rowid
                WHERE o.rowid IN (\(rowids.map { _ in "?" }.joined(separator: ",")))
                """,
            arguments: StatementArguments(rowids))
        var summaries: [Int64: OrderSummary] = [:]
        for row in rows { summaries[row[0]] = try summary(row) }
        return summaries
    }

    /// FTS5 columns whose highlights are returned, and the field names the API uses for them.
    static let highlightColumns: [(Int, String)] = [
        (0, "customer.name"), (1, "customer.email"), (2, "items.name"), (3, "items.sku"), (4, "shipping.city"), (6, "notes"),
    ]

    /// Highlighted fragments of the given rows, by rowid and field.
    static func highlights(_ db: Database, text: TextQuery?, rowids: [Int64]) throws -> [Int64: [String: [String]]] {
        guard let text, let fts = ftsExpression(text), !rowids.isEmpty else { return [:] }
        // Control characters mark the matches; `HighlightText` escapes the text and makes them tags.
        let columns = highlightColumns.map {
            "highlight(orders_text, \($0.0), char(\(HighlightText.matchStart.value)), char(\(HighlightText.matchEnd.value)))"
        }.joined(separator: ", ")
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
                guard let value: String = row[offset + 1] else { continue }
                let fragments = HighlightText.fragments(marked: value, separator: field == "items.name" ? " \u{1F} " : nil)
                if !fragments.isEmpty { fields[field] = fragments }
            }
            result[row[0]] = fields
        }
        return result
    }
}

extension Cursor.Value {
    var double: Double {
        switch self {
        case .integer(let value): Double(value)
        case .real(let value): value
        }
    }
}
