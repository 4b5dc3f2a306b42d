import Foundation
import GRDB
import OrdersDomain
import OrdersTestSupport
import Testing

@testable import OrdersStore

@Suite struct EventStoreTests {
    static func request(
        _ stream: String, expected: Int, events: Int = 1, type: String = "customer.renamed", claims: [UniqueKey] = []
    )
        -> AppendRequest
    {
        AppendRequest(
            streamID: stream, expectedVersion: expected,
            events: (0..<events).map { i in EncodedEvent(type: type, schemaVersion: 1, payload: Data(#"{"name":"n\#(i)"}"#.utf8)) },
            metadata: EventMetadata(commandID: nil, correlationID: "corr-1", recordedAt: TestStore.start), claims: claims
        )
    }

    @Test func appendsAndReadsAStreamWithVersionsAndPositions() async throws {
        try await TestStore.with { t throws in
            let first = try await t.store.append(Self.request("s-1", expected: 0, events: 2))
            let second = try await t.store.append(Self.request("s-2", expected: 0))
            let third = try await t.store.append(Self.request("s-1", expected: 2))
            #expect(first == AppendResult(streamVersion: 2, position: 2))
            #expect(second == AppendResult(streamVersion: 1, position: 3))
            #expect(third == AppendResult(streamVersion: 3, position: 4))
            let stream = try await t.store.readStream("s-1")
            #expect(stream.map(\.streamVersion) == [1, 2, 3])
            #expect(stream.map(\.position) == [1, 2, 4])
            #expect(stream[0].correlationID == "corr-1")
            #expect(stream[0].recordedAt == TestStore.start)
            #expect(try await t.store.headPosition() == 4)
            #expect(try await t.store.readAll(after: 1, limit: 2).map(\.position) == [2, 3])
        }
    }

    @Test func aVersionConflictIsTypedAndWritesNothing() async throws {
        try await TestStore.with { t throws in
            _ = try await t.store.append(Self.request("s-1", expected: 0))
            let error = await #expect(throws: EventStoreError.self) {
                try await t.store.append(Self.request("s-1", expected: 0, events: 3))
            }
            #expect(error?.code == .concurrencyConflict)
            #expect(error?.expectedVersion == 0)
            #expect(error?.actualVersion == 1)
            #expect(try await t.store.headPosition() == 1)
        }
    }

    @Test func aTakenUniqueKeyFailsTheWholeRequest() async throws {
        try await TestStore.with { t throws in
            _ = try await t.store.append(Self.request("s-1", expected: 0, claims: [.customerEmail("a@example.com")]))
            let error = await #expect(throws: EventStoreError.self) {
                try await t.store.append(Self.request("s-2", expected: 0, events: 3, claims: [.productSKU("X"), .customerEmail("a@example.com")]))
            }
            #expect(error?.code == .uniqueKeyTaken)
            #expect(try await t.store.headPosition() == 1)
            #expect(try await t.store.readStream("s-2").isEmpty)
            let keys = try t.store.writer.read { db in try String.fetchAll(db, sql: "SELECT key FROM unique_keys ORDER BY key") }
            #expect(keys == ["a@example.com"], "the SKU claimed before the failing claim was rolled back too")
        }
    }

    /// A request that fails halfway through its inserts (here: a trigger refusing its second event)
    /// leaves none of its events behind, and the other appends committed with it keep gap-free positions.
    @Test func aFailedAppendInsideAGroupCommitLeavesNothingBehind() async throws {
        try await TestStore.with { t throws in
            try t.store.writer.write { db in
                try db.execute(
                    sql: """
                        CREATE TEMP TRIGGER poison BEFORE INSERT ON events WHEN NEW.type = 'test.poison'
                        BEGIN SELECT RAISE(ABORT, 'poisoned'); END
                        """
                )
            }
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        var request = Self.request("s-\(index)", expected: 0, events: 2)
                        if index % 10 == 3 { request.events[1].type = "test.poison" }
                        do {
                            _ = try await t.store.append(request)
                            return true
                        } catch let error as EventStoreError {
                            #expect(error.code == .database)
                            return false
                        }
                    }
                }
                var succeeded = 0
                for try await ok in group where ok { succeeded += 1 }
                #expect(succeeded == 180)
            }
            let events = try await t.allEvents()
            #expect(events.map(\.position) == Array(1...360), "positions are exactly 1...360: no gap, no duplicate")
            #expect(!events.contains { ["s-3", "s-13", "s-193"].contains($0.streamID) }, "no half-appended request")
        }
    }

    @Test func readsAreBoundedAndOrdered() async throws {
        try await TestStore.with { t throws in
            for index in 0..<25 { _ = try await t.store.append(Self.request("s-\(index % 3)", expected: index / 3)) }
            let page = try await t.store.readAll(after: 10, limit: 7)
            #expect(page.map(\.position) == Array(11...17))
            #expect(try await t.store.readAll(after: 25, limit: 7).isEmpty)
            #expect(try await t.allEvents(batch: 4).map(\.position) == Array(1...25))
        }
    }

    @Test(arguments: [StoreConfiguration.Durability.full, .normal])
    func durabilityIsConfigurable(durability: StoreConfiguration.Durability) async throws {
        try await TestStore.with(durability: durability) { t throws in
            let (synchronous, journal) = try t.store.writer.write { db in
                (try Int.fetchOne(db, sql: "PRAGMA synchronous")!, try String.fetchOne(db, sql: "PRAGMA journal_mode")!)
            }
            #expect(synchronous == (durability == .full ? 2 : 1))
            #expect(journal == "wal")
        }
    }

    @Test func reopeningKeepsEventsAndDoesNotRemigrate() async throws {
        try await TestStore.with { t throws in
            _ = try await t.store.append(Self.request("s-1", expected: 0, events: 3))
            let path = t.database.configuration.path
            let reopened = EventStore(database: try StoreDatabase.open(StoreConfiguration(path: path)))
            #expect(try await reopened.headPosition() == 3)
            let migrations = try reopened.writer.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
            #expect(
                migrations == [
                    "2026-11-22 events", "2026-11-23 order references", "2026-12-07 api keys", "2026-12-07 write probe", "2026-12-07 store identity",
                    "2026-12-08 backups",
                ])
            // The store's id is chosen once, when it is created, and kept.
            let identity = try await t.store.identity()
            #expect(try await reopened.identity() == identity && identity.count == 36)
        }
    }

    @Test func theOrdersACustomerOrAProductReachesAreFoundThroughTheirIndexes() async throws {
        try await TestStore.with { t throws in
            let ada = try await t.registerCustomer("c-ada")
            let bo = try await t.registerCustomer("c-bo")
            let tea = try await t.addProduct("p-tea")
            let cup = try await t.addProduct("p-cup")
            let first = try await t.createOrder("o-1", customer: ada)
            _ = try await t.createOrder("o-2", customer: ada)
            let third = try await t.createOrder("o-3", customer: bo)
            _ = try await t.bus.send(AddItem(orderID: first, productID: tea, quantity: 1))
            _ = try await t.bus.send(AddItem(orderID: third, productID: cup, quantity: 1))
            let before = try await t.store.headPosition()
            _ = try await t.bus.send(AddItem(orderID: third, productID: tea, quantity: 2))
            _ = try await t.createOrder("o-4", customer: ada)
            let head = try await t.store.headPosition()

            /// Every order the customers and products reach, a page of `limit` rows at a time.
            func reached(_ customers: Set<String>, _ products: Set<String>, through: Int64, limit: Int = 1) async throws -> Set<String> {
                var streams: Set<String> = []
                for reference in customers.map(OrderReference.customer) + products.map(OrderReference.product) {
                    var after: Int64 = 0
                    while true {
                        let page = try await t.store.orderStreams(reachedBy: reference, after: after, through: through, limit: limit)
                        guard let last = page.last else { break }
                        #expect(page.count <= limit && page.map(\.position) == page.map(\.position).sorted())
                        streams.formUnion(page.map(\.streamID))
                        after = last.position
                    }
                }
                return streams
            }
            #expect(try await reached(["c-ada"], [], through: head) == ["order-o-1", "order-o-2", "order-o-4"])
            #expect(try await reached(["c-ada"], [], through: head, limit: 2) == ["order-o-1", "order-o-2", "order-o-4"])
            #expect(try await reached([], ["p-tea"], through: head) == ["order-o-1", "order-o-3"])
            #expect(try await reached(["c-bo"], ["p-cup"], through: head) == ["order-o-3"])
            #expect(try await reached(["c-ada"], ["p-tea"], through: before) == ["order-o-1", "order-o-2"], "as of a position")
            #expect(try await reached(["c-nobody"], [], through: head).isEmpty)
            let page = try await t.store.orderStreams(reachedBy: .product("p-tea"), after: 0, through: head, limit: 10)
            #expect(page.map(\.streamID) == ["order-o-1", "order-o-3"] && page[1].position > before, "with the position of the addition")

            // Answered from the two partial indexes, a range of one key, never by a scan of the log.
            for reference in [OrderReference.customer("c-ada"), .product("p-tea")] {
                let plan = try t.store.writer.read { db in
                    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + reference.sql, arguments: [reference.id, 0, head, 10])
                        .map { $0["detail"] as String }
                }
                let index = if case .customer = reference { "events_by_order_customer" } else { "events_by_order_product" }
                #expect(plan.contains { $0.contains("USING INDEX \(index)") }, "\(plan)")
                #expect(!plan.contains { $0.hasPrefix("SCAN events") || $0.contains("TEMP B-TREE") }, "\(plan)")
            }
        }
    }

    @Test func streamsAreReadByIdAsOfAPosition() async throws {
        try await TestStore.with { t throws in
            _ = try await t.store.append(Self.request("s-1", expected: 0, events: 2))
            _ = try await t.store.append(Self.request("s-2", expected: 0, events: 1))
            _ = try await t.store.append(Self.request("s-1", expected: 2, events: 1))
            let streams = try await t.store.readStreams(["s-1", "s-2", "s-none"], through: 3)
            #expect(streams.map(\.streamID).sorted() == ["s-1", "s-2"], "a stream with no event that old is left out")
            let first = try #require(streams.first { $0.streamID == "s-1" })
            #expect(first.events.map(\.position) == [1, 2], "position 4 is after the snapshot")
            #expect(first.events.map(\.streamVersion) == [1, 2])
            #expect(try await t.store.readStreams([], through: 3).isEmpty)
        }
    }
}
