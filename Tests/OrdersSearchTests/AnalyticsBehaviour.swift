import Foundation
import OrdersDomain
import OrdersSearch
import Testing

/// The analytics panels, written against `SearchIndex` only (part of the behavioural suite, so
/// they run on Elasticsearch too). Expected figures come from `AnalyticsReference`, a plain
/// computation over the documents that shares no code with the backends.
extension SearchIndexBehaviour {
    static let analytics: [String: @Sendable (TestedIndex) async throws -> Void] = [
        "analytics agree with a reference": analyticsAgreeWithTheReference,
        "analytics buckets follow the time zone": analyticsBucketsFollowTheTimeZone,
        "analytics of an empty range": analyticsOfAnEmptyRange,
    ]

    static func analyticsQuery(_ parameters: [(String, String)], _ panel: AnalyticsPanel) throws -> AnalyticsQuery {
        try AnalyticsQuery.parse(parameters, panel: panel)
    }

    static func analyticsAgreeWithTheReference(_ index: TestedIndex) async throws {
        let shop = AnalyticsReference.shop()
        for batch in stride(from: 0, to: shop.count, by: 100) {
            #expect(try await index.writer.apply(Array(shop[batch..<min(batch + 100, shop.count)])).allSatisfy { $0 == .applied })
        }
        let cases: [[(String, String)]] = [
            [("from", "2026-03-01"), ("to", "2026-04-30")],
            [("from", "2026-03-20"), ("to", "2026-04-05"), ("tz", "Europe/Berlin"), ("interval", "week"), ("status", "paid,shipped,delivered")],
            [
                ("from", "2026-03-28T00:00:00Z"), ("to", "2026-03-30T12:00:00Z"), ("tz", "America/New_York"), ("interval", "hour"),
                ("currency", "EUR"),
            ],
            [("from", "2026-03-01"), ("to", "2026-04-30"), ("tz", "Asia/Tokyo"), ("interval", "month"), ("country", "de"), ("size", "3")],
            [("from", "2026-03-01"), ("to", "2026-04-30"), ("date_field", "paid_at"), ("customer_id", "c-3"), ("size", "2")],
        ]
        for parameters in cases {
            for panel in AnalyticsPanel.allCases {
                let accepted = AnalyticsQuery.commonParameters.union(panel.extraParameters)
                let query = try analyticsQuery(parameters.filter { accepted.contains($0.0) }, panel)
                let answer = try await index.reader.analytics(panel, query)
                let expected = AnalyticsReference.answer(panel, query, shop)
                #expect(AnalyticsReference.rounded(answer) == AnalyticsReference.rounded(expected), "\(panel.rawValue) \(parameters)")
            }
        }
        // The reference is not trivially empty: the first case sees every order.
        let all = try await index.reader.analytics(.averages, try analyticsQuery([("from", "2026-03-01"), ("to", "2026-04-30")], .averages))
        guard case .averages(let averages) = all else { throw AnalyticsReference.WrongPanel() }
        #expect(averages.orders == shop.count)
        #expect(averages.currencies.map(\.currency) == ["EUR", "JPY", "SEK"])
    }

