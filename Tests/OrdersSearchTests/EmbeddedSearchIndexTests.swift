import Foundation
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
