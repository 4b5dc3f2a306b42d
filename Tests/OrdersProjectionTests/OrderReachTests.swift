import OrdersDomain
import OrdersProjection
import OrdersStore
import OrdersTestSupport
import Testing

/// `OrderReach` reads the orders a batch reaches a part at a time: every order the batch's own
/// events, its changed customers and its renamed products reach, each exactly once, in parts
/// no larger than asked, and no parked order.
@Suite struct OrderReachTests {
    @Test(arguments: [1, 2, 3, 1000])
    func eachReachedOrderComesOnceInPartsOfTheSize(partSize: Int) async throws {
        try await TestStore.with { t in
            let ada = try await t.registerCustomer("c-ada")
            let bo = try await t.registerCustomer("c-bo")
            let tea = try await t.addProduct("p-tea")
            let cup = try await t.addProduct("p-cup")
            // o-1: ada's, holds tea and cup; o-2: ada's; o-3: bo's, tea added twice (removed between);
            // o-4: bo's, cup; o-5: bo's, nothing the batch changes; o-6: ada's, parked.
            let o1 = try await t.createOrder("o-1", customer: ada)
            _ = try await t.bus.send(AddItem(orderID: o1, productID: tea, quantity: 1))
            _ = try await t.bus.send(AddItem(orderID: o1, productID: cup, quantity: 1))
            _ = try await t.createOrder("o-2", customer: ada)
            let o3 = try await t.createOrder("o-3", customer: bo)
            _ = try await t.bus.send(AddItem(orderID: o3, productID: tea, quantity: 1))
            _ = try await t.bus.send(RemoveItem(orderID: o3, productID: tea))
            _ = try await t.bus.send(AddItem(orderID: o3, productID: tea, quantity: 2))
            let o4 = try await t.createOrder("o-4", customer: bo)
            _ = try await t.bus.send(AddItem(orderID: o4, productID: cup, quantity: 1))
            _ = try await t.createOrder("o-5", customer: bo)
            _ = try await t.createOrder("o-6", customer: ada)
            let before = try await t.store.headPosition()
            // The batch: ada renamed, tea and cup renamed, and a new order of bo.
            _ = try await t.bus.send(RenameCustomer(customerID: ada, name: "Ada L."))
            _ = try await t.bus.send(RenameProduct(productID: tea, name: "Grüner Tee"))
            _ = try await t.bus.send(RenameProduct(productID: cup, name: "Tasse"))
            _ = try await t.createOrder("o-7", customer: bo)
            let head = try await t.store.headPosition()

            var facts = try await t.store.facts(through: before)
            let plan = facts.take(try await t.store.readAll(after: before, limit: 100), parked: ["o-6"])
            #expect(plan.customers == ["c-ada"] && plan.products == ["p-tea", "p-cup"] && plan.through == head)

            var reach = OrderReach(plan, partSize: partSize)
            var seen: [String] = []
            while let part = try await reach.next(from: t.store) {
                #expect(part.count <= partSize)
                seen += part.map(\.streamID)
            }
            #expect(seen.sorted() == ["order-o-1", "order-o-2", "order-o-3", "order-o-4", "order-o-7"], "\(seen)")
        }
    }
}
