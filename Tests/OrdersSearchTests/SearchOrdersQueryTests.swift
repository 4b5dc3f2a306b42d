import Foundation
import OrdersDomain
import OrdersSearch
import Testing

@Suite struct SearchOrdersQueryTests {
    @Test func userTextBecomesWordsPhrasesAndPrefixes() {
        #expect(
            TextQuery("  Zoë  \"café crème\" espr* ").terms == [
                .word("Zoë", prefix: false), .phrase(["café", "crème"]), .word("espr", prefix: true),
            ])
        #expect(
            TextQuery("name:müller OR (x)").terms == [
                .word("name", prefix: false), .word("müller", prefix: false), .word("OR", prefix: false), .word("x", prefix: false),
            ])
        #expect(TextQuery("\"unbalanced phrase").terms == [.phrase(["unbalanced", "phrase"])])
        #expect(TextQuery("***").terms.isEmpty)
    }

    @Test func plainDatesMeanWholeDaysInTheTimeZone() throws {
        let query = try SearchOrdersQuery.parse([("from", "2026-03-29"), ("to", "2026-03-29"), ("tz", "Europe/Berlin")])
        // DST starts that day in Berlin: the day is 23 hours long.
        #expect(query.from == (try Date("2026-03-28T23:00:00Z", strategy: .iso8601)))
        #expect(query.to == (try Date("2026-03-29T22:00:00Z", strategy: .iso8601)))
        let instant = try SearchOrdersQuery.parse([("from", "2026-01-05T10:15:00+01:00")])
        #expect(instant.from == (try Date("2026-01-05T09:15:00Z", strategy: .iso8601)))
    }

    @Test(arguments: [
        ("q", String(repeating: "x", count: 257), "q"), ("from", "yesterday", "from"), ("tz", "Mars/Olympus", "tz"), ("status", "lost", "status"),
        ("size", "0", "size"), ("size", "101", "size"), ("min_total", "-1", "min_total"), ("currency", "EURO", "currency"),
        ("sort", "price", "sort"), ("date_field", "born_at", "date_field"), ("customer_id", "a b", "customer_id"), ("colour", "red", "colour"),
    ])
    func badParametersAreRefusedByName(name: String, value: String, field: String) {
        let error = #expect(throws: DomainError.self) { try SearchOrdersQuery.parse([(name, value)]) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.field == field)
    }

    @Test func inconsistentRangesAreRefused() {
        #expect(throws: DomainError.self) { try SearchOrdersQuery.parse([("from", "2026-02-01"), ("to", "2026-01-01")]) }
        #expect(throws: DomainError.self) { try SearchOrdersQuery.parse([("min_total", "10"), ("max_total", "9")]) }
        #expect(throws: DomainError.self) { try SearchOrdersQuery.parse([("size", "5"), ("size", "6")]) }
    }

    @Test func defaultsAreNewestFirstWithoutTextAndRelevanceWithIt() throws {
        let plain = try SearchOrdersQuery.parse([])
        #expect(plain.effectiveSort == .createdAtDescending)
        #expect(plain.size == 20)
        #expect(try SearchOrdersQuery.parse([("q", "müller")]).effectiveSort == .relevance)
        #expect(try SearchOrdersQuery.parse([("q", "müller"), ("sort", "-total")]).effectiveSort == .totalDescending)
    }
}
