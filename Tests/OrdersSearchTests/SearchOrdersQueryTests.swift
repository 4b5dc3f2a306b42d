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

    /// Days and times that do not exist, which Foundation's ISO 8601 parsing rolls over into the
    /// next ones (`2026-02-30T10:00:00Z` became March 2).
    static let impossibleDates = [
        "2026-02-30T10:00:00Z", "2026-02-30", "2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31T00:00:00Z", "2025-02-29",
        "2025-02-29T12:00:00Z", "2100-02-29", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z", "2026-01-01T23:59:60Z",
        "2026-01-01T10:00:00+24:00", "2026-01-01T10:00:00+01:60", "2026-1-5T10:15:00Z", "2026-01-05T10:15:00", "2026-01-05T10:15Z",
        "2026-+1-05", "2026-01-05T10:15:00.Z", " 2026-01-05", "2026-01-05T10:15:00Z ",
    ]

    @Test(arguments: impossibleDates)
    func impossibleDatesAndTimesAreRefusedByName(value: String) {
        for field in ["from", "to"] {
            let error = #expect(throws: DomainError.self, "\(field)=\(value)") { try SearchOrdersQuery.parse([(field, value)]) }
            #expect(error?.code == .invalidArgument && error?.field == field, "\(field)=\(value)")
        }
    }

    @Test func realDatesAndTimesInEveryDocumentedForm() throws {
        func from(_ text: String) throws -> String? {
            try SearchOrdersQuery.parse([("from", text)]).from?.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        }
        #expect(try from("2024-02-29") == "2024-02-29T00:00:00.000Z", "a leap day")
        #expect(try from("2000-02-29T23:59:59Z") == "2000-02-29T23:59:59.000Z", "2000 is a leap year")
        #expect(try from("2026-12-31T23:59:59.250Z") == "2026-12-31T23:59:59.250Z")
        #expect(try from("2026-01-05T10:15:00+01:00") == "2026-01-05T09:15:00.000Z")
        #expect(try from("2026-01-05T10:15:00+0100") == "2026-01-05T09:15:00.000Z")
        #expect(try from("2026-01-05T00:15:00-05:30") == "2026-01-05T05:45:00.000Z")
        #expect(try from("2026-01-01T00:00:00.123456789Z") == "2026-01-01T00:00:00.123Z")
        let berlin = try SearchOrdersQuery.parse([("from", "2026-02-28"), ("to", "2026-02-28"), ("tz", "Europe/Berlin")])
        #expect(berlin.from?.formatted(.iso8601) == "2026-02-27T23:00:00Z" && berlin.to?.formatted(.iso8601) == "2026-02-28T23:00:00Z")
    }

    /// Bounds each well-formed that together select nothing are a range the query cannot have
    /// (422 over HTTP), not a malformed parameter.
    @Test func inconsistentRangesAreRefused() {
        let dates = #expect(throws: DomainError.self) { try SearchOrdersQuery.parse([("from", "2026-02-01"), ("to", "2026-01-01")]) }
        #expect(dates?.code == .invalidRange && dates?.field == "to")
        let totals = #expect(throws: DomainError.self) { try SearchOrdersQuery.parse([("min_total", "10"), ("max_total", "9")]) }
        #expect(totals?.code == .invalidRange && totals?.field == "max_total")
        let twice = #expect(throws: DomainError.self) { try SearchOrdersQuery.parse([("size", "5"), ("size", "6")]) }
        #expect(twice?.code == .invalidArgument)
    }

    @Test func defaultsAreNewestFirstWithoutTextAndRelevanceWithIt() throws {
        let plain = try SearchOrdersQuery.parse([])
        #expect(plain.effectiveSort == .createdAtDescending)
        #expect(plain.size == 20)
        #expect(try SearchOrdersQuery.parse([("q", "müller")]).effectiveSort == .relevance)
        #expect(try SearchOrdersQuery.parse([("q", "müller"), ("sort", "-total")]).effectiveSort == .totalDescending)
    }
}
