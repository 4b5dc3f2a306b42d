import Foundation
import OrdersDomain
import OrdersSearch
import Testing

/// The behaviour every `SearchIndex` backend must have, written against the protocol only. It
/// runs on the embedded index here; the Elasticsearch backend runs the same suite.
/// A backend under the behavioural suite: read through `reader` (the query side's view) and
/// written through `writer` (the index itself, or a wrapper of its writes).
struct TestedIndex: Sendable {
    let reader: any SearchIndexReader
    let writer: any SearchIndexWriter

    init(_ index: any SearchIndex) {
        reader = index
        writer = index
    }

    init(reader: any SearchIndexReader, writer: any SearchIndexWriter) {
        self.reader = reader
        self.writer = writer
    }
}

enum SearchIndexBehaviour {
    static let base = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    static func document(
        _ id: String, status: OrderStatus = .paid, customer: (String, String, String) = ("c-1", "Zoë Müller", "zoe@example.de"),
        items: [(String, String, Int, Int64)] = [("Café Crème Espresso Beans", "SKU-CAFE", 1, 1250)], currency: String = "EUR",
        city: String = "München", country: String = "DE", notes: String? = nil, created: TimeInterval = 0, version: Int64 = 1
    ) -> OrderDocument {
        var document = OrderDocument(
            orderID: id, status: status, customer: .init(id: customer.0, name: customer.1, email: customer.2),
            items: items.enumerated().map { index, item in
                .init(productID: "p-\(item.1)", sku: item.1, name: item.0, quantity: item.2, unitPriceMinor: item.3)
            },
            currency: currency, shipping: .init(city: city, country: country), notes: notes, createdAt: base.addingTimeInterval(created),
            updatedAt: base.addingTimeInterval(created + 60), version: version
        )
        if status != .draft { document.submittedAt = base.addingTimeInterval(created + 30) }
        return document
    }

    /// Seven orders with names, products, places, statuses, totals and dates to tell them apart.
    static let corpus: [OrderDocument] = [
        document("ord-aaaa-0001", status: .paid, created: 3600),
        document(
            "ord-aaaa-0002", status: .shipped, customer: ("c-2", "José Núñez", "jose@example.es"),
            items: [("Crème Brûlée Torch", "SKU-TORCH", 2, 3000)], city: "Málaga", country: "ES", notes: "Por favor, entregar por la tarde",
            created: 7200
        ),
        document(
            "ord-bbbb-0003", status: .draft, customer: ("c-3", "山田 太郎", "taro@example.jp"), items: [("Tōkyō Tea Set", "SKU-TEA", 1, 5000)],
            currency: "JPY", city: "東京", country: "JP", created: 10_800
        ),
        document(
            "ord-bbbb-0004", status: .cancelled,
            items: [("Café Crème Espresso Beans", "SKU-CAFE", 3, 1250), ("Ægir Wool Blanket", "SKU-WOOL", 1, 8900)],
            notes: "leave at the door", created: 14_400
        ),
        document(
            "ord-cccc-0005", status: .delivered, customer: ("c-4", "Søren Østergård", "soren@example.se"),
            items: [("Ægir Wool Blanket", "SKU-WOOL", 1, 8900)], currency: "SEK", city: "Malmö", country: "SE", created: 14_400
        ),
        document(
            "ord-cccc-0006", status: .paid, customer: ("c-2", "José Núñez", "jose@example.es"), items: [("Espresso Cups", "SKU-CUPS", 4, 450)],
            city: "Málaga", country: "ES", created: 14_400),
        // 23:30 UTC on Jan 1 is 00:30 on Jan 2 in Berlin.
        document("ord-dddd-0007", status: .submitted, created: 84_600),
    ]

    static func ids(_ result: SearchOrdersResult) -> [String] { result.hits.map(\.order.orderID) }

