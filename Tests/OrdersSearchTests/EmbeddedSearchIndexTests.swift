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

    @Test func writesAreVersionGuarded() async throws { try await Self.withIndex(SearchIndexBehaviour.writesAreVersionGuarded) }
    @Test func textSearch() async throws { try await Self.withIndex(SearchIndexBehaviour.textSearchFoldsDiacriticsAndMatchesEveryWord) }
    @Test func orderIDs() async throws { try await Self.withIndex(SearchIndexBehaviour.orderIDsMatchExactlyOrByPrefix) }
    @Test func noQuerySyntax() async throws { try await Self.withIndex(SearchIndexBehaviour.userTextIsNeverQuerySyntax) }
    @Test func filters() async throws { try await Self.withIndex(SearchIndexBehaviour.filtersCombine) }
    @Test func dateRanges() async throws { try await Self.withIndex(SearchIndexBehaviour.dateRangesUseTheTimeZone) }
    @Test func sortsAndPages() async throws { try await Self.withIndex(SearchIndexBehaviour.sortsAndPagesAreStable) }
    @Test func facetsAndHighlights() async throws {
        try await Self.withIndex(SearchIndexBehaviour.facetsIgnoreTheStatusFilterAndHighlightsMarkMatches)
    }
    @Test func agreesWithTheReference() async throws {
        try await Self.withIndex(SearchIndexReference.filtersSortsPagesAndFacetsAgreeWithTheReference)
    }
    @Test func customerOrders() async throws { try await Self.withIndex(SearchIndexBehaviour.ordersOfACustomerPageNewestFirst) }

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
