import Foundation
import GRDB
import OrdersDomain
import OrdersSearch
import Testing

/// The behavioural suite on the embedded (SQLite FTS5) index.
@Suite struct EmbeddedSearchIndexTests {
    static func withIndex(_ body: (TestedIndex) async throws -> Void) async throws {
        try await withIndexFile { path in try await body(TestedIndex(try EmbeddedSearchIndex(path: path))) }
    }

    /// The path of an index file in a fresh folder, removed afterwards.
    static func withIndexFile(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orders-index-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory.appendingPathComponent("read.sqlite").path)
    }

    @Test(arguments: SearchIndexBehaviour.names) func behaviour(_ name: String) async throws {
        try await Self.withIndex(SearchIndexBehaviour.all[name]!)
    }

    /// A read index damaged outside the service (a status this build does not know) fails the
    /// search with an error naming the order, rather than dropping or inventing the hit.
    @Test func anUnknownStatusInTheIndexIsReportedWithItsOrder() async throws {
        try await Self.withIndexFile { path in
            let index = try EmbeddedSearchIndex(path: path)
            _ = try await index.apply(SearchIndexBehaviour.corpus)
            let outside = try DatabaseQueue(path: path)
            try await outside.write { db in try db.execute(sql: "UPDATE orders SET status = 'lost' WHERE order_id = 'ord-aaaa-0002'") }
            try outside.close()
            let error = await #expect(throws: DatabaseError.self) {
                try await index.search(try SearchOrdersQuery.parse([("size", "100")]))
            }
            #expect(error?.message?.contains("order ord-aaaa-0002 has an unknown status 'lost'") == true)
            await #expect(throws: DatabaseError.self) { try await index.orders(customerID: "c-2", size: 10, after: nil) }
            // A text query reads statuses on its own path: the same error, not a dropped hit.
            for text in ["ord-aaaa-0002", "ord-aaaa"] {
                let textError = await #expect(throws: DatabaseError.self, "\(text)") {
                    try await index.search(try SearchOrdersQuery.parse([("q", text)]))
                }
                #expect(textError?.message?.contains("order ord-aaaa-0002 has an unknown status 'lost'") == true, "\(text)")
            }
        }
    }

    /// Orders whose texts differ in length (one to six items, with and without notes), so that
    /// BM25's length normalization matters.
    static let rankingCorpus: [OrderDocument] =
        SearchIndexBehaviour.corpus
        + (0..<30).map { n in
            let products = [
                ("Café Crème Espresso Beans", "SKU-CAFE"), ("Ægir Wool Blanket", "SKU-WOOL"), ("Espresso Cups", "SKU-CUPS"),
                ("Crème Brûlée Torch", "SKU-TORCH"), ("Tōkyō Tea Set", "SKU-TEA"), ("Wool Socks, Espresso Brown", "SKU-SOCK"),
            ]
            return SearchIndexBehaviour.document(
                "ord-rank-\(n)", customer: ("c-\(n % 5)", n % 3 == 0 ? "Zoë Müller" : "Ana Espresso Lima", "buyer\(n)@example.org"),
                items: (0...(n % 6)).map { products[($0 + n) % products.count] }.map { ($0.0, $0.1, 1, 1000) },
                notes: n % 4 == 0 ? "espresso for the office, leave at the door" : nil, created: Double(n) * 600
            )
        }

    /// Each query's `orders_bm25` scores, next to FTS5's `bm25()` with the same weights.
    static func scores(_ index: EmbeddedSearchIndex, _ match: String) async throws -> [(Int64, Double, Double)] {
        try await index.writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.rowid, bm25(orders_text, 5.0, 3.0, 4.0, 3.0, 1.0, 1.0, 1.0),
                        orders_bm25(orders_text, o.text_tokens, 5.0, 3.0, 4.0, 3.0, 1.0, 1.0, 1.0)
                    FROM orders_text t JOIN orders o ON o.rowid = t.rowid WHERE orders_text MATCH ?
                    """, arguments: [match]
            ).map { ($0[0], $0[1], $0[2]) }
        }
    }

    static let rankedQueries = [
        "\"espresso\"", "\"example\"", "\"muller\"", "\"cafe\" AND \"creme\"", "\"esp\"*", "\"wool blanket\"", "\"山田\"", "\"sku\"*",
        "\"office\" AND \"espresso\"",
    ]

    static func expectRankingLikeFTS5(_ index: EmbeddedSearchIndex, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for match in rankedQueries {
            let scores = try await scores(index, match)
            #expect(!scores.isEmpty, "\(match) matches nothing", sourceLocation: sourceLocation)
            for (rowid, fts5, ours) in scores {
                #expect(
                    abs(fts5 - ours) <= 1e-9 * max(1e-6, abs(fts5)), "\(match), row \(rowid): bm25 \(fts5), orders_bm25 \(ours)",
                    sourceLocation: sourceLocation)
            }
        }
    }

    /// Text relevance reads row lengths from `orders.text_tokens` rather than from FTS5, which
    /// looks each one up: the scores are FTS5's own, for words, prefixes, phrases and words in
    /// every order, and stay so when an update makes an order's text longer or shorter.
    @Test func textRelevanceIsFTS5sBM25() async throws {
        try await Self.withIndexFile { path in
            let index = try EmbeddedSearchIndex(path: path)
            _ = try await index.apply(Self.rankingCorpus)
            try await Self.expectRankingLikeFTS5(index)

            var longer = Self.rankingCorpus[7]
            longer.items += Self.rankingCorpus[12].items
            longer.notes = "a much longer note about espresso, wool and the neighbours"
            longer.version = 5
            var shorter = Self.rankingCorpus[12]
            shorter.items = [shorter.items[0]]
            shorter.notes = nil
            shorter.version = 5
            _ = try await index.apply([longer, shorter])
            try await Self.expectRankingLikeFTS5(index)
        }
    }

    /// An index written before rows kept their token counts gets them counted when it is opened.
    @Test func anIndexWithoutTokenCountsIsCountedWhenOpened() async throws {
        try await Self.withIndexFile { path in
            _ = try await EmbeddedSearchIndex(path: path).apply(Self.rankingCorpus)
            // Back to the schema before the migration that added the counts.
            let outside = try DatabaseQueue(path: path)
            try await outside.write { db in
                try db.execute(
                    sql: """
                        ALTER TABLE orders DROP COLUMN text_tokens;
                        DELETE FROM grdb_migrations WHERE identifier = '2026-11-23 text lengths for ranking';
                        """)
            }
            try outside.close()
            let reopened = try EmbeddedSearchIndex(path: path)
            try await Self.expectRankingLikeFTS5(reopened)
        }
    }

    /// Called without the row's length, the ranking function fails the query and says why,
    /// rather than ranking every row as if it were empty.
    @Test func theRankingFunctionRefusesACallWithoutTheRowLength() async throws {
        try await Self.withIndexFile { path in
            let index = try EmbeddedSearchIndex(path: path)
            _ = try await index.apply(SearchIndexBehaviour.corpus)
            let error = #expect(throws: DatabaseError.self) {
                try index.writer.read { db in
                    try Row.fetchAll(db, sql: "SELECT orders_bm25(orders_text) FROM orders_text WHERE orders_text MATCH 'espresso'")
                }
            }
            #expect(error?.message == "orders_bm25 needs the row's token count")
        }
    }

    @Test func aCursorFromAnotherSortIsRefused() async throws {
        try await Self.withIndex { index throws in
            _ = try await index.writer.apply(SearchIndexBehaviour.corpus)
            let page = try await index.reader.search(try SearchOrdersQuery.parse([("size", "2")]))
            let error = await #expect(throws: DomainError.self) {
                try await index.reader.search(
                    try SearchOrdersQuery.parse([("size", "2"), ("sort", "total"), ("after", try #require(page.nextCursor))]))
            }
            #expect(error?.code == .invalidCursor && error?.field == "after")
        }
    }
}
