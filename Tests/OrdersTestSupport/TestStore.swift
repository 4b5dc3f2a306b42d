package import Foundation
import GRDB
import Logging
package import OrdersDomain
package import OrdersStore

/// A write store on a fresh temporary file, with the standard command bus, for tests.
package struct TestStore: Sendable {
    package let directory: URL
    package let database: StoreDatabase
    package let store: EventStore
    package let bus: CommandBus
    package let clock: ManualWallClock

    /// The clock starts at 2026-01-15T10:00:00Z.
    package static let start = Date(timeIntervalSince1970: 1_768_471_200)

    /// Runs `body` with a new store and deletes its files afterwards.
    package static func with<T>(
        durability: StoreConfiguration.Durability = .normal, maximumAttempts: Int = 5,
        _ body: (TestStore) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orders-tests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try StoreDatabase.open(
            StoreConfiguration(path: directory.appendingPathComponent("orders.sqlite").path, durability: durability)
        )
        let clock = ManualWallClock(start)
        let store = EventStore(database: database)
        let bus = CommandBus.standard(store: store, clock: clock, logger: Logger(label: "test"), maximumAttempts: maximumAttempts)
        return try await body(TestStore(directory: directory, database: database, store: store, bus: bus, clock: clock))
    }

    // MARK: Building blocks

    @discardableResult
    package func registerCustomer(
        _ id: String = UUID().uuidString, name: String = "Zoë Müller", email: String? = nil
    ) async throws
        -> CustomerID
    {
        let customerID = try CustomerID(id)
        _ = try await bus.send(RegisterCustomer(customerID: customerID, name: name, email: email ?? "\(id)@example.com"))
        return customerID
    }

    @discardableResult
    package func addProduct(
        _ id: String = UUID().uuidString, sku: String? = nil, name: String = "Café Crème", priceMinor: Int64 = 1250,
        currency: String = "EUR"
    ) async throws -> ProductID {
        let productID = try ProductID(id)
        _ = try await bus.send(
            AddProduct(
                productID: productID, sku: sku ?? "SKU-\(id.prefix(12))", name: name,
                price: Money(amountMinor: priceMinor, currency: try Currency(currency))
            )
        )
        return productID
    }

    @discardableResult
    package func createOrder(_ id: String = UUID().uuidString, customer: CustomerID, currency: String = "EUR") async throws -> OrderID {
        let orderID = try OrderID(id)
        _ = try await bus.send(
            CreateOrder(
                orderID: orderID, customerID: customer, shipping: try ShippingAddress(city: "München", country: "DE"),
                notes: "leave at the door", currency: try Currency(currency)
            )
        )
        return orderID
    }

    /// Every event in the log, read in bounded batches.
    package func allEvents(batch: Int = 1000) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        var after: Int64 = 0
        while true {
            let page = try await store.readAll(after: after, limit: batch)
            guard let last = page.last else { return events }
            events += page
            after = last.position
        }
    }
}
