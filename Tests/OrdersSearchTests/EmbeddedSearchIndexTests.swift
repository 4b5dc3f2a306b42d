import Foundation
import GRDB
import OrdersDomain
import OrdersSearch
import Testing

/// The behavioural suite on the embedded (SQLite FTS5) index.
@Suite struct EmbeddedSearchIndexTests {
    static func withIndex(_ body: (any SearchIndex) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orders-index-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(try EmbeddedSearchIndex(path: directory.appendingPathComponent("read.sqlite").path))
    }

    @Test(arguments: SearchIndexBehaviour.names) func behaviour(_ name: String) async throws {
        try await Self.withIndex(SearchIndexBehaviour.all[name]!)
    }

    /// A read index damaged outside the service (a status this build does not know) fails the
    /// search with an error naming the order, rather than dropping or inventing the hit.
    @Test func anUnknownStatusInTheIndexIsReportedWithItsOrder() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orders-index-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("read.sqlite").path
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
    }

    @Test func aCursorFromAnotherSortIsRefused() async throws {
        try await Self.withIndex { index throws in
            _ = try await index.apply(SearchIndexBehaviour.corpus)
            let page = try await index.search(try SearchOrdersQuery.parse([("size", "2")]))
            let error = await #expect(throws: DomainError.self) {
                try await index.search(try SearchOrdersQuery.parse([("size", "2"), ("sort", "total"), ("after", try #require(page.nextCursor))]))
            }
            #expect(error?.field == "after")
        }
    }
}