    static func analyticsBucketsFollowTheTimeZone(_ index: TestedIndex) async throws {
        // 23:30 UTC on January 1 is 00:30 on January 2 in Berlin.
        let late = document("ord-tz-1", status: .paid, items: [("Tea", "SKU-TEA", 2, 500)], created: 84_600, version: 1)
        let early = document("ord-tz-2", status: .shipped, items: [("Tea", "SKU-TEA", 1, 500)], created: 3_600, version: 2)
        _ = try await index.writer.apply([late, early])
        func days(_ tz: String) async throws -> [(String, Int, Int64)] {
            let query = try analyticsQuery([("from", "2026-01-01"), ("to", "2026-01-02"), ("tz", tz)], .ordersOverTime)
            guard case .ordersOverTime(let answer) = try await index.reader.analytics(.ordersOverTime, query) else {
                throw AnalyticsReference.WrongPanel()
            }
            return answer.buckets.map { ($0.start.formatted(.iso8601), $0.orders, $0.revenue.first?.amountMinor ?? 0) }
        }
        let utc = try await days("UTC")
        #expect(utc.map(\.0) == ["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"])
        #expect(utc.map(\.1) == [2, 0] && utc.map(\.2) == [1500, 0])
        let berlin = try await days("Europe/Berlin")
        #expect(berlin.map(\.0) == ["2025-12-31T23:00:00Z", "2026-01-01T23:00:00Z"], "local midnights")
        #expect(berlin.map(\.1) == [1, 1] && berlin.map(\.2) == [500, 1000], "the 23:30 UTC order is on January 2 in Berlin")

        // Daylight saving time starts on 2026-03-29 in Berlin: that day lasts 23 hours.
        let spring = try analyticsQuery([("from", "2026-03-28"), ("to", "2026-03-30"), ("tz", "Europe/Berlin")], .ordersOverTime)
        guard case .ordersOverTime(let dst) = try await index.reader.analytics(.ordersOverTime, spring) else { throw AnalyticsReference.WrongPanel() }
        #expect(dst.buckets.map { $0.start.formatted(.iso8601) } == ["2026-03-27T23:00:00Z", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"])
        // ISO weeks start on Monday: 2026-01-01 is a Thursday.
        let weeks = try analyticsQuery([("from", "2026-01-01"), ("to", "2026-01-12"), ("interval", "week")], .ordersOverTime)
        guard case .ordersOverTime(let weekly) = try await index.reader.analytics(.ordersOverTime, weeks) else {
            throw AnalyticsReference.WrongPanel()
        }
        #expect(weekly.buckets.map { $0.start.formatted(.iso8601) } == ["2025-12-29T00:00:00Z", "2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z"])
        #expect(weekly.buckets.map(\.orders) == [2, 0, 0])
    }

    static func analyticsOfAnEmptyRange(_ index: TestedIndex) async throws {
        _ = try await index.writer.apply(corpus)
        let parameters = [("from", "2030-01-01"), ("to", "2030-01-03"), ("tz", "Europe/Berlin")]
        guard case .ordersOverTime(let overTime) = try await index.reader.analytics(.ordersOverTime, try analyticsQuery(parameters, .ordersOverTime))
        else {
            throw AnalyticsReference.WrongPanel()
        }
        #expect(overTime.buckets.count == 3 && overTime.buckets.allSatisfy { $0.orders == 0 && $0.revenue.isEmpty && $0.statuses.isEmpty })
        #expect(
            try await index.reader.analytics(.statusBreakdown, try analyticsQuery(parameters, .statusBreakdown))
                == .statusBreakdown(.init(statuses: [])))
        #expect(try await index.reader.analytics(.topProducts, try analyticsQuery(parameters, .topProducts)) == .topProducts(.init(currencies: [])))
        #expect(
            try await index.reader.analytics(.topCustomers, try analyticsQuery(parameters, .topCustomers)) == .topCustomers(.init(currencies: [])))
        #expect(
            try await index.reader.analytics(.revenueByCountry, try analyticsQuery(parameters, .revenueByCountry))
                == .revenueByCountry(.init(currencies: [])))
        #expect(
            try await index.reader.analytics(.averages, try analyticsQuery(parameters, .averages))
                == .averages(.init(orders: 0, itemsPerOrder: nil, currencies: [])))
    }
}

/// Expected analytics figures, computed the plain way: select the documents, group them, sort.
enum AnalyticsReference {
    struct WrongPanel: Error {}

