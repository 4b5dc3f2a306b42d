package import Foundation
package import OrdersDomain

/// A validated `SearchOrders` request. Build it with `parse(_:)` from request parameters: every
/// refusal is a `DomainError(.invalidArgument)` naming the parameter.
package struct SearchOrdersQuery: Sendable, Hashable {
    package enum Sort: String, Sendable, Hashable, CaseIterable {
        case relevance
        case createdAtDescending = "-created_at", createdAtAscending = "created_at"
        case totalDescending = "-total", totalAscending = "total"
    }

    package var text: TextQuery?
    /// Inclusive lower bound on `dateField`.
    package var from: Date?
    /// Exclusive upper bound on `dateField`.
    package var to: Date?
    package var dateField: DateField = .createdAt
    /// The zone plain dates were read in (`from`/`to` are already instants; backends that do
    /// calendar work, such as Elasticsearch's date math, are told it too).
    package var timeZone = TimeZone(identifier: "UTC")!
    package var statuses: Set<OrderStatus> = []
    package var customerID: String?
    package var minTotal: Int64?
    package var maxTotal: Int64?
    package var currency: String?
    /// `nil`: relevance when there is text, else newest first.
    package var sort: Sort?
    package var size = 20
    /// The opaque cursor from the previous page.
    package var after: String?

    package init() {}

    package static let sizeRange = 1...100
    /// The parameters `parse` accepts.
    package static let parameters: Set<String> = [
        "q", "from", "to", "tz", "date_field", "status", "customer_id", "min_total", "max_total", "currency", "sort", "size", "after",
    ]

    /// The sort in effect.
    package var effectiveSort: Sort { sort ?? ((text?.terms.isEmpty == false || text?.raw.isEmpty == false) ? .relevance : .createdAtDescending) }

    /// Parses request parameters (repeated keys allowed for `status`, which also takes commas).
    package static func parse(_ parameters: [(String, String)]) throws(DomainError) -> SearchOrdersQuery {
        var query = SearchOrdersQuery()
        let values = try QueryParameters(parameters, accepted: Self.parameters)
        if let q = try values.single("q") {
            guard q.count <= TextQuery.maximumLength else {
                throw DomainError(.invalidArgument, "must be at most \(TextQuery.maximumLength) characters", field: "q")
            }
            let text = TextQuery(q)
            if !text.isEmpty { query.text = text }
        }
        let timeZone = try values.timeZone()
        query.timeZone = timeZone
        if let from = try values.single("from") { query.from = try parseDate(from, field: "from", timeZone: timeZone, endOfDay: false) }
        if let to = try values.single("to") { query.to = try parseDate(to, field: "to", timeZone: timeZone, endOfDay: true) }
        if let from = query.from, let to = query.to, from >= to {
            throw DomainError(.invalidRange, "must be after 'from'", field: "to")
        }
        query.dateField = try values.dateField() ?? .createdAt
        query.statuses = try values.statuses()
        query.customerID = try values.customerID()
        query.minTotal = try parseAmount(try values.single("min_total"), field: "min_total")
        query.maxTotal = try parseAmount(try values.single("max_total"), field: "max_total")
        if let min = query.minTotal, let max = query.maxTotal, min > max {
            throw DomainError(.invalidRange, "must not be below min_total", field: "max_total")
        }
        query.currency = try values.currency()
        if let sort = try values.single("sort") {
            guard let value = Sort(rawValue: sort) else {
                throw DomainError(.invalidArgument, "must be one of \(Sort.allCases.map(\.rawValue).joined(separator: ", "))", field: "sort")
            }
            query.sort = value
        }
        query.size = try values.size(sizeRange) ?? query.size
        query.after = try values.single("after").map { text throws(DomainError) in try cursor(text) }
        return query
    }

    /// `after` as a page cursor may be: 1 to 512 characters (what it means, the index decides).
    package static func cursor(_ text: String) throws(DomainError) -> String {
        guard !text.isEmpty, text.count <= 512 else { throw DomainError(.invalidArgument, "not a cursor from a previous page", field: "after") }
        return text
    }

    /// `2026-01-31T08:00:00Z` (an RFC 3339 date-time, see `DateInput.instant`), or `2026-01-31`:
    /// the start of that day in `timeZone`, or for an upper bound (`endOfDay`) the start of the
    /// next day, so the whole day is included. A day or time that does not exist is refused.
    static func parseDate(_ text: String, field: String, timeZone: TimeZone, endOfDay: Bool) throws(DomainError) -> Date {
        if let instant = DateInput.instant(text) { return instant }
        if let day = DateInput.Day(text) { return day.start(in: timeZone, adding: endOfDay ? 1 : 0) }
        throw DomainError(
            .invalidArgument, "'\(text.prefix(40))' is not a calendar date (2026-01-31) or an RFC 3339 date-time (2026-01-31T08:00:00Z)",
            field: field)
    }

    static func parseAmount(_ text: String?, field: String) throws(DomainError) -> Int64? {
        guard let text else { return nil }
        guard let value = Int64(text), value >= 0 else {
            throw DomainError(.invalidArgument, "must be a whole, non-negative amount in minor units", field: field)
        }
        return value
    }
}
