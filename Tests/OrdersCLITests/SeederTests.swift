import Foundation
import Logging
import OrdersDomain
import OrdersStore
import OrdersTestSupport
import Testing

@Suite struct SeederTests {
    static let since = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
    static let until = Date(timeIntervalSince1970: 1_775_001_600)  // 2026-04-01

    /// Folds every order in the log independently of the seeder's own bookkeeping.
    static func foldOrders(_ events: [RecordedEvent]) throws -> [String: Order] {
        var streams: [String: [OrderEvent]] = [:]
        for event in events where event.streamID.hasPrefix("order-") {
            guard case .order(let e) = try event.decode() else { continue }
            streams[event.streamID, default: []].append(e)
        }
        return try streams.mapValues { try #require(try Order.fold($0)) }
    }

    @Test func seedsTheRequestedCountsWithEveryStatusAndSpreadTimes() async throws {
        try await TestStore.with { t throws in
            let summary = try await Seeder(store: t.store, logger: Logger(label: "seed")).run(
                SeedOptions(customers: 40, products: 25, orders: 300, seed: 7, since: Self.since, until: Self.until)
            )
            let events = try await t.allEvents()
            #expect(Set(events.filter { $0.type == "customer.registered" }.map(\.streamID)).count == 40)
            #expect(Set(events.filter { $0.type == "product.added" }.map(\.streamID)).count == 25)
            let orders = try Self.foldOrders(events)
            #expect(orders.count == 300)
            let statuses = Dictionary(grouping: orders.values, by: \.status).mapValues(\.count)
            #expect(Set(statuses.keys) == Set(OrderStatus.allCases), "orders in every status: \(statuses)")
            #expect(statuses == summary.ordersByStatus)
            #expect(Set(orders.values.map(\.currency.code)).count >= 3, "several currencies")
            #expect(summary.headPosition == events.last?.position)

            // Timestamps lie in the requested window and never decrease along the log.
            #expect(events.allSatisfy { $0.recordedAt >= Self.since && $0.recordedAt < Self.until })
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.recordedAt <= $1.recordedAt })
            let created = events.filter { $0.type == "order.created" }.map(\.recordedAt)
            #expect(created.min()! < Self.since.addingTimeInterval(86400 * 45), "orders spread over the period")
            #expect(created.max()! > Self.since.addingTimeInterval(86400 * 60))
        }
    }

    @Test func namesUseAccentsAndNonLatinScripts() async throws {
        try await TestStore.with { t throws in
            _ = try await Seeder(store: t.store, logger: Logger(label: "seed")).run(
                SeedOptions(customers: 200, products: 5, orders: 0, seed: 3, since: Self.since, until: Self.until)
            )
            var names: [String] = []
            for event in try await t.allEvents() {
                if case .customer(.registered(let r)) = try event.decode() { names.append(r.name) }
            }
            #expect(names.contains { $0.unicodeScalars.contains { $0.properties.isAlphabetic && $0.value > 0x2FF } }, "non-Latin script")
            #expect(names.contains { $0.unicodeScalars.contains { (0xC0...0x24F).contains($0.value) } }, "Latin with accents")
        }
    }

    @Test func theSameSeedGivesTheSameLog() async throws {
        func seeded() async throws -> [String] {
            try await TestStore.with { t throws in
                _ = try await Seeder(store: t.store, logger: Logger(label: "seed")).run(
                    SeedOptions(customers: 10, products: 10, orders: 40, seed: 11, since: Self.since, until: Self.until)
                )
                return try await t.allEvents().map { "\($0.streamID) \($0.type) \(String(decoding: $0.payload, as: UTF8.self))" }
            }
        }
        let first = try await seeded()
        #expect(!first.isEmpty)
        #expect(try await seeded() == first)
    }

    @Test func seedingTwiceAddsNewData() async throws {
        try await TestStore.with { t throws in
            let seeder = Seeder(store: t.store, logger: Logger(label: "seed"))
            let options = SeedOptions(customers: 5, products: 5, orders: 20, seed: 1, since: Self.since, until: Self.until)
            _ = try await seeder.run(options)
            _ = try await seeder.run(options)
            #expect(try Self.foldOrders(try await t.allEvents()).count == 40)
        }
    }
}
