import Foundation
import GRDB
import OrdersDomain
import OrdersProjection
import OrdersSearch
import OrdersStore
import OrdersTestSupport
import Testing

/// `SnapshotFold` folds one order at a time from its own stream and its customer's and products'
/// facts: the documents must be the live fold's, at any snapshot position.
@Suite struct SnapshotFoldTests {
    /// Every order stream at or below `position`.
    func orderStreams(_ store: TestStore, through position: Int64) async throws -> [EventStore.StreamEvents] {
        try await store.store.readStreams(prefix: OrderTag.streamPrefix + "-", after: nil, through: position, limit: 10_000)
    }

    @Test func eachOrderFoldsToTheLiveFoldsDocumentAtEverySnapshot() async throws {
        try await TestStore.with { store in
            let shop = try await BusyShop.open(store, customers: 3, products: 4)
            for number in 0..<40 { try await shop.step(number) }
            let events = try await store.allEvents()
            // Snapshots in the middle of renames and submissions, and at the head.
            for position in [events.count / 3, events.count / 2 + 1, events.count - 7, events.count].map(Int64.init) {
                var live = ProjectionState()
                _ = try live.apply(Array(events.prefix(Int(position))))
                let fold = try await SnapshotFold.load(from: store.store, through: position)
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
    }

    @Test func anUnreadableEventStopsTheOrderThereAndLaterFactsDoNotReachIt() async throws {
        try await TestStore.with { store in
            let customer = try await store.registerCustomer("c-1")
            let product = try await store.addProduct("p-1", name: "Kaffee")
            let order = try await store.createOrder("o-1", customer: customer)
            _ = try await store.bus.send(AddItem(orderID: order, productID: product, quantity: 2))
            let before = try await store.store.headPosition()
            // A schema version from the future, then a rename that would otherwise fan out to it.
            try await store.store.writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO events (position, stream_id, stream_version, type, schema_version, payload, recorded_at)
                        VALUES (?, 'order-o-1', 3, 'order.submitted', 9, '{}', 0)
                        """, arguments: [before + 1])
            }
            _ = try await store.bus.send(RenameCustomer(customerID: customer, name: "Neuer Name"))
            let head = try await store.store.headPosition()

            let fold = try await SnapshotFold.load(from: store.store, through: head)
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
}
