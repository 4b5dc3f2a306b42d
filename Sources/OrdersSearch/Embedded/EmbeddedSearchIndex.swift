import Foundation
package import GRDB
import OrdersDomain

/// The zero-setup read side: orders in their own SQLite database (physically separate from the
/// write store), with an FTS5 table for text. Diacritics are folded (`muller` finds `Müller`),
/// prefixes are indexed for as-you-type search, filters and sorts use plain indexed columns.
package final class EmbeddedSearchIndex: SearchIndex {
    package let writer: any DatabaseWriter

    /// Opens (creating the file and folder) and migrates the index at `path`.
    package init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // Reads walk indexes and FTS5 segments: map the file rather than copy pages through
            // read(2), and keep a larger page cache for the WAL's pages.
            try db.execute(sql: "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -16384")
            try TextRanking.register(db)
        }
        writer = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(writer)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-22 orders index") { db in
            try db.execute(
                sql: """
                    CREATE TABLE orders (
                        order_id TEXT NOT NULL UNIQUE,
                        version INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        customer_id TEXT NOT NULL,
                        currency TEXT NOT NULL,
                        total_minor INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        submitted_at INTEGER,
                        paid_at INTEGER,
                        shipped_at INTEGER,
                        delivered_at INTEGER,
                        cancelled_at INTEGER,
                        updated_at INTEGER NOT NULL
                    ) STRICT;
                    -- The full documents apart, so that filtering and counting scan narrow rows.
                    CREATE TABLE order_documents (id INTEGER PRIMARY KEY, document TEXT NOT NULL) STRICT;
                    CREATE INDEX orders_by_created ON orders (created_at, order_id);
                    CREATE INDEX orders_by_total ON orders (total_minor, order_id);
                    CREATE INDEX orders_by_customer ON orders (customer_id, created_at, order_id);
                    CREATE INDEX orders_by_status ON orders (status, created_at);
                    CREATE INDEX orders_by_currency ON orders (currency, created_at);
                    CREATE VIRTUAL TABLE orders_text USING fts5(
                        customer_name, customer_email, product_names, skus, city, country, notes,
                        tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
                    );
                    """
            )
        }
        migrator.registerMigration("2026-11-22 covering indexes and status counts") { db in
            // Sort indexes cover every filter column, so a page walks one index and stops; the
            // status counts answer unfiltered facets without counting; the other status
            // timestamps get (partial) indexes for date ranges on them.
            try db.execute(
                sql: """
                    DROP INDEX orders_by_created;
                    DROP INDEX orders_by_total;
                    DROP INDEX orders_by_status;
                    DROP INDEX orders_by_currency;
                    CREATE INDEX orders_by_created ON orders (created_at, order_id, status, currency, total_minor);
                    CREATE INDEX orders_by_total ON orders (total_minor, order_id, status, currency, created_at);
                    CREATE INDEX orders_by_status ON orders (status, created_at, currency, total_minor);
                    CREATE INDEX orders_by_currency ON orders (currency, status, total_minor, created_at);
                    CREATE INDEX orders_by_submitted ON orders (submitted_at, status) WHERE submitted_at IS NOT NULL;
                    CREATE INDEX orders_by_paid ON orders (paid_at, status) WHERE paid_at IS NOT NULL;
                    CREATE INDEX orders_by_shipped ON orders (shipped_at, status) WHERE shipped_at IS NOT NULL;
                    CREATE INDEX orders_by_delivered ON orders (delivered_at, status) WHERE delivered_at IS NOT NULL;
                    CREATE INDEX orders_by_cancelled ON orders (cancelled_at, status) WHERE cancelled_at IS NOT NULL;
                    CREATE INDEX orders_by_updated ON orders (updated_at, status);

                    CREATE TABLE status_counts (status TEXT PRIMARY KEY, count INTEGER NOT NULL) STRICT, WITHOUT ROWID;
                    INSERT INTO status_counts (status, count) SELECT status, count(*) FROM orders WHERE true GROUP BY status;
                    CREATE TRIGGER orders_counted_insert AFTER INSERT ON orders BEGIN
                        INSERT INTO status_counts (status, count) VALUES (NEW.status, 1)
                            ON CONFLICT (status) DO UPDATE SET count = count + 1;
                    END;
                    CREATE TRIGGER orders_counted_update AFTER UPDATE OF status ON orders WHEN OLD.status <> NEW.status BEGIN
                        UPDATE status_counts SET count = count - 1 WHERE status = OLD.status;
                        INSERT INTO status_counts (status, count) VALUES (NEW.status, 1)
                            ON CONFLICT (status) DO UPDATE SET count = count + 1;
                    END;
                    CREATE TRIGGER orders_counted_delete AFTER DELETE ON orders BEGIN
                        UPDATE status_counts SET count = count - 1 WHERE status = OLD.status;
                    END;
                    """
            )
        }
        migrator.registerMigration("2026-11-22 analytics columns and items") { db in
            // Analytics group by country and by product: the country and item count move into
            // `orders`, and each order's items get rows of their own (filled from the documents).
            try db.execute(
                sql: """
                    ALTER TABLE orders ADD COLUMN country TEXT NOT NULL DEFAULT '';
                    ALTER TABLE orders ADD COLUMN item_count INTEGER NOT NULL DEFAULT 0;
                    UPDATE orders SET
                        country = (SELECT d.document ->> '$.shipping.country' FROM order_documents d WHERE d.id = orders.rowid),
                        item_count = (SELECT d.document ->> '$.item_count' FROM order_documents d WHERE d.id = orders.rowid)
                        WHERE true;
                    CREATE TABLE order_items (
                        order_row INTEGER NOT NULL,
                        product_id TEXT NOT NULL,
                        sku TEXT NOT NULL,
                        name TEXT NOT NULL,
                        quantity INTEGER NOT NULL,
                        subtotal_minor INTEGER NOT NULL
                    ) STRICT;
                    CREATE INDEX order_items_by_order ON order_items (order_row);
                    INSERT INTO order_items (order_row, product_id, sku, name, quantity, subtotal_minor)
                        SELECT d.id, item.value ->> 'product_id', item.value ->> 'sku', item.value ->> 'name',
                            item.value ->> 'quantity', item.value ->> 'subtotal_minor'
                        FROM order_documents d, json_each(d.document, '$.items') item;
                    """
            )
        }
        migrator.registerMigration("2026-11-22 analytics indexes") { db in
            // Covering indexes for the analytics scans: every column a panel folds, after the
            // date range (created_at) or the order (items).
            try db.execute(
                sql: """
                    CREATE INDEX orders_for_analytics ON orders (created_at, status, currency, country, customer_id, total_minor, item_count);
                    DROP INDEX order_items_by_order;
                    CREATE INDEX order_items_by_order ON order_items (order_row, product_id, quantity, subtotal_minor);
                    CREATE INDEX order_items_by_product ON order_items (product_id, order_row);
                    """
            )
        }
        migrator.registerMigration("2026-11-22 item labels in the items index") { db in
            // Top products count SKUs and names too, from the same scan.
            try db.execute(
                sql: """
                    DROP INDEX order_items_by_order;
                    CREATE INDEX order_items_by_order ON order_items (order_row, product_id, quantity, subtotal_minor, sku, name);
                    """
            )
        }
        migrator.registerMigration("2026-11-23 text lengths for ranking") { db in
            // Text relevance reads each row's length in tokens from here (`TextRanking`), not
            // from FTS5's per-row lookups; existing rows are counted with the table's tokenizer.
            try db.execute(sql: "ALTER TABLE orders ADD COLUMN text_tokens INTEGER NOT NULL DEFAULT 0")
            let tokenizer = try db.makeTokenizer(TextRanking.tokenizer)
            let update = try db.makeStatement(sql: "UPDATE orders SET text_tokens = ? WHERE rowid = ?")
            let rows = try Row.fetchCursor(
                db, sql: "SELECT rowid, customer_name, customer_email, product_names, skus, city, country, notes FROM orders_text")
            while let row = try rows.next() {
                let columns = (1...7).map { (row[$0] as String?) ?? "" }
                try update.execute(arguments: [try TextRanking.tokenCount(columns, tokenizer), row[0] as Int64])
            }
        }
        return migrator
    }

    /// The columns of `orders_text`, in their order (the ranking's weights follow it).
    static let textColumns = "customer_name, customer_email, product_names, skus, city, country, notes"

    // MARK: Writes

    /// Committed documents are visible at once, so `waitForVisibility` changes nothing here.
    package func apply(_ documents: [OrderDocument], waitForVisibility: Bool) async throws -> [ApplyOutcome] {
        // What `JSONEncoder` (sorted keys, epoch milliseconds) writes, at a fraction of its cost.
        let encoded = documents.map { String(decoding: DocumentJSON.encode($0, searchFields: false), as: UTF8.self) }
        return try await writer.write { db in
            var outcomes: [ApplyOutcome] = []
            outcomes.reserveCapacity(documents.count)
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO orders (order_id, version, status, customer_id, currency, total_minor, created_at, submitted_at, paid_at,
                        shipped_at, delivered_at, cancelled_at, updated_at, country, item_count, text_tokens)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (order_id) DO UPDATE SET
                        version = excluded.version, status = excluded.status, customer_id = excluded.customer_id,
                        currency = excluded.currency, total_minor = excluded.total_minor, created_at = excluded.created_at,
                        country = excluded.country, item_count = excluded.item_count, text_tokens = excluded.text_tokens,
                        submitted_at = excluded.submitted_at, paid_at = excluded.paid_at, shipped_at = excluded.shipped_at,
                        delivered_at = excluded.delivered_at, cancelled_at = excluded.cancelled_at, updated_at = excluded.updated_at
                    WHERE excluded.version > orders.version
                    """
            )
            let rowid = try db.cachedStatement(sql: "SELECT rowid FROM orders WHERE order_id = ?")
            let saveDocument = try db.cachedStatement(sql: "INSERT OR REPLACE INTO order_documents (id, document) VALUES (?, ?)")
            let deleteText = try db.cachedStatement(sql: "DELETE FROM orders_text WHERE rowid = ?")
            let deleteItems = try db.cachedStatement(sql: "DELETE FROM order_items WHERE order_row = ?")
            let insertItem = try db.cachedStatement(
                sql: "INSERT INTO order_items (order_row, product_id, sku, name, quantity, subtotal_minor) VALUES (?, ?, ?, ?, ?, ?)"
            )
            let insertText = try db.cachedStatement(
                sql: "INSERT INTO orders_text (rowid, \(Self.textColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            )
            let tokenizer = try db.makeTokenizer(TextRanking.tokenizer)
            for (document, json) in zip(documents, encoded) {
                // The text columns, in `textColumns` order.
                let text = [
                    document.customer.name, document.customer.email, document.items.map(\.name).joined(separator: " \u{1F} "),
                    document.items.map(\.sku).joined(separator: " "), document.shipping.city, document.shipping.country, document.notes ?? "",
                ]
                let ms = { (date: Date?) in date.map(SearchPlan.milliseconds) }
                try upsert.execute(arguments: [
                    document.orderID, document.version, document.status.rawValue, document.customer.id, document.currency, document.totalMinor,
                    ms(document.createdAt), ms(document.submittedAt), ms(document.paidAt), ms(document.shippedAt), ms(document.deliveredAt),
                    ms(document.cancelledAt), ms(document.updatedAt), document.shipping.country, document.itemCount,
                    try TextRanking.tokenCount(text, tokenizer),
                ])
                guard db.changesCount > 0 else {
                    outcomes.append(.stale)
                    continue
                }
                let id = try Int64.fetchOne(rowid, arguments: [document.orderID])!
                try saveDocument.execute(arguments: [id, json])
                try deleteItems.execute(arguments: [id])
                for item in document.items {
                    try insertItem.execute(arguments: [id, item.productID, item.sku, item.name, item.quantity, item.subtotalMinor])
                }
                try deleteText.execute(arguments: [id])
                try insertText.execute(arguments: [id] + StatementArguments(text))
                outcomes.append(.applied)
            }
            return outcomes
        }
    }

    // MARK: Reads

    package func order(id: String) async throws -> OrderDocument? {
        try await writer.read { db in
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT d.document FROM orders o JOIN order_documents d ON d.id = o.rowid WHERE o.order_id = ?"),
                arguments: [id]
            ).map(Self.decode)
        }
    }

    package func orders(customerID: String, size: Int, after: String?) async throws -> (orders: [OrderSummary], nextCursor: String?) {
        let position = try after.map { try Cursor(decoding: $0, sort: "customer") }
        return try await writer.read { db in
            var sql = "SELECT \(SearchPlan.summaryColumns) FROM orders o JOIN orders_text t ON t.rowid = o.rowid WHERE o.customer_id = ?"
            var arguments: StatementArguments = [customerID]
            if let position {
                sql += " AND (o.created_at < ? OR (o.created_at = ? AND o.order_id < ?))"
                arguments += [position.value.databaseValue, position.value.databaseValue, position.orderID]
            }
            sql += " ORDER BY o.created_at DESC, o.order_id DESC LIMIT ?"
            arguments += [size + 1]
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let page = try rows.prefix(size).map(SearchPlan.summary)
            var next: String?
            if rows.count > size {
                let last = rows[size - 1]
                next =
                    Cursor(
                        sort: "customer", value: .integer(last[SearchPlan.summaryCreatedAtColumn]), orderID: last[SearchPlan.summaryOrderIDColumn]
                    ).encoded
            }
            return (page, next)
        }
    }

    /// The file and the orders it holds.
    package func describe() async -> IndexDescription {
        await Self.describe(location: writer.path, name: URL(fileURLWithPath: writer.path).lastPathComponent) { try await self.stats() }
    }

    static func describe(location: String, name: String?, stats: () async throws -> IndexStats) async -> IndexDescription {
        var description = IndexDescription(backend: "embedded", location: location, name: name)
        do {
            description.documents = try await stats().documents
        } catch {
            description.problems.append("not readable: \(error)")
        }
        return description
    }

    package func stats() async throws -> IndexStats {
        try await writer.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(max(version), 0) FROM orders")!
            return IndexStats(documents: row[0], highestVersion: row[1])
        }
    }

    package func search(_ query: SearchOrdersQuery) async throws -> SearchOrdersResult {
        let plan = SearchPlan(query: query)
        let cursor = try query.after.map { try Cursor(decoding: $0, sort: plan.sort.rawValue) }
        return try await writer.read { db in
            let counts: [OrderStatus: Int]
            let total: Int
            let page: [SearchPlan.PageRow]
            if let text = query.text {
                (counts, total, page) = try plan.textPage(db, text: text, after: cursor)
            } else {
                counts = try plan.facets(db)
                total = counts.filter { query.statuses.isEmpty || query.statuses.contains($0.key) }.values.reduce(0, +)
                page = try plan.page(db, after: cursor)
            }
            let shown = Array(page.prefix(query.size))
            let summaries = try SearchPlan.summaries(db, rowids: shown.map(\.rowid))
            let highlights = try SearchPlan.highlights(db, text: query.text, rowids: shown.map(\.rowid))
            var hits: [SearchOrdersResult.Hit] = []
            hits.reserveCapacity(shown.count)
            for row in shown {
                guard let summary = summaries[row.rowid] else { continue }
                hits.append(.init(order: summary, highlights: highlights[row.rowid] ?? [:]))
            }
            var next: String?
            if page.count > query.size, let last = shown.last {
                next = Cursor(sort: plan.sort.rawValue, value: last.sortValue, orderID: last.orderID).encoded
            }
            return SearchOrdersResult(total: total, totalIsExact: true, hits: hits, statusCounts: counts, nextCursor: next)
        }
    }

    static func decode(_ json: String) throws -> OrderDocument {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try decoder.decode(OrderDocument.self, from: Data(json.utf8))
    }
}
