import Foundation
import Logging
import OrdersDomain
import OrdersProjection
import OrdersSearch
import OrdersStore
import OrdersTestSupport
import ProjectionTestSupport
import Testing

@Suite struct ReferenceFoldTests {
    static let since = Date(timeIntervalSince1970: 1_767_225_600)

    /// A realistic log: seeded through the command bus, with renames that fan out.
    static func seededLog(_ t: TestStore) async throws -> [RecordedEvent] {
        _ = try await Seeder(store: t.store, logger: Logger(label: "seed")).run(
            SeedOptions(customers: 15, products: 12, orders: 120, seed: 5, since: since, until: since.addingTimeInterval(86400 * 60))
        )
        return try await t.allEvents()
    }

    /// What each order's document must be, computed from the log without the reference fold.
    static func expected(
        _ events: [RecordedEvent]
    ) throws -> [String: (order: Order, customerName: String, productNames: [String: String], version: Int64)] {
        var orderEvents: [String: [OrderEvent]] = [:]
        var customerNames: [String: String] = [:]
        var productNames: [String: String] = [:]
        var customerOf: [String: String] = [:]
        var version: [String: Int64] = [:]
        var productsOf: [String: Set<String>] = [:]
        for event in events {
            let id = String(event.streamID.split(separator: "-", maxSplits: 1)[1])
            switch try event.decode() {
            case .order(let e):
                orderEvents[id, default: []].append(e)
                version[id] = event.position
                if case .created(let c) = e { customerOf[id] = c.customerID.rawValue }
                if case .itemAdded(let a) = e { productsOf[id, default: []].insert(a.productID.rawValue) }
                if case .itemRemoved(let r) = e { productsOf[id]?.remove(r.productID.rawValue) }
            case .customer(let e):
                switch e {
                case .registered(let r): customerNames[id] = r.name
                case .renamed(let r):
                    customerNames[id] = r.name
                    for (order, customer) in customerOf where customer == id { version[order] = event.position }
                case .emailChanged:
                    for (order, customer) in customerOf where customer == id { version[order] = event.position }
                }
            case .product(let e):
                switch e {
                case .added(let a): productNames[id] = a.name
                case .renamed(let r):
                    productNames[id] = r.name
                    for (order, products) in productsOf where products.contains(id) { version[order] = event.position }
                case .repriced: break
                }
            }
        }
        var result: [String: (order: Order, customerName: String, productNames: [String: String], version: Int64)] = [:]
        for (id, stream) in orderEvents {
            result[id] = (try #require(try Order.fold(stream)), customerNames[customerOf[id]!]!, productNames, version[id]!)
        }
        return result
    }

    @Test func documentsAreTheFoldOfTheLog() async throws {
        try await TestStore.with { t throws in
            let events = try await Self.seededLog(t)
            var state = ReferenceFold()
            let changed = try state.apply(events)
            let expected = try Self.expected(events)
            #expect(changed == Set(expected.keys))
            #expect(state.documents.count == 120)
            #expect(state.position == events.last?.position)
            for (id, want) in expected {
                let document = try #require(state.documents[id])
                #expect(document.status == want.order.status, "\(id)")
                #expect(document.totalMinor == want.order.total.amountMinor)
                #expect(document.currency == want.order.currency.code)
                #expect(document.itemCount == want.order.lines.reduce(0) { $0 + $1.quantity })
                #expect(document.items.map(\.productID) == want.order.lines.map(\.productID.rawValue))
                #expect(document.items.map(\.name) == want.order.lines.map { want.productNames[$0.productID.rawValue]! }, "current product names")
                #expect(document.customer.name == want.customerName, "current customer name")
                #expect(document.shipping.city == want.order.shipping.city)
                #expect(document.version == want.version, "version is the newest event the document reflects (\(id))")
            }
            let statuses = Set(state.documents.values.map(\.status))
            #expect(statuses == Set(OrderStatus.allCases))
        }
    }

    @Test func batchSizeAndReplayDoNotChangeTheResult() async throws {
        try await TestStore.with { t throws in
            let events = try await Self.seededLog(t)
            var whole = ReferenceFold()
            _ = try whole.apply(events)
            for size in [1, 7, 100] {
                var batched = ReferenceFold()
                for start in stride(from: 0, to: events.count, by: size) {
                    _ = try batched.apply(Array(events[start..<min(start + size, events.count)]))
                }
                #expect(batched.documents == whole.documents, "batches of \(size)")
            }
        }
    }

    @Test func renamesFanOutAndRepricesDoNot() async throws {
        try await TestStore.with { t throws in
            let customer = try await t.registerCustomer("c-1", name: "Zoë Müller")
            let product = try await t.addProduct("p-1", name: "Café Crème", priceMinor: 500)
            let first = try await t.createOrder("o-1", customer: customer)
            let second = try await t.createOrder("o-2", customer: customer)
            _ = try await t.bus.send(AddItem(orderID: first, productID: product, quantity: 2))
            let reprice = try await t.bus.send(RepriceProduct(productID: product, price: Money(amountMinor: 900, currency: try Currency("EUR"))))
            let rename = try await t.bus.send(RenameCustomer(customerID: customer, name: "Zoë Müller-Lüdenscheidt"))
            let productRename = try await t.bus.send(RenameProduct(productID: product, name: "Café Crème Bio"))
            var state = ReferenceFold()
            let events = try await t.allEvents()
            _ = try state.apply(Array(events.prefix(while: { $0.position < reprice.position })))
            #expect(try state.apply(events.filter { $0.position == reprice.position }).isEmpty, "a reprice touches no existing order")
            #expect(try state.apply(events.filter { $0.position == rename.position }) == [first.rawValue, second.rawValue])
            #expect(state.documents[second.rawValue]?.customer.name == "Zoë Müller-Lüdenscheidt")
            #expect(state.documents[second.rawValue]?.version == rename.position)
            #expect(try state.apply(events.filter { $0.position == productRename.position }) == [first.rawValue])
            #expect(state.documents[first.rawValue]?.items.first?.name == "Café Crème Bio")
            #expect(state.documents[first.rawValue]?.items.first?.unitPriceMinor == 500, "the price at the time it was added")
            #expect(state.documents[first.rawValue]?.version == productRename.position)
            #expect(state.documents[second.rawValue]?.version == rename.position)
        }
    }

    @Test func aHoleInPositionsHaltsLoudly() async throws {
        try await TestStore.with { t throws in
            let events = try await Self.seededLog(t)
            var state = ReferenceFold()
            _ = try state.apply(Array(events.prefix(10)))
            let error = #expect(throws: ProjectionError.self) { try state.apply(Array(events[11..<20])) }
            #expect(error?.position == 12)
            #expect(error?.reason.contains("expected position 11") == true)
            #expect(state.position == 10, "nothing after the hole was applied")
        }
    }

    @Test func anOrderForAnUnknownCustomerIsAnErrorNamingTheEvent() throws {
        let created = try EventCodec.encode(
            .order(
                .created(
                    OrderCreated(
                        orderID: try OrderID("o-9"), customerID: try CustomerID("ghost"), shipping: try ShippingAddress(city: "Lyon", country: "FR"),
                        notes: nil, currency: try Currency("EUR"))))
        )
        let event = RecordedEvent(
            position: 1, streamID: "order-o-9", streamVersion: 1, type: created.type, schemaVersion: created.schemaVersion, payload: created.payload,
            commandID: nil, correlationID: nil, recordedAt: Self.since
        )
        var state = ReferenceFold()
        let error = #expect(throws: ProjectionError.self) { try state.apply([event]) }
        #expect(error?.position == 1)
        #expect(error?.reason.contains("customer ghost is unknown") == true)
    }
}
