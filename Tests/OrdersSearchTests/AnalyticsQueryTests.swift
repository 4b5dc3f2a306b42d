import Foundation
import OrdersDomain
import OrdersSearch
import Testing

@Suite struct AnalyticsQueryTests {
    let now = Date(timeIntervalSince1970: 1_768_519_800)  // 2026-01-15T23:30:00Z (January 16 in Berlin)

    @Test func theDefaultRangeIsTheLast30DaysIncludingToday() throws {
        let utc = try AnalyticsQuery.parse([], panel: .averages, now: now)
        #expect(utc.from.formatted(.iso8601) == "2025-12-17T00:00:00Z" && utc.to.formatted(.iso8601) == "2026-01-16T00:00:00Z")
        let berlin = try AnalyticsQuery.parse([("tz", "Europe/Berlin")], panel: .averages, now: now)
        #expect(berlin.to.formatted(.iso8601) == "2026-01-16T23:00:00Z", "today is January 16 in Berlin")
        let fromOnly = try AnalyticsQuery.parse([("from", "2026-02-01")], panel: .averages, now: now)
        #expect(fromOnly.to.formatted(.iso8601) == "2026-03-03T00:00:00Z", "30 days after 'from'")
        let toOnly = try AnalyticsQuery.parse([("to", "2026-02-01")], panel: .averages, now: now)
        #expect(toOnly.from.formatted(.iso8601) == "2026-01-03T00:00:00Z" && toOnly.to.formatted(.iso8601) == "2026-02-02T00:00:00Z")
    }

    @Test func parametersAreNormalizedAndLimited() throws {
        let query = try AnalyticsQuery.parse(
            [("country", "de"), ("currency", "eur"), ("status", "paid,shipped"), ("status", "paid"), ("size", "3")], panel: .topProducts, now: now)
        #expect(query.country == "DE" && query.currency == "EUR" && query.statuses == [.paid, .shipped] && query.size == 3)
        let hourly = try AnalyticsQuery.parse([("from", "2026-01-01"), ("to", "2026-02-10"), ("interval", "hour")], panel: .ordersOverTime)
        #expect(hourly.bucketStarts.count == 984)
        let error = #expect(throws: DomainError.self) {
            try AnalyticsQuery.parse([("from", "2026-01-01"), ("to", "2026-02-11"), ("interval", "hour")], panel: .ordersOverTime)
        }
        #expect(error?.code == .invalidRange && error?.field == "interval" && error?.message.contains("more than 1000") == true)
        let backwards = #expect(throws: DomainError.self) {
            try AnalyticsQuery.parse([("from", "2026-02-02"), ("to", "2026-02-01")], panel: .averages)
        }
        #expect(backwards?.code == .invalidRange && backwards?.field == "to")
        #expect(throws: DomainError.self) { try AnalyticsQuery.parse([("interval", "day")], panel: .averages) }
        #expect(throws: DomainError.self) { try AnalyticsQuery.parse([("tz", "UTC"), ("tz", "UTC")], panel: .averages) }
    }

    @Test(arguments: SearchOrdersQueryTests.impossibleDates)
    func impossibleDatesAndTimesAreRefusedByName(value: String) {
        for field in ["from", "to"] {
            let error = #expect(throws: DomainError.self, "\(field)=\(value)") {
                try AnalyticsQuery.parse([(field, value)], panel: .ordersOverTime, now: now)
            }
            #expect(error?.code == .invalidArgument && error?.field == field, "\(field)=\(value)")
        }
    }
}