    /// Search hits and a customer's orders carry each document's summary, as of its newest
    /// version (a renamed customer, a moved address, a new status).
    static func hitsSummarizeTheCurrentDocuments(_ index: TestedIndex) async throws {
        _ = try await index.writer.apply(corpus)
        var moved = corpus[0]
        moved.customer.name = "Zoë Müller-Lüdenscheidt"
        moved.shipping = .init(city: "Köln", country: "DE")
        moved.status = .shipped
        moved.items.append(.init(productID: "p-SKU-CUPS", sku: "SKU-CUPS", name: "Espresso Cups", quantity: 2, unitPriceMinor: 450))
        moved.recomputeTotals()
        moved.updatedAt = base.addingTimeInterval(86_400.5)
        moved.version = 9
        _ = try await index.writer.apply([moved])
        let current = [moved] + corpus.dropFirst()
        let expected = Dictionary(uniqueKeysWithValues: current.map { ($0.orderID, OrderSummary($0)) })
        for parameters in [[("size", "100")], [("q", "müller"), ("size", "100")], [("q", "köln")], [("status", "shipped"), ("sort", "total")]] {
            let result = try await search(index, parameters)
            #expect(!result.hits.isEmpty, "\(parameters)")
            for hit in result.hits { #expect(hit.order == expected[hit.order.orderID], "\(parameters)") }
        }
        let orders = try await index.reader.orders(customerID: "c-1", size: 10, after: nil).orders
        #expect(Set(orders.map(\.orderID)) == Set(current.filter { $0.customer.id == "c-1" }.map(\.orderID)))
        for order in orders { #expect(order == expected[order.orderID]) }
    }

    static func search(_ index: TestedIndex, _ parameters: [(String, String)]) async throws -> SearchOrdersResult {
        try await index.reader.search(try SearchOrdersQuery.parse(parameters))
    }

    /// Every behaviour by name, for `@Test(arguments:)` in each backend's suite.
    static let all: [String: @Sendable (TestedIndex) async throws -> Void] = analytics.merging([
        "writes are version-guarded": writesAreVersionGuarded,
        "hits summarize the current documents": hitsSummarizeTheCurrentDocuments,
        "text search folds diacritics and matches every word": textSearchFoldsDiacriticsAndMatchesEveryWord,
        "order ids match exactly or by prefix": orderIDsMatchExactlyOrByPrefix,
        "relevance ranks the better match first": relevanceRanksTheBetterMatchFirst,
        "ties are broken by order id on every page": tiesAreBrokenByOrderIDOnEveryPage,
        "user text is never query syntax": userTextIsNeverQuerySyntax,
        "filters combine": filtersCombine,
        "date ranges use the time zone": dateRangesUseTheTimeZone,
        "sorts and pages are stable": sortsAndPagesAreStable,
        "facets ignore the status filter; highlights mark matches": facetsIgnoreTheStatusFilterAndHighlightsMarkMatches,
        "highlights are escaped HTML that no name can forge": highlightsAreEscapedHTMLThatNoNameCanForge,
        "a customer's orders page newest first": ordersOfACustomerPageNewestFirst,
        "filters, sorts, pages and facets agree with a reference": SearchIndexReference.filtersSortsPagesAndFacetsAgreeWithTheReference,
    ]) { first, _ in first }
    static var names: [String] { all.keys.sorted() }

    // MARK: The behaviours

    static func writesAreVersionGuarded(_ index: TestedIndex) async throws {
        let v5 = document("o-1", status: .paid, version: 5)
        #expect(try await index.writer.apply([v5]) == [.applied])
        #expect(try await index.writer.apply([v5]) == [.stale], "replaying the same version is harmless")
        var older = document("o-1", status: .draft, version: 3)
        older.notes = "older"
        #expect(try await index.writer.apply([older]) == [.stale], "an older version never regresses the document")
        #expect(try await index.reader.order(id: "o-1") == v5)
        let v6 = document("o-1", status: .shipped, version: 6)
        #expect(try await index.writer.apply([v6, document("o-2", version: 2)]) == [.applied, .applied])
        #expect(try await index.reader.order(id: "o-1")?.status == .shipped)
        #expect(try await index.reader.order(id: "missing") == nil)
        #expect(try await index.reader.stats() == IndexStats(documents: 2, highestVersion: 6))
    }

    static func textSearchFoldsDiacriticsAndMatchesEveryWord(_ index: TestedIndex) async throws {
        _ = try await index.writer.apply(corpus)
        #expect(Set(ids(try await search(index, [("q", "muller")]))) == ["ord-aaaa-0001", "ord-bbbb-0004", "ord-dddd-0007"])
        #expect(Set(ids(try await search(index, [("q", "MÜLLER")]))) == ["ord-aaaa-0001", "ord-bbbb-0004", "ord-dddd-0007"])
        #expect(ids(try await search(index, [("q", "nunez torch")])) == ["ord-aaaa-0002"], "every word must match")
        #expect(Set(ids(try await search(index, [("q", "espr*")]))) == ["ord-aaaa-0001", "ord-bbbb-0004", "ord-cccc-0006", "ord-dddd-0007"])
        #expect(ids(try await search(index, [("q", "\"wool blanket\" soren")])) == ["ord-cccc-0005"])
        #expect(ids(try await search(index, [("q", "\"blanket wool\"")])).isEmpty, "a phrase keeps its order")
        #expect(ids(try await search(index, [("q", "malmo")])) == ["ord-cccc-0005"], "shipping city")
        #expect(ids(try await search(index, [("q", "SKU-TORCH")])) == ["ord-aaaa-0002"], "SKU")
        #expect(Set(ids(try await search(index, [("q", "jose@example.es")]))) == ["ord-aaaa-0002", "ord-cccc-0006"], "email")
        #expect(ids(try await search(index, [("q", "door")])) == ["ord-bbbb-0004"], "notes")
        #expect(ids(try await search(index, [("q", "山田")])) == ["ord-bbbb-0003"], "non-Latin script")
    }

    static func orderIDsMatchExactlyOrByPrefix(_ index: TestedIndex) async throws {
        _ = try await index.writer.apply(corpus)
        #expect(ids(try await search(index, [("q", "ord-cccc-0005")])).first == "ord-cccc-0005", "an exact id comes first")
        #expect(Set(ids(try await search(index, [("q", "ord-cccc")]))) == ["ord-cccc-0005", "ord-cccc-0006"])
        #expect(ids(try await search(index, [("q", "ord")])).isEmpty, "a prefix shorter than 4 characters does not match ids")
    }

    /// A word in the customer's name (weight 5) outranks the same word once in long notes
    /// (weight 1), and an exact order id outranks every text match, whatever the page.
    static func relevanceRanksTheBetterMatchFirst(_ index: TestedIndex) async throws {
        let notes = "Call Brandt at the front desk before noon, the side entrance is closed on weekdays and parcels go to the neighbours"
        _ = try await index.writer.apply([
            document("ord-rank-0001", customer: ("c-8", "Karl Weber", "karl@example.de"), notes: notes, created: 0),
            document("ord-rank-0002", customer: ("c-9", "Greta Brandt", "greta@example.de"), created: 60),
            document("ord-rank-0003", customer: ("c-7", "Otto Brandt", "otto@example.de"), created: 120),
            document("ord-rank-0004", customer: ("c-6", "Ida Lang", "ida@example.de"), notes: "about ord-rank-0009 and ord-rank-0005", created: 180),
            document("ord-rank-0005", customer: ("c-5", "Eva Roth", "eva@example.de"), created: 240),
        ])
        let ranked = ids(try await search(index, [("q", "brandt")]))
        #expect(Set(ranked) == ["ord-rank-0001", "ord-rank-0002", "ord-rank-0003"])
        #expect(ranked.last == "ord-rank-0001", "the name matches rank above the notes match: \(ranked)")
        // Pages follow the same order.
        let first = try await search(index, [("q", "brandt"), ("size", "2")])
        let second = try await search(index, [("q", "brandt"), ("size", "2"), ("after", try #require(first.nextCursor))])
        #expect(ids(first) + ids(second) == ranked)
        #expect(ids(try await search(index, [("q", "ord-rank-0005")])) == ["ord-rank-0005", "ord-rank-0004"], "the exact id first")
    }

    /// Thirty orders alike in everything but their ids (written in a shuffled order, so storage
    /// order is not id order): a text search ranks them all the same, and the order id decides,
    /// page after page, in the sort's direction.
    static func tiesAreBrokenByOrderIDOnEveryPage(_ index: TestedIndex) async throws {
        let ids = (0..<30).map { "ord-tie-" + String(($0 * 7) % 30 + 10) }
        _ = try await index.writer.apply(ids.map { document($0, notes: "same as the others") })
        let ascending = ids.sorted()
        for (sort, expected) in [(nil, ascending), ("total", ascending), ("-total", Array(ascending.reversed()))] {
            var parameters = [("q", "others"), ("size", "7")]
            if let sort { parameters.append(("sort", sort)) }
            var seen: [String] = []
            var after: String?
            repeat {
                let page = try await search(index, parameters + (after.map { [("after", $0)] } ?? []))
                #expect(page.total == 30)
                seen += Self.ids(page)
                after = page.nextCursor
            } while after != nil && seen.count < 40
            #expect(seen == expected, "sort \(sort ?? "relevance")")
        }
    }

    static func userTextIsNeverQuerySyntax(_ index: TestedIndex) async throws {
        _ = try await index.writer.apply(corpus)
        // Every character but letters, digits, quotes and a trailing * only separates words, and
        // every word must match: operators, field names and SQL are just words no order contains.
        let muller: Set<String> = ["ord-aaaa-0001", "ord-bbbb-0004", "ord-dddd-0007"]
        let expected: [(String, Set<String>)] = [
            ("(muller", muller), ("muller)", muller), ("muller OR torch", []), ("NOT muller", []), ("customer_name:muller", []),
            ("\"unbalanced", []), ("muller AND", []), ("*", []), ("NEAR(muller torch)", []), ("'; DROP TABLE orders; --", []),
        ]
        for (text, ids) in expected {
            let result = try await search(index, [("q", text)])
            #expect(Set(Self.ids(result)) == ids, "\(text)")
            #expect(result.total == ids.count, "\(text)")
        }
        #expect(try await index.reader.stats().documents == corpus.count)
    }

    static func filtersCombine(_ index: TestedIndex) async throws {
        _ = try await index.writer.apply(corpus)
        #expect(Set(ids(try await search(index, [("status", "paid,shipped")]))) == ["ord-aaaa-0001", "ord-aaaa-0002", "ord-cccc-0006"])
        #expect(Set(ids(try await search(index, [("status", "paid"), ("status", "draft")]))) == ["ord-aaaa-0001", "ord-bbbb-0003", "ord-cccc-0006"])
        #expect(Set(ids(try await search(index, [("customer_id", "c-2")]))) == ["ord-aaaa-0002", "ord-cccc-0006"])
        #expect(
            Set(ids(try await search(index, [("min_total", "5000"), ("max_total", "8900")]))) == ["ord-aaaa-0002", "ord-bbbb-0003", "ord-cccc-0005"])
        #expect(Set(ids(try await search(index, [("currency", "sek")]))) == ["ord-cccc-0005"])
        #expect(ids(try await search(index, [("q", "muller"), ("status", "submitted")])) == ["ord-dddd-0007"])
    }

    static func dateRangesUseTheTimeZone(_ index: TestedIndex) async throws {
        _ = try await index.writer.apply(corpus)
        #expect(try await search(index, [("from", "2026-01-01"), ("to", "2026-01-01")]).total == 7, "UTC: all on Jan 1")
        let berlin = try await search(index, [("from", "2026-01-02"), ("to", "2026-01-02"), ("tz", "Europe/Berlin")])
        #expect(ids(berlin) == ["ord-dddd-0007"], "23:30 UTC is Jan 2 in Berlin")
        let instants = try await search(index, [("from", "2026-01-01T04:00:00Z"), ("to", "2026-01-01T05:00:00Z")])
        #expect(Set(ids(instants)) == ["ord-bbbb-0004", "ord-cccc-0005", "ord-cccc-0006"], "from inclusive")
        let submitted = try await search(index, [("date_field", "submitted_at"), ("to", "2026-01-01T01:00:31Z")])
        #expect(ids(submitted) == ["ord-aaaa-0001"], "draft orders have no submitted_at")
    }

    static func sortsAndPagesAreStable(_ index: TestedIndex) async throws {
        _ = try await index.writer.apply(corpus)
        let newest = ids(try await search(index, []))
        #expect(newest.first == "ord-dddd-0007" && newest.last == "ord-aaaa-0001")
        #expect(ids(try await search(index, [("sort", "created_at")])).first == "ord-aaaa-0001")
        #expect(ids(try await search(index, [("sort", "-total")])).first == "ord-bbbb-0004")  // 3 × 12.50 + 89.00
        // Pages of 2 visit every order exactly once, in order, although three share a created_at.
        for sort in ["-created_at", "created_at", "-total", "total"] {
            var seen: [String] = []
            var after: String?
            repeat {
                var parameters = [("size", "2"), ("sort", sort)]
                if let after { parameters.append(("after", after)) }
                let page = try await search(index, parameters)
                #expect(page.total == 7)
                seen += ids(page)
                after = page.nextCursor
            } while after != nil && seen.count < 20
            #expect(seen == ids(try await search(index, [("sort", sort), ("size", "100")])), "\(sort)")
            #expect(Set(seen).count == 7, "\(sort)")
        }
        let byRelevance = try await search(index, [("q", "espresso"), ("size", "1")])
        let second = try await search(index, [("q", "espresso"), ("size", "1"), ("after", try #require(byRelevance.nextCursor))])
        #expect(Set(ids(byRelevance) + ids(second)).count == 2)
    }

    static func facetsIgnoreTheStatusFilterAndHighlightsMarkMatches(_ index: TestedIndex) async throws {
        _ = try await index.writer.apply(corpus)
        let result = try await search(index, [("q", "muller"), ("status", "paid")])
        #expect(ids(result) == ["ord-aaaa-0001"])
        #expect(result.statusCounts == [.paid: 1, .cancelled: 1, .submitted: 1])
        #expect(result.hits.first?.highlights["customer.name"]?.first?.contains("<em>Müller</em>") == true)
        let products = try await search(index, [("q", "blanket")])
        #expect(products.hits.allSatisfy { $0.highlights["items.name"] == ["Ægir Wool <em>Blanket</em>"] })
    }

    /// Highlights are HTML that a page may show as it is: the text escaped as Elasticsearch's
    /// `encoder: html` escapes it (`"`, `&`, `<`, `>`, `'`, `/`), the matches between `<em>` and
    /// `</em>`, and a name that holds `<em>` itself does not make a mark (stored XSS, issue 20).
    static func highlightsAreEscapedHTMLThatNoNameCanForge(_ index: TestedIndex) async throws {
        _ = try await index.writer.apply([
            document("ord-xss-0001", customer: ("c-x1", "<img src=x onerror=alert(1)> Zeb", "x1@example.org")),
            document(
                "ord-xss-0002", customer: ("c-x2", #"<em>Yara</em> & "O'Neil""#, "x2@example.org"),
                items: [("AC/DC <b>Vinyl</b>", "SKU-VINYL", 1, 2000)]
            ),
        ])
        let zeb = try await search(index, [("q", "zeb")])
        #expect(ids(zeb) == ["ord-xss-0001"])
        #expect(zeb.hits.first?.highlights["customer.name"] == ["&lt;img src=x onerror=alert(1)&gt; <em>Zeb</em>"])

        let yara = try await search(index, [("q", "yara")])
        #expect(ids(yara) == ["ord-xss-0002"])
        #expect(yara.hits.first?.highlights["customer.name"] == ["&lt;em&gt;<em>Yara</em>&lt;&#x2F;em&gt; &amp; &quot;O&#x27;Neil&quot;"])
        // The word `em` of the name is a match like any other: marked, its brackets still text.
        let em = try await search(index, [("q", "em")])
        #expect(ids(em) == ["ord-xss-0002"])
        #expect(
            em.hits.first?.highlights["customer.name"] == ["&lt;<em>em</em>&gt;Yara&lt;&#x2F;<em>em</em>&gt; &amp; &quot;O&#x27;Neil&quot;"])
        let vinyl = try await search(index, [("q", "vinyl")])
        #expect(vinyl.hits.first?.highlights["items.name"] == ["AC&#x2F;DC &lt;b&gt;<em>Vinyl</em>&lt;&#x2F;b&gt;"])
        // Whatever matched, the only markup in a fragment is the marks.
        for result in [zeb, yara, em, vinyl] {
            for fragment in result.hits.flatMap(\.highlights.values).joined() {
                let text = fragment.replacingOccurrences(of: "<em>", with: "").replacingOccurrences(of: "</em>", with: "")
                #expect(!text.contains("<") && !text.contains(">") && !text.contains("\"") && !text.contains("'"), "\(fragment)")
            }
        }
    }

    static func ordersOfACustomerPageNewestFirst(_ index: TestedIndex) async throws {
        _ = try await index.writer.apply(corpus)
        let first = try await index.reader.orders(customerID: "c-1", size: 2, after: nil)
        #expect(first.orders.map(\.orderID) == ["ord-dddd-0007", "ord-bbbb-0004"])
        #expect(first.nextCursor != nil)
        let second = try await index.reader.orders(customerID: "c-1", size: 2, after: first.nextCursor)
        #expect(second.orders.map(\.orderID) == ["ord-aaaa-0001"])
        #expect(second.nextCursor == nil)
    }
}
