import Foundation
import GRDB
import Logging
import MetricsTestKit
import OrdersDomain
import OrdersStore
import OrdersTestSupport
import Testing

@Suite struct CommandBusTests {
    @Test func aCommandReturnsAggregateVersionAndPosition() async throws {
        try await TestStore.with { t throws in
            let customer = try await t.registerCustomer("c-1")
            let product = try await t.addProduct("p-1", priceMinor: 450)
            let order = try await t.createOrder("o-1", customer: customer)
            let result = try await t.bus.send(AddItem(orderID: order, productID: product, quantity: 2))
            #expect(result == CommandResult(aggregateID: "o-1", streamVersion: 2, position: 4))
            let stream = try await t.store.readStream(order.streamID)
            #expect(stream.map(\.type) == ["order.created", "order.item_added"])
            #expect(stream.map(\.recordedAt) == [TestStore.start, TestStore.start])
        }
    }

    /// 8 tasks × 1,000 commands: the log holds positions exactly 1...8000, each once.
    @Test func concurrentCommandsGetGapFreeUniquePositions() async throws {
        try await TestStore.with { t throws in
            let positions = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for task in 0..<8 {
                    group.addTask {
                        var positions: [Int64] = []
                        for index in 0..<1000 {
                            let id = try CustomerID("c-\(task)-\(index)")
                            positions.append(
                                try await t.bus.send(RegisterCustomer(customerID: id, name: "Kunde \(index)", email: "\(id)@example.com")).position)
                        }
                        return positions
                    }
                }
                var all: [Int64] = []
                for try await some in group { all += some }
                return all
            }
            #expect(positions.sorted() == Array(1...8000), "every command got a distinct position")
            let events = try await t.allEvents(batch: 777)
            #expect(events.map(\.position) == Array(1...8000))
            #expect(Set(events.map(\.streamID)).count == 8000)
        }
    }

    @Test func anExpectedVersionMismatchIsAConflictAndIsNotRetried() async throws {
        try await TestStore.with { t throws in
            let customer = try await t.registerCustomer("c-1")
            let error = await #expect(throws: EventStoreError.self) {
                try await t.bus.send(RenameCustomer(customerID: customer, name: "Other"), metadata: CommandMetadata(expectedVersion: 3))
            }
            #expect(error?.code == .concurrencyConflict)
            #expect(error?.actualVersion == 1)
            #expect(try await t.store.headPosition() == 1)
            let ok = try await t.bus.send(RenameCustomer(customerID: customer, name: "Other"), metadata: CommandMetadata(expectedVersion: 1))
            #expect(ok.streamVersion == 2)
        }
    }

    /// Concurrent commands on one order conflict at append; each is decided again on the new
    /// state and all of them land.
    @Test func concurrentCommandsOnOneStreamAreRedecided() async throws {
        try await TestStore.with(maximumAttempts: 5) { t throws in
            let customer = try await t.registerCustomer("c-1")
            let order = try await t.createOrder("o-1", customer: customer)
            var products: [ProductID] = []
            for index in 0..<5 { products.append(try await t.addProduct("p-\(index)", priceMinor: Int64(100 * (index + 1)))) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for product in products {
                    group.addTask { _ = try await t.bus.send(AddItem(orderID: order, productID: product, quantity: 1)) }
                }
                try await group.waitForAll()
            }
            let stream = try await t.store.readStream(order.streamID)
            #expect(stream.count == 6)
            #expect(stream.map(\.streamVersion) == Array(1...6))
        }
    }

    @Test func emailsAreUniqueUnderConcurrency() async throws {
        try await TestStore.with { t throws in
            let outcomes = await withTaskGroup(of: DomainError?.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        do {
                            _ = try await t.bus.send(
                                RegisterCustomer(
                                    customerID: try CustomerID("c-\(index)"), name: "Same",
                                    email: index.isMultiple(of: 2) ? "Dup@Example.com" : "dup@example.com")
                            )
                            return nil
                        } catch let error as DomainError {
                            return error
                        } catch {
                            Issue.record("unexpected \(error)")
                            return nil
                        }
                    }
                }
                var outcomes: [DomainError?] = []
                for await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            #expect(outcomes.filter { $0 == nil }.count == 1, "exactly one registration wins")
            for case let error? in outcomes {
                #expect(error.code == .alreadyExists)
                #expect(error.field == "email")
            }
            #expect(try await t.allEvents().count == 1)
        }
    }

    @Test func skusAreUniqueUnderConcurrency() async throws {
        try await TestStore.with { t throws in
            let wins = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<16 {
                    group.addTask { (try? await t.addProduct("p-\(index)", sku: index.isMultiple(of: 2) ? "mug-1" : "MUG-1")) != nil }
                }
                var wins = 0
                for await won in group where won { wins += 1 }
                return wins
            }
            #expect(wins == 1)
            let keys = try t.store.writer.read { db in try String.fetchAll(db, sql: "SELECT key FROM unique_keys") }
            #expect(keys == ["MUG-1"])
        }
    }

    @Test func changingEmailReleasesTheOldOne() async throws {
        try await TestStore.with { t throws in
            let first = try await t.registerCustomer("c-1", email: "old@example.com")
            _ = try await t.bus.send(ChangeCustomerEmail(customerID: first, email: "new@example.com"))
            let second = try await t.registerCustomer("c-2", email: "old@example.com")
            let taken = await #expect(throws: DomainError.self) {
                try await t.bus.send(ChangeCustomerEmail(customerID: second, email: "NEW@example.com"))
            }
            #expect(taken?.field == "email")
            // Changing to one's own current email is a no-op, not a conflict with oneself.
            let same = try await t.bus.send(ChangeCustomerEmail(customerID: first, email: "new@example.com"))
            #expect(same.streamVersion == 2)
        }
    }

    @Test func aRepeatedCommandIDAppendsOnce() async throws {
        try await TestStore.with { t throws in
            let customer = try await t.registerCustomer("c-1")
            let product = try await t.addProduct("p-1")
            let order = try await t.createOrder("o-1", customer: customer)
            _ = try await t.bus.send(AddItem(orderID: order, productID: product, quantity: 1))
            let metadata = CommandMetadata(commandID: "cmd-42")
            let first = try await t.bus.send(SubmitOrder(orderID: order), metadata: metadata)
            let again = try await t.bus.send(SubmitOrder(orderID: order), metadata: metadata)
            #expect(!first.replayed)
            #expect(again.replayed)
            #expect(again.position == first.position)
            #expect(try await t.store.readStream(order.streamID).count == 3)
            let misuse = await #expect(throws: EventStoreError.self) {
                try await t.bus.send(RenameCustomer(customerID: customer, name: "x"), metadata: metadata)
            }
            #expect(misuse?.code == .concurrencyConflict)
        }
    }

    @Test func invalidInputIsRefusedBeforeTouchingTheStore() async throws {
        try await TestStore.with { t throws in
            let error = await #expect(throws: DomainError.self) {
                try await t.bus.send(RegisterCustomer(customerID: try CustomerID("c-1"), name: "  ", email: "x@example.com"))
            }
            #expect(error?.field == "name")
            let missing = await #expect(throws: DomainError.self) {
                try await t.bus.send(SubmitOrder(orderID: try OrderID("nope")))
            }
            #expect(missing?.code == .notFound)
            #expect(try await t.store.headPosition() == 0)
        }
    }

    @Test func theWholeOrderLifecycleRunsThroughTheBus() async throws {
        try await TestStore.with { t throws in
            let customer = try await t.registerCustomer("c-1")
            let tea = try await t.addProduct("p-1", priceMinor: 350)
            let cup = try await t.addProduct("p-2", priceMinor: 1200)
            let order = try await t.createOrder("o-1", customer: customer)
            _ = try await t.bus.send(AddItem(orderID: order, productID: tea, quantity: 2))
            _ = try await t.bus.send(AddItem(orderID: order, productID: cup, quantity: 1))
            _ = try await t.bus.send(ChangeQuantity(orderID: order, productID: tea, quantity: 4))
            // A price change after adding does not change the order.
            _ = try await t.bus.send(RepriceProduct(productID: tea, price: Money(amountMinor: 9999, currency: try Currency("EUR"))))
            _ = try await t.bus.send(RemoveItem(orderID: order, productID: cup))
            _ = try await t.bus.send(SubmitOrder(orderID: order))
            _ = try await t.bus.send(PayOrder(orderID: order, amount: Money(amountMinor: 1400, currency: try Currency("EUR"))))
            _ = try await t.bus.send(ShipOrder(orderID: order, carrier: "DHL", trackingNumber: "JJD0001"))
            let last = try await t.bus.send(DeliverOrder(orderID: order))
            let loaded = try await AggregateRepository(store: t.store).load(Order.self, streamID: order.streamID)
            #expect(loaded.state?.status == .delivered)
            #expect(loaded.state?.total.amountMinor == 1400)
            #expect(loaded.version == 9)
            #expect(loaded.lastPosition == last.position)
        }
    }

    @Test func oldSchemaVersionsOnDiskAreUpcastWhenLoaded() async throws {
        try await TestStore.with { t throws in
            try t.store.writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO events (position, stream_id, stream_version, type, schema_version, payload, recorded_at)
                        VALUES (1, 'order-legacy', 1, 'order.created', 1, ?, 0)
                        """,
                    arguments: [
                        #"{"order_id":"legacy","customer_id":"c1","shipping_city":"Lyon","shipping_country":"FR","notes":"","currency":"EUR"}"#
                    ]
                )
            }
            let loaded = try await AggregateRepository(store: t.store).load(Order.self, streamID: "order-legacy")
            #expect(loaded.state?.shipping == (try ShippingAddress(city: "Lyon", country: "FR")))
        }
    }

    @Test func anUnreadableEventIsAnErrorNamingItsPosition() async throws {
        try await TestStore.with { t throws in
            let customer = try await t.registerCustomer("c-1")
            try t.store.writer.write { db in
                try db.execute(
                    sql:
                        "INSERT INTO events (position, stream_id, stream_version, type, schema_version, payload, recorded_at) VALUES (2, ?, 2, 'customer.renamed', 9, '{}', 0)",
                    arguments: [customer.streamID]
                )
            }
            let error = await #expect(throws: EventStoreError.self) {
                try await t.bus.send(RenameCustomer(customerID: customer, name: "New"))
            }
            #expect(error?.code == .undecodableEvent)
            #expect(error?.message.contains("position 2") == true)
            #expect(error?.message.contains("future_version") == true)
        }
    }

    @Test func metricsCountOutcomesPerCommand() async throws {
        try await TestStore.with { t throws in
            let metrics = TestMetrics()
            let bus = CommandBus.standard(store: t.store, clock: t.clock, logger: Logger(label: "test"), metrics: metrics)
            _ = try await bus.send(RegisterCustomer(customerID: try CustomerID("c-1"), name: "A", email: "a@example.com"))
            _ = try? await bus.send(RegisterCustomer(customerID: try CustomerID("c-2"), name: "B", email: "a@example.com"))
            _ = try? await bus.send(RegisterCustomer(customerID: try CustomerID("c-3"), name: "", email: "c@example.com"))
            #expect(metrics.counterTotal(label: "orders_commands_total", dimensions: [("command", "customer.register"), ("outcome", "ok")]) == 1)
            #expect(
                metrics.counterTotal(label: "orders_commands_total", dimensions: [("command", "customer.register"), ("outcome", "refused")]) == 2)
            #expect(try metrics.expectTimer("orders_command_duration_seconds", [("command", "customer.register")]).values.count == 3)
        }
    }

    @Test func anIdempotentReplayIsCountedAsAReplayNotASecondSuccess() async throws {
        try await TestStore.with { t throws in
            let metrics = TestMetrics()
            let bus = CommandBus.standard(store: t.store, clock: t.clock, logger: Logger(label: "test"), metrics: metrics)
            let register = RegisterCustomer(customerID: try CustomerID("c-1"), name: "A", email: "a@example.com")
            let first = try await bus.send(register, metadata: CommandMetadata(commandID: "key-1"))
            let again = try await bus.send(register, metadata: CommandMetadata(commandID: "key-1"))
            #expect(!first.replayed && again.replayed)
            let count = { (outcome: String) in
                metrics.counterTotal(label: "orders_commands_total", dimensions: [("command", "customer.register"), ("outcome", outcome)])
            }
            #expect(count("ok") == 1)
            #expect(count("replayed") == 1)
        }
    }
}
