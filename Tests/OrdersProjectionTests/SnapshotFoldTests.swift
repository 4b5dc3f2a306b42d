import Foundation
import GRDB
import Logging
import OrdersDomain
import OrdersProjection
import OrdersSearch
import OrdersStore
import OrdersTestSupport
import ProjectionTestSupport
import Testing

/// `SnapshotFold` folds one order at a time from its own stream and its customer's and products'
/// facts: the documents must be the live fold's, at any snapshot position.
@Suite struct SnapshotFoldTests {
    /// Appends `order-o-1`'s third event as a submission of a schema version from the future
    /// (this build cannot read it), past the command bus.
    static func appendUnreadableSubmission(to store: TestStore, at position: Int64) throws {
        try store.store.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO events (position, stream_id, stream_version, type, schema_version, payload, recorded_at)
                    VALUES (?, 'order-o-1', 3, 'order.submitted', 9, '{}', 0)
                    """, arguments: [position])
        }
    }

    /// Every order stream at or below `position`.
    func orderStreams(_ store: TestStore, through position: Int64) async throws -> [EventStore.StreamEvents] {
        try await store.store.readStreams(prefix: OrderTag.streamPrefix + "-", after: nil, through: position, limit: 10_000)
    }

    /// Every order folded alone as of each position must be the live fold's document then.
    /// `compactionLimit`: how often the facts are compacted (nil: never).
    func expectEachOrderFoldsLikeTheLiveFold(
        _ store: TestStore, _ events: [RecordedEvent], at positions: [Int64], compactionLimit: Int? = 64
    ) async throws {
        var live = ReferenceFold()
        var done = 0
        for position in positions {
            _ = try live.apply(Array(events[done..<Int(position)]))
            done = Int(position)
            let fold = try await store.store.facts(through: position, compactionLimit: compactionLimit)
            let streams = try await orderStreams(store, through: position)
            #expect(streams.count == live.documents.count)
            for stream in streams {
                let result = fold.fold(orderEvents: stream.events)
                #expect(result.failure == nil)
                let id = String(stream.streamID.dropFirst(OrderTag.streamPrefix.count + 1))
                #expect(result.document == live.documents[id], "order \(id) as of position \(position)")
            }
        }
    }

    /// Compacted after every fact (1), every few, as the service does (64), and never.
    @Test(arguments: [1, 3, 64, nil] as [Int?])
    func eachOrderFoldsToTheLiveFoldsDocumentAtEverySnapshot(compactionLimit: Int?) async throws {
        try await TestStore.with { store in
            let shop = try await BusyShop.open(store, customers: 3, products: 4)
            for number in 0..<40 { try await shop.step(number) }
            let events = try await store.allEvents()
            // Snapshots in the middle of renames and submissions, and at the head.
            let positions = [events.count / 3, events.count / 2 + 1, events.count - 7, events.count].map(Int64.init)
            try await expectEachOrderFoldsLikeTheLiveFold(store, events, at: positions, compactionLimit: compactionLimit)
        }
    }

    /// A seeded shop has what `BusyShop` lacks: email changes, items removed (and products
    /// renamed after that), quantities changed, orders paid, shipped, delivered and cancelled.
    @Test(arguments: [UInt64(3), 11], [1, nil] as [Int?])
    func aSeededShopFoldsToTheLiveFoldsDocuments(seed: UInt64, compactionLimit: Int?) async throws {
        try await TestStore.with { store in
            let since = Date(timeIntervalSince1970: 1_767_225_600)
            _ = try await Seeder(store: store.store, logger: Logger(label: "seed")).run(
                SeedOptions(customers: 120, products: 60, orders: 300, seed: seed, since: since, until: since.addingTimeInterval(86400 * 30))
            )
            let events = try await store.allEvents()
            var kinds = Set<String>()
            for event in events { kinds.insert(event.type) }
            for type in ["customer.email_changed", "product.renamed", "order.item_removed", "order.item_quantity_changed", "order.delivered"] {
                #expect(kinds.contains(type), "the seeded log has \(type) events")
            }
            let positions = [events.count / 4, events.count / 2, events.count - 3, events.count].map(Int64.init)
            try await expectEachOrderFoldsLikeTheLiveFold(store, events, at: positions, compactionLimit: compactionLimit)
        }
    }

    @Test func aRenameReachesTheOrdersHoldingTheProductAndACustomerChangeItsOrders() async throws {
        try await TestStore.with { store in
            let customer = try await store.registerCustomer("c-1", name: "Ana García")
            let kept = try await store.addProduct("p-1", name: "Kaffee")
            let dropped = try await store.addProduct("p-2", name: "Tee")
            let holder = try await store.createOrder("o-1", customer: customer)
            let other = try await store.createOrder("o-2", customer: customer)
            _ = try await store.bus.send(AddItem(orderID: holder, productID: dropped, quantity: 1))
            _ = try await store.bus.send(AddItem(orderID: other, productID: kept, quantity: 1))
            _ = try await store.bus.send(AddItem(orderID: other, productID: dropped, quantity: 3))
            _ = try await store.bus.send(RemoveItem(orderID: other, productID: dropped))
            let otherBefore = try await store.store.headPosition()
            _ = try await store.bus.send(RenameProduct(productID: dropped, name: "Grüner Tee"))
            let renamed = try await store.store.headPosition()
            _ = try await store.bus.send(ChangeCustomerEmail(customerID: customer, email: "ana@example.org"))
            let emailChanged = try await store.store.headPosition()

            let events = try await store.allEvents()
            var live = ReferenceFold()
            _ = try live.apply(events)
            let fold = try await store.store.facts(through: emailChanged)
            var documents: [String: OrderDocument] = [:]
            for stream in try await orderStreams(store, through: emailChanged) {
                let document = try #require(fold.fold(orderEvents: stream.events).document)
                documents[document.orderID] = document
                #expect(document == live.documents[document.orderID])
            }
            let holding = try #require(documents["o-1"])
            #expect(holding.items.map(\.name) == ["Grüner Tee"])
            let removed = try #require(documents["o-2"])
            #expect(removed.items.map(\.name) == ["Kaffee"])
            #expect(holding.customer.email == "ana@example.org" && removed.customer.email == "ana@example.org")
            #expect(holding.version == emailChanged && removed.version == emailChanged)
            // As of the rename: it reached the order holding the product, not the one that removed it.
            let asOfRename = try await store.store.facts(through: renamed)
            for stream in try await orderStreams(store, through: renamed) {
                let document = try #require(asOfRename.fold(orderEvents: stream.events).document)
                #expect(document.version == (document.orderID == "o-1" ? renamed : otherBefore))
                #expect(document.customer.email == "c-1@example.com")
            }
        }
    }

    @Test func anUnreadableEventStopsTheOrderThereAndLaterFactsDoNotReachIt() async throws {
        try await TestStore.with { store in
            let customer = try await store.registerCustomer("c-1")
            let product = try await store.addProduct("p-1", name: "Kaffee")
            let order = try await store.createOrder("o-1", customer: customer)
            _ = try await store.bus.send(AddItem(orderID: order, productID: product, quantity: 2))
            let before = try await store.store.headPosition()
            // A schema version from the future, then a rename that would otherwise fan out to it.
            try Self.appendUnreadableSubmission(to: store, at: before + 1)
            _ = try await store.bus.send(RenameCustomer(customerID: customer, name: "Neuer Name"))
            let head = try await store.store.headPosition()

            let fold = try await store.store.facts(through: head)
            let stream = try #require(try await orderStreams(store, through: head).first)
            let result = fold.fold(orderEvents: stream.events)
            #expect(result.failure?.position == before + 1)
            #expect(result.failure?.reason.contains("future_version") == true)
            let document = try #require(result.document)
            #expect(document.status == .draft)
            #expect(document.items.map(\.quantity) == [2])
            #expect(document.version == before, "the document reflects what came before the unreadable event")
            #expect(document.customer.name != "Neuer Name", "the order is parked: the rename does not reach it")
        }
    }

    @Test func anOrderStreamThatDoesNotStartWithItsCreationHasNoDocument() async throws {
        try await TestStore.with { store in
            _ = try await store.registerCustomer("c-1")
            let product = try await store.addProduct("p-1", name: "Kaffee")
            let head = try await store.store.headPosition()
            // A log no command writes: an item added to an order that was never created.
            try await store.store.writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO events (position, stream_id, stream_version, type, schema_version, payload, recorded_at)
                        VALUES (?, 'order-o-9', 1, 'order.item_added', 1, ?, 0)
                        """,
                    arguments: [
                        head + 1, #"{"product_id":"\#(product.rawValue)","quantity":1,"unit_price":{"amount_minor":100,"currency":"EUR"}}"#,
                    ])
            }

            let fold = try await store.store.facts(through: head + 1)
            let stream = try #require(try await orderStreams(store, through: head + 1).first)
            let result = fold.fold(orderEvents: stream.events)
            #expect(result.document == nil)
            #expect(result.failure?.position == head + 1)
            #expect(result.failure?.reason.contains("no creation event") == true)
        }
    }

    /// Facts compacted past an order's failure no longer say what the order looked like there:
    /// the fold says so, and the order folded from the log is the uncompacted fold's.
    @Test func anOrderThatFailedBeforeTheCompactionIsFoldedFromTheLog() async throws {
        try await TestStore.with { store in
            let customer = try await store.registerCustomer("c-1", name: "Erste")
            let product = try await store.addProduct("p-1", name: "Kaffee")
            let order = try await store.createOrder("o-1", customer: customer)
            _ = try await store.bus.send(AddItem(orderID: order, productID: product, quantity: 2))
            let before = try await store.store.headPosition()
            try Self.appendUnreadableSubmission(to: store, at: before + 1)
            for number in 0..<5 {
                _ = try await store.bus.send(RenameCustomer(customerID: customer, name: "Name \(number)"))
                _ = try await store.bus.send(RenameProduct(productID: product, name: "Kaffee \(number)"))
            }
            let head = try await store.store.headPosition()
            let stream = try #require(try await orderStreams(store, through: head).first)

            let whole = try await store.store.facts(through: head, compactionLimit: nil).fold(orderEvents: stream.events)
            #expect(!whole.needsLog && whole.failure?.position == before + 1)
            let document = try #require(whole.document)
            #expect(document.customer.name == "Erste" && document.items.map(\.name) == ["Kaffee"] && document.version == before)

            let compacted = try await store.store.facts(through: head, compactionLimit: 2).fold(orderEvents: stream.events)
            #expect(compacted.needsLog && compacted.document == nil && compacted.failure?.position == before + 1)
            let exact = try await store.store.exact(compacted, order: "o-1", through: head)
            #expect(!exact.needsLog && exact.document == document && exact.failure == whole.failure)
        }
    }

    /// However often a customer or product is renamed, the facts kept for it stay few.
    @Test func renamesDoNotGrowTheFacts() async throws {
        try await TestStore.with { store in
            let customer = try await store.registerCustomer("c-1", name: "Erste")
            let product = try await store.addProduct("p-1", name: "Kaffee")
            for number in 0..<300 {
                _ = try await store.bus.send(RenameCustomer(customerID: customer, name: "Name \(number)"))
                _ = try await store.bus.send(ChangeCustomerEmail(customerID: customer, email: "c\(number)@example.com"))
                _ = try await store.bus.send(RenameProduct(productID: product, name: "Kaffee \(number)"))
            }
            let head = try await store.store.headPosition()
            #expect(try await store.store.facts(through: head, compactionLimit: nil).factCount == 902)
            let compacted = try await store.store.facts(through: head, compactionLimit: 64).factCount
            #expect(compacted <= 2 * (64 + 3), "\(compacted) facts kept")
        }
    }
}