    /// 240 orders over March and April 2026 (Berlin's DST change included) from 12 customers in
    /// 3 currencies and 5 countries, 1-3 of 8 products each, every status.
    static func shop() -> [OrderDocument] {
        var random = SearchIndexReference.Generator(state: 7)
        let products = (1...8).map { n in (id: "p-\(n)", sku: "SKU-\(n)", name: "Product \(n)", price: Int64(100 * n + 99)) }
        let currencies = ["EUR", "SEK", "JPY"]
        let countries = ["DE", "ES", "SE", "JP", "FR"]
        let start = Date(timeIntervalSince1970: 1_772_323_200)  // 2026-03-01T00:00:00Z
        return (1...240).map { n in
            let customer = Int(random.next() % 12) + 1
            var chosen = products.shuffled(using: &random).prefix(Int(random.next() % 3) + 1)
            chosen.sort { $0.id < $1.id }
            let status = OrderStatus.allCases[Int(random.next() % 6)]
            let created = start.addingTimeInterval(Double(random.next() % (60 * 86_400)))
            var document = OrderDocument(
                orderID: String(format: "ord-%04d", n), status: status,
                customer: .init(id: "c-\(customer)", name: "Customer \(customer)", email: "c\(customer)@example.com"),
                items: chosen.map {
                    .init(productID: $0.id, sku: $0.sku, name: $0.name, quantity: Int(random.next() % 5) + 1, unitPriceMinor: $0.price)
                },
                currency: currencies[customer % 3], shipping: .init(city: "City", country: countries[Int(random.next() % 5)]), notes: nil,
                createdAt: created, updatedAt: created.addingTimeInterval(Double(random.next() % 86_400)), version: Int64(n))
            if [.paid, .shipped, .delivered].contains(status) { document.paidAt = created.addingTimeInterval(3_600) }
            return document
        }
    }

    static func selected(_ query: AnalyticsQuery, _ documents: [OrderDocument]) -> [OrderDocument] {
        documents.filter { document in
            guard let date = document.date(query.dateField), date >= query.from, date < query.to else { return false }
            return (query.statuses.isEmpty || query.statuses.contains(document.status)) && (query.currency.map { $0 == document.currency } ?? true)
                && (query.country.map { $0 == document.shipping.country } ?? true) && (query.customerID.map { $0 == document.customer.id } ?? true)
        }
    }

    static func answer(_ panel: AnalyticsPanel, _ query: AnalyticsQuery, _ documents: [OrderDocument]) -> AnalyticsAnswer {
        let orders = selected(query, documents)
        let currencies = Set(orders.map(\.currency)).sorted()
        switch panel {
        case .ordersOverTime:
            let starts = bucketStarts(query)
            return .ordersOverTime(
                OrdersOverTime(
                    interval: query.interval, timeZone: query.timeZoneName,
                    buckets: starts.enumerated().map { n, start in
                        let mine = orders.filter { document in
                            let date = document.date(query.dateField)!
                            return date >= start && (n + 1 == starts.count || date < starts[n + 1])
                        }
                        return .init(start: start, orders: mine.count, revenue: revenue(mine), statuses: statuses(mine))
                    }))
        case .statusBreakdown:
            return .statusBreakdown(.init(statuses: statuses(orders)))
        case .topProducts:
            return .topProducts(
                .init(
                    currencies: currencies.map { currency in
                        let items = orders.filter { $0.currency == currency }.flatMap(\.items)
                        let figures = Set(items.map(\.productID)).map { id in
                            let mine = items.filter { $0.productID == id }
                            return ProductFigures(
                                productID: id, sku: mine[0].sku, name: mine[0].name, revenueMinor: mine.map(\.subtotalMinor).reduce(0, +),
                                quantity: mine.map(\.quantity).reduce(0, +), orders: mine.count)
                        }
                        return .init(
                            currency: currency,
                            byRevenue: Array(figures.sorted { ($0.revenueMinor, $1.productID) > ($1.revenueMinor, $0.productID) }.prefix(query.size)),
                            byQuantity: Array(figures.sorted { ($0.quantity, $1.productID) > ($1.quantity, $0.productID) }.prefix(query.size)))
                    }))
        case .topCustomers:
            return .topCustomers(
                .init(
                    currencies: currencies.map { currency in
                        let mine = orders.filter { $0.currency == currency }
                        let figures = Set(mine.map(\.customer.id)).map { id in
                            let theirs = mine.filter { $0.customer.id == id }
                            let newest = theirs.max { ($0.updatedAt, $0.orderID) < ($1.updatedAt, $1.orderID) }!
                            return CustomerFigures(
                                customerID: id, name: newest.customer.name, email: newest.customer.email,
                                revenueMinor: theirs.map(\.totalMinor).reduce(0, +), orders: theirs.count)
                        }
                        return .init(
                            currency: currency,
                            customers: Array(
                                figures.sorted { ($0.revenueMinor, $1.customerID) > ($1.revenueMinor, $0.customerID) }.prefix(query.size)))
                    }))
        case .revenueByCountry:
            return .revenueByCountry(
                .init(
                    currencies: currencies.map { currency in
                        let mine = orders.filter { $0.currency == currency }
                        let countries = Set(mine.map(\.shipping.country)).map { country in
                            let theirs = mine.filter { $0.shipping.country == country }
                            return RevenueByCountry.Country(
                                country: country, revenueMinor: theirs.map(\.totalMinor).reduce(0, +), orders: theirs.count)
                        }
                        return .init(
                            currency: currency, countries: countries.sorted { ($0.revenueMinor, $1.country) > ($1.revenueMinor, $0.country) })
                    }))
        case .averages:
            return .averages(
                .init(
                    orders: orders.count, itemsPerOrder: orders.isEmpty ? nil : Double(orders.map(\.itemCount).reduce(0, +)) / Double(orders.count),
                    currencies: currencies.map { currency in
                        let mine = orders.filter { $0.currency == currency }
                        let total = mine.map(\.totalMinor).reduce(0, +)
                        return .init(
                            currency: currency, orders: mine.count, revenueMinor: total, averageOrderValueMinor: Double(total) / Double(mine.count))
                    }))
        }
    }

