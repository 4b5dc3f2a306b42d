import Foundation
import Logging
import OrdersDomain
import OrdersStore
import OrdersTestSupport
import Testing

/// Two buses over one store have separate aggregate caches, like two processes writing to the
/// same file: a cache that is behind must never lead to a wrong decision.
@Suite struct AggregateCacheTests {
    @Test func aStaleCachedProductPriceIsNeverCopiedIntoAnOrder() async throws {
        try await TestStore.with { t throws in
            let other = CommandBus.standard(store: t.store, clock: t.clock, logger: Logger(label: "other"))
            let customer = try await t.registerCustomer("c-1")
            let product = try await t.addProduct("p-1", priceMinor: 500)
            let order = try await t.createOrder("o-1", customer: customer)
            let second = try await t.createOrder("o-2", customer: customer)
            // `t.bus` has the product cached at 5.00 after this.
            _ = try await t.bus.send(AddItem(orderID: second, productID: product, quantity: 1))
            // Another writer reprices it.
            _ = try await other.send(RepriceProduct(productID: product, price: Money(amountMinor: 700, currency: try Currency("EUR"))))
            // When: the first bus adds the product to an order
            _ = try await t.bus.send(AddItem(orderID: order, productID: product, quantity: 1))
            // Then: the item has the price at that moment, 7.00
            let loaded = try await AggregateRepository(store: t.store, cacheCapacity: 0).load(Order.self, streamID: order.streamID)
            #expect(loaded.state?.lines.first?.unitPrice.amountMinor == 700)
        }
    }

    @Test func aStaleCachedOrderIsReloadedAndDecidedAgain() async throws {
        try await TestStore.with { t throws in
            let other = CommandBus.standard(store: t.store, clock: t.clock, logger: Logger(label: "other"))
            let customer = try await t.registerCustomer("c-1")
            let product = try await t.addProduct("p-1", priceMinor: 500)
            let order = try await t.createOrder("o-1", customer: customer)
            _ = try await t.bus.send(AddItem(orderID: order, productID: product, quantity: 1))
            _ = try await other.send(ChangeQuantity(orderID: order, productID: product, quantity: 3))
            // `t.bus` still has quantity 1 cached; paying 5.00 would be accepted on that stale state.
            let refused = await #expect(throws: DomainError.self) {
                _ = try await t.bus.send(SubmitOrder(orderID: order))
                _ = try await t.bus.send(PayOrder(orderID: order, amount: Money(amountMinor: 500, currency: try Currency("EUR"))))
            }
            #expect(refused?.code == .amountMismatch)
            let paid = try await t.bus.send(PayOrder(orderID: order, amount: Money(amountMinor: 1500, currency: try Currency("EUR"))))
            #expect(paid.streamVersion == 5)
        }
    }

    @Test func anExpectedVersionIsCheckedAgainstTheStoreNotAStaleCache() async throws {
        try await TestStore.with { t throws in
            let other = CommandBus.standard(store: t.store, clock: t.clock, logger: Logger(label: "other"))
            let customer = try await t.registerCustomer("c-1")
            _ = try await other.send(RenameCustomer(customerID: customer, name: "Renamed elsewhere"))
            // The client read version 2 (through the other process) and pins it.
            let result = try await t.bus.send(RenameCustomer(customerID: customer, name: "Mine"), metadata: CommandMetadata(expectedVersion: 2))
            #expect(result.streamVersion == 3)
        }
    }

    @Test func anAppendChecksTheVersionsItsDecisionRead() async throws {
        try await TestStore.with { t throws in
            _ = try await t.store.append(EventStoreTests.request("product-x", expected: 0))
            _ = try await t.store.append(EventStoreTests.request("product-x", expected: 1))
            var request = EventStoreTests.request("order-y", expected: 0)
            request.readVersions = ["product-x": 1]
            let error = await #expect(throws: EventStoreError.self) { try await t.store.append(request) }
            #expect(error?.code == .concurrencyConflict)
            #expect(error?.streamID == "product-x")
            #expect(try await t.store.readStream("order-y").isEmpty)
            request.readVersions = ["product-x": 2]
            #expect(try await t.store.append(request).streamVersion == 1)
        }
    }
}
