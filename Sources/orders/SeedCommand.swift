import ArgumentParser
import Foundation
import Logging
import OrdersDomain
import OrdersSearch
import OrdersStore

struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Create realistic customers, products and orders through the command bus."
    )

    // `.unconditional`: `--orders -5` is a value to refuse by name, not a missing one.
    @Option(parsing: .unconditional, help: "Customers to register.") var customers: Int = 100
    @Option(parsing: .unconditional, help: "Products to add.") var products: Int = 50
    @Option(parsing: .unconditional, help: "Orders to create (every status appears once there are at least 6).") var orders: Int = 1000
    @Option(help: "Random seed: the same seed on the same log gives the same data.") var seed: UInt64 = 1
    @Option(help: "Start of the seeded history: a date (2026-01-31) or date-time (2026-01-31T08:00:00Z). Default: 180 days ago.")
    var since: SinceDate?
    @OptionGroup var store: StoreOptions

    func validate() throws {
        for (name, value) in [("customers", customers), ("products", products), ("orders", orders)] {
            guard value >= 0 else { throw ValidationError("--\(name) must be positive (or 0), got \(value)") }
            guard value <= 10_000_000 else { throw ValidationError("--\(name) must be at most 10000000, got \(value)") }
        }
        if orders > 0 && (customers == 0 || products == 0) {
            throw ValidationError("--orders needs at least one customer and one product")
        }
        if let since, since.date >= Date() { throw ValidationError("--since must be in the past") }
    }

    func run() async throws {
        let logger = store.makeLogger()
        let eventStore = try store.open()
        let now = Date()
        let options = SeedOptions(
            customers: customers, products: products, orders: orders, seed: seed,
            since: since?.date ?? now.addingTimeInterval(-180 * 86400), until: now
        )
        let started = ContinuousClock.now
        let summary = try await Seeder(store: eventStore, logger: logger).run(options) { done, total in
            logger.info("seeding", metadata: ["seed.commands.done": "\(done)", "seed.commands.total": "\(total)"])
        }
        let seconds =
            Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        let statuses = OrderStatus.allCases.map { "\($0.rawValue) \(summary.ordersByStatus[$0, default: 0])" }.joined(separator: ", ")
        print(
            """
            seeded \(summary.customers) customers, \(summary.products) products, \(summary.orders) orders (\(statuses))
            \(summary.commands) commands in \(String(format: "%.1f", seconds)) s (\(Int(Double(summary.commands) / max(seconds, 0.001))) commands/s); head position \(summary.headPosition); store \(store.db)
            """
        )
    }
}

/// `--since`: a plain date (midnight UTC) or an RFC 3339 date-time; a day or time that does not
/// exist is refused.
struct SinceDate: ExpressibleByArgument {
    var date: Date

    init?(argument: String) {
        guard let date = DateInput.instant(argument) ?? DateInput.Day(argument)?.start(in: TimeZone(identifier: "UTC")!) else { return nil }
        self.date = date
    }
}