    static func revenue(_ orders: [OrderDocument]) -> [CurrencyAmount] {
        Set(orders.map(\.currency)).sorted().map { currency in
            CurrencyAmount(currency: currency, amountMinor: orders.filter { $0.currency == currency }.map(\.totalMinor).reduce(0, +))
        }
    }

    static func statuses(_ orders: [OrderDocument]) -> [StatusFigures] {
        OrderStatus.allCases.compactMap { status in
            let mine = orders.filter { $0.status == status }
            return mine.isEmpty ? nil : StatusFigures(status: status, orders: mine.count, revenue: revenue(mine))
        }
    }

    /// Local bucket starts from the one holding `from`, by date components (weeks from Monday).
    static func bucketStarts(_ query: AnalyticsQuery) -> [Date] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = query.timeZone
        func floor(_ date: Date) -> Date {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .weekday], from: date)
            switch query.interval {
            case .hour: return calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: parts.day, hour: parts.hour))!
            case .day: return calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: parts.day))!
            case .week:
                let day = calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: parts.day))!
                return calendar.date(byAdding: .day, value: -((parts.weekday! + 5) % 7), to: day)!
            case .month: return calendar.date(from: DateComponents(year: parts.year, month: parts.month))!
            }
        }
        let step: DateComponents =
            switch query.interval {
            case .hour: DateComponents(hour: 1)
            case .day: DateComponents(day: 1)
            case .week: DateComponents(day: 7)
            case .month: DateComponents(month: 1)
            }
        var starts = [floor(query.from)]
        while let next = calendar.date(byAdding: step, to: starts.last!), next < query.to { starts.append(next) }
        return starts
    }

    /// The answer with its averages rounded to 1e-6 (a backend may divide in another order).
    static func rounded(_ answer: AnalyticsAnswer) -> AnalyticsAnswer {
        guard case .averages(var averages) = answer else { return answer }
        let round = { (value: Double) in (value * 1e6).rounded() / 1e6 }
        averages.itemsPerOrder = averages.itemsPerOrder.map(round)
        for n in averages.currencies.indices { averages.currencies[n].averageOrderValueMinor = round(averages.currencies[n].averageOrderValueMinor) }
        return .averages(averages)
    }
}
