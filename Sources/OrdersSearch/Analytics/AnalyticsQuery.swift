package import Foundation
package import OrdersDomain

/// The panels of the analytics API and dashboard; each is one question to the read side (one
/// Elasticsearch request, or a few SQL statements on the embedded index).
package enum AnalyticsPanel: String, Sendable, Hashable, CaseIterable {
    /// Orders and revenue per calendar interval, split by status.
    case ordersOverTime = "orders-over-time"
    /// Orders and revenue per status.
    case statusBreakdown = "status-breakdown"
    /// Products ranked by revenue and by quantity (across the orders' items).
    case topProducts = "top-products"
    /// Customers ranked by revenue.
    case topCustomers = "top-customers"
    /// Revenue per shipping country.
    case revenueByCountry = "revenue-by-country"
    /// Average order value and items per order.
    case averages

    /// The parameters this panel takes, beyond the common ones.
    package var extraParameters: Set<String> {
        switch self {
        case .ordersOverTime: ["interval"]
        case .topProducts, .topCustomers: ["size"]
        case .statusBreakdown, .revenueByCountry, .averages: []
        }
    }
}

/// A validated analytics request: the orders whose `dateField` lies in `[from, to)` and that pass
/// the filters. Revenue is the sum of those orders' totals, in minor units, per currency (never
/// added across currencies). Build it with `parse(_:panel:now:)`: every refusal is a
/// `DomainError(.invalidArgument)` naming the parameter.
package struct AnalyticsQuery: Sendable, Hashable {
    /// The calendar intervals of `orders-over-time`; weeks start on Monday (ISO 8601).
    package enum Interval: String, Sendable, Hashable, CaseIterable { case hour, day, week, month }

    package var from: Date
    package var to: Date
    /// The zone of calendar intervals and of plain dates in `from`/`to`.
    package var timeZone: TimeZone
    package var dateField: DateField = .createdAt
    package var statuses: Set<OrderStatus> = []
    package var currency: String?
    /// An ISO 3166-1 alpha-2 code, upper-case.
    package var country: String?
    package var customerID: String?
    package var interval: Interval = .day
    /// How many products or customers a ranking lists.
    package var size = 10

    package init(from: Date, to: Date, timeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.from = from
        self.to = to
        self.timeZone = timeZone
    }

    package static let sizeRange = 1...100
    /// More buckets than this is a mistake (an hourly chart of a year); the answer says so.
    package static let maximumBuckets = 1_000
    /// The range when neither `from` nor `to` is given: the 30 days up to the end of today.
    package static let defaultDays = 30
    package static let commonParameters: Set<String> = ["from", "to", "tz", "date_field", "status", "currency", "country", "customer_id"]

    /// Parses request parameters for `panel` (repeated keys allowed for `status`, which also
    /// takes commas). Plain dates are whole days in `tz`; without `from` and `to` the range is the
    /// last 30 days including today; with one of them, the 30 days after `from` or before `to`.
    package static func parse(_ parameters: [(String, String)], panel: AnalyticsPanel, now: Date = Date()) throws(DomainError) -> AnalyticsQuery {
        let accepted = commonParameters.union(panel.extraParameters)
        let values = try QueryParameters(parameters, accepted: accepted) { name in
            "unknown parameter '\(name)' for \(panel.rawValue); use \(accepted.sorted().joined(separator: ", "))"
        }
        let timeZone = try values.timeZone()
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let from = try values.single("from").map { text throws(DomainError) in
            try SearchOrdersQuery.parseDate(text, field: "from", timeZone: timeZone, endOfDay: false)
        }
        let to = try values.single("to").map { text throws(DomainError) in
            try SearchOrdersQuery.parseDate(text, field: "to", timeZone: timeZone, endOfDay: true)
        }
        let end =
            to ?? from.flatMap { calendar.date(byAdding: .day, value: defaultDays, to: $0) }
            ?? calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: now))!
        let start = from ?? calendar.date(byAdding: .day, value: -defaultDays, to: end)!
        guard start < end else { throw DomainError(.invalidRange, "must be after 'from'", field: "to") }
        var query = AnalyticsQuery(from: start, to: end, timeZone: timeZone)
        query.dateField = try values.dateField() ?? .createdAt
        query.statuses = try values.statuses()
        query.currency = try values.currency()
        query.country = try values.single("country").map { code throws(DomainError) in try ShippingAddress.country(code) }
        query.customerID = try values.customerID()
        if let interval = try values.single("interval") {
            guard let value = Interval(rawValue: interval) else {
                throw DomainError(.invalidArgument, "must be one of \(Interval.allCases.map(\.rawValue).joined(separator: ", "))", field: "interval")
            }
            query.interval = value
        }
        query.size = try values.size(sizeRange) ?? query.size
        if panel == .ordersOverTime {
            let count = query.bucketCount
            guard count <= maximumBuckets else {
                throw DomainError(
                    .invalidRange,
                    "this range holds more than \(maximumBuckets) \(query.interval.rawValue) buckets; choose a longer interval or a shorter range",
                    field: "interval")
            }
        }
        return query
    }

    /// The zone's IANA name as answers report it (Foundation on Linux calls UTC "GMT").
    package var timeZoneName: String { timeZone.identifier == "GMT" ? "UTC" : timeZone.identifier }

    /// The calendar this query's intervals are counted in: ISO 8601 weeks, in `timeZone`.
    package var calendar: Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The start of every `interval` bucket that holds part of `[from, to)`, in order: local
    /// midnights, Mondays and month starts in `timeZone` (so a day may last 23 or 25 hours).
    package var bucketStarts: [Date] {
        var starts: [Date] = []
        var start = bucketStart(of: from)
        while start < to, starts.count <= Self.maximumBuckets {
            starts.append(start)
            start = calendar.date(byAdding: interval.component, value: 1, to: start)!
        }
        return starts
    }

    var bucketCount: Int { bucketStarts.count }

    /// The start of the bucket that holds `date`.
    package func bucketStart(of date: Date) -> Date {
        calendar.dateInterval(of: interval.component, for: date)!.start
    }
}

extension AnalyticsQuery.Interval {
    /// The calendar unit of a bucket, also the step from one bucket start to the next.
    var component: Calendar.Component {
        switch self {
        case .hour: .hour
        case .day: .day
        case .week: .weekOfYear
        case .month: .month
        }
    }

}
