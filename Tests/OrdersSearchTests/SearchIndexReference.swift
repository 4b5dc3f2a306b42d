import Foundation
import OrdersDomain
import OrdersSearch
import Testing

/// A brute-force `SearchOrders` over an array, for the filters, sorts, pages, facets and totals
/// (text is left to the hand-written behaviours: analysis is each backend's own business). A
/// backend must give the same answers as this reference on a random corpus.
enum SearchIndexReference {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// `count` orders over 40 days with few distinct totals and dates, so that ties are common.
    static func corpus(count: Int, seed: UInt64) -> [OrderDocument] {
        var random = Generator(state: seed)
        return (0..<count).map { i in
            let status = OrderStatus.allCases.randomElement(using: &random)!
            var document = SearchIndexBehaviour.document(
                String(format: "r-%05d", i), status: status,
                customer: ("c-\(Int.random(in: 1...12, using: &random))", "Customer Name", "customer@example.com"),
                items: [("Thing", "SKU-T", Int.random(in: 1...3, using: &random), Int64([500, 1000, 2500].randomElement(using: &random)!))],
                currency: ["EUR", "EUR", "SEK", "JPY"].randomElement(using: &random)!,
                created: Double(Int.random(in: 0..<40, using: &random)) * 86_400 + Double(Int.random(in: 0..<3, using: &random)) * 3600,
                version: Int64(i + 1)
            )
            if status == .paid || status == .shipped || status == .delivered {
                document.paidAt = document.createdAt.addingTimeInterval(Double(Int.random(in: 1...5, using: &random)) * 86_400)
            }
            return document
        }
    }

    /// What a backend must answer for `query` over `documents`, paging through everything.
    static func expected(_ documents: [OrderDocument], _ query: SearchOrdersQuery) -> (ids: [String], counts: [OrderStatus: Int]) {
        let unfiltered = documents.filter { document in
            if let from = query.from, !(document.date(query.dateField).map { $0 >= from } ?? false) { return false }
            if let to = query.to, !(document.date(query.dateField).map { $0 < to } ?? false) { return false }
            if let customer = query.customerID, document.customer.id != customer { return false }
            if let min = query.minTotal, document.totalMinor < min { return false }
            if let max = query.maxTotal, document.totalMinor > max { return false }
            if let currency = query.currency, document.currency != currency { return false }
            return true
        }
        var counts: [OrderStatus: Int] = [:]
        for document in unfiltered { counts[document.status, default: 0] += 1 }
        let matching = unfiltered.filter { query.statuses.isEmpty || query.statuses.contains($0.status) }
        let sorted = matching.sorted { a, b in
            switch query.effectiveSort {
            case .createdAtDescending: (a.createdAt, a.orderID) > (b.createdAt, b.orderID)
            case .createdAtAscending: (a.createdAt, a.orderID) < (b.createdAt, b.orderID)
            case .totalDescending: (a.totalMinor, a.orderID) > (b.totalMinor, b.orderID)
            case .totalAscending, .relevance: (a.totalMinor, a.orderID) < (b.totalMinor, b.orderID)
            }
        }
        return (sorted.map(\.orderID), counts)
    }

    static func filtersSortsPagesAndFacetsAgreeWithTheReference(_ index: TestedIndex) async throws {
        var documents = corpus(count: 300, seed: 7)
        _ = try await index.writer.apply(documents)
        // Status changes after the first load must move the facet counts too.
        var changed: [OrderDocument] = []
        for i in stride(from: 0, to: documents.count, by: 7) {
            documents[i].status = documents[i].status == .cancelled ? .paid : .cancelled
            documents[i].version += 1000
            changed.append(documents[i])
        }
        _ = try await index.writer.apply(changed)

        let day = { (n: Int) in ISO8601DateFormatter().string(from: SearchIndexBehaviour.base.addingTimeInterval(Double(n) * 86_400)) }
        let shapes: [[(String, String)]] = [
            [], [("status", "paid,shipped")], [("currency", "EUR")], [("currency", "JPY"), ("status", "draft")],
            [("min_total", "1000"), ("max_total", "5000")], [("customer_id", "c-3")], [("customer_id", "c-5"), ("status", "cancelled")],
            [("from", day(5)), ("to", day(12))], [("from", day(30))], [("to", day(3)), ("currency", "SEK")],
            [("date_field", "paid_at"), ("from", day(10)), ("to", day(20))], [("date_field", "paid_at"), ("status", "cancelled")],
            [("status", "delivered"), ("min_total", "2000"), ("from", day(1))],
        ]
        for shape in shapes {
            for sort in ["-created_at", "created_at", "-total", "total"] {
                let query = try SearchOrdersQuery.parse(shape + [("sort", sort), ("size", "100")])
                let (expectedIDs, expectedCounts) = expected(documents, query)
                // Pages of 13 walk the whole result in order.
                var seen: [String] = []
                var after: String?
                var pages = 0
                repeat {
                    var page = query
                    page.size = 13
                    page.after = after
                    let result = try await index.reader.search(page)
                    #expect(result.total == expectedIDs.count, "\(shape) \(sort): total")
                    #expect(result.statusCounts == expectedCounts, "\(shape) \(sort): facets")
                    seen += result.hits.map(\.order.orderID)
                    after = result.nextCursor
                    pages += 1
                } while after != nil && pages < 40
                #expect(seen == expectedIDs, "\(shape) \(sort): order and pages")
            }
        }
        // The same filters with text that every order matches, so the text path is compared too.
        for shape in shapes {
            for sort in ["-created_at", "total"] {
                let query = try SearchOrdersQuery.parse(shape + [("q", "thing"), ("sort", sort), ("size", "100")])
                let (expectedIDs, expectedCounts) = expected(documents, query)
                let first = try await index.reader.search(query)
                #expect(first.statusCounts == expectedCounts, "text \(shape) \(sort): facets")
                var seen = first.hits.map(\.order.orderID)
                var after = first.nextCursor
                while let cursor = after, seen.count <= expectedIDs.count {
                    var next = query
                    next.after = cursor
                    let page = try await index.reader.search(next)
                    seen += page.hits.map(\.order.orderID)
                    after = page.nextCursor
                }
                #expect(seen == expectedIDs, "text \(shape) \(sort): order and pages")
            }
        }
    }
}
