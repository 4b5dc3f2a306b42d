package import Foundation
package import Logging
package import OrdersDomain

/// What to seed.
package struct SeedOptions: Sendable {
    package var customers: Int
    package var products: Int
    package var orders: Int
    /// Same seed and same starting log → same data.
    package var seed: UInt64
    /// History is spread from `since` to `until`.
    package var since: Date
    package var until: Date

    package init(customers: Int, products: Int, orders: Int, seed: UInt64 = 1, since: Date, until: Date) {
        self.customers = customers
        self.products = products
        self.orders = orders
        self.seed = seed
        self.since = since
        self.until = until
    }
}

/// What was seeded.
package struct SeedSummary: Sendable, Hashable {
    package var customers = 0
    package var products = 0
    package var orders = 0
    package var ordersByStatus: [OrderStatus: Int] = [:]
    package var commands = 0
    package var headPosition: Int64 = 0
}

/// Creates realistic data through the command bus, exactly as clients would: customers with
/// names in several scripts, products priced in several currencies, and orders in every status,
/// with event times spread over `since ..< until`.
///
/// Every order's lifecycle is planned as timestamped actions; all actions are sorted by time and
/// replayed through the bus with a manual clock set to each action's time, so `recorded_at` never
/// decreases along the log, as in a real shop.
package struct Seeder: Sendable {
    private let store: EventStore
    private let logger: Logger

    package init(store: EventStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    package func run(_ options: SeedOptions, progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) async throws -> SeedSummary {
        guard options.customers >= 1 || options.orders == 0, options.products >= 1 || options.orders == 0 else {
            throw DomainError(.invalidArgument, "orders need at least one customer and one product", field: "orders")
        }
        guard options.since < options.until else {
            throw DomainError(.invalidArgument, "since must be before now", field: "since")
        }
        // Mix the current head into the seed so seeding an existing log adds new aggregates
        // instead of colliding with the ones a previous run created.
        let head = try await store.headPosition()
        var random = SeededGenerator(seed: options.seed &+ UInt64(head) &* 0x9E37_79B9)
        let plan = Plan.make(options, random: &random)

        let clock = ManualWallClock(options.since)
        let bus = CommandBus.standard(store: store, clock: clock, logger: logger)
        let total = plan.actions.count
        for (index, action) in plan.actions.enumerated() {
            clock.set(action.time)
            _ = try await bus.send(action.command)
            if index % 1000 == 999 { progress?(index + 1, total) }
        }
        progress?(total, total)

        var summary = SeedSummary()
        summary.customers = options.customers
        summary.products = options.products
        summary.orders = options.orders
        summary.ordersByStatus = plan.statuses
        summary.commands = total
        summary.headPosition = try await store.headPosition()
        return summary
    }
}

/// The seeded history: every action with its time, sorted.
struct Plan {
    struct Action {
        var time: Date
        var command: any Command
    }

    var actions: [Action] = []
    var statuses: [OrderStatus: Int] = [:]

    /// Share of orders per final status; every status appears once before the mix applies.
    static let statusMix: [(OrderStatus, Double)] = [
        (.draft, 0.08), (.submitted, 0.10), (.paid, 0.14), (.shipped, 0.16), (.delivered, 0.42), (.cancelled, 0.10),
    ]

    static func make(_ options: SeedOptions, random: inout SeededGenerator) -> Plan {
        var plan = Plan()
        let span = options.until.timeIntervalSince(options.since)
        func time(_ from: Double, _ to: Double) -> Date {
            options.since.addingTimeInterval(span * Double.random(in: from..<to, using: &random))
        }

        // Customers register in the first fifth of the period, products are added in the first tenth.
        struct SeededCustomer {
            var id: CustomerID
            var region: SeedCatalog.Region
            var registered: Date
        }
        var customers: [SeededCustomer] = []
        for _ in 0..<options.customers {
            let region = SeedCatalog.regions.randomElement(using: &random)!
            let first = region.firstNames.randomElement(using: &random)!
            let last = region.lastNames.randomElement(using: &random)!
            let id = try! CustomerID(random.uuid())
            let name = region.familyFirst ? "\(last.0) \(first.0)" : "\(first.0) \(last.0)"
            let email = "\(first.1).\(last.1).\(id.rawValue.prefix(8))@\(region.emailDomain)"
            let registered = time(0, 0.2)
            customers.append(SeededCustomer(id: id, region: region, registered: registered))
            plan.actions.append(Action(time: registered, command: RegisterCustomer(customerID: id, name: name, email: email)))
            if random.chance(0.05) {
                let newLast = region.lastNames.randomElement(using: &random)!.0
                let renamed = region.familyFirst ? "\(newLast) \(first.0)" : "\(first.0) \(newLast)"
                plan.actions.append(Action(time: later(registered, options.until, &random), command: RenameCustomer(customerID: id, name: renamed)))
            }
            if random.chance(0.03) {
                plan.actions.append(
                    Action(
                        time: later(registered, options.until, &random),
                        command: ChangeCustomerEmail(customerID: id, email: "\(first.1).\(id.rawValue.prefix(13))@mail.\(region.emailDomain)")
                    )
                )
            }
        }

        var productsByCurrency: [String: [(ProductID, Money, Date)]] = [:]
        let currencies = Array(Set(SeedCatalog.regions.map(\.currency))).sorted()
        for index in 0..<options.products {
            // The first products cover every currency so that every region can order.
            let code = index < currencies.count ? currencies[index] : SeedCatalog.regions.randomElement(using: &random)!.currency
            let currency = try! Currency(code)
            let id = try! ProductID(random.uuid())
            let name = "\(SeedCatalog.productAdjectives.randomElement(using: &random)!) \(SeedCatalog.productNouns.randomElement(using: &random)!)"
            let price = Money(
                amountMinor: SeedCatalog.priceMinor(
                    major: Int.random(in: SeedCatalog.priceRange, using: &random), currency: code, minorUnits: currency.minorUnits
                ),
                currency: currency
            )
            let added = time(0, 0.1)
            productsByCurrency[code, default: []].append((id, price, added))
            plan.actions.append(Action(time: added, command: AddProduct(productID: id, sku: "SKU-\(random.code(10))", name: name, price: price)))
            if random.chance(0.05) {
                plan.actions.append(
                    Action(time: later(added, options.until, &random), command: RenameProduct(productID: id, name: "\(name) (2nd edition)")))
            }
        }

        for index in 0..<options.orders {
            let status = index < statusMix.count ? statusMix[index].0 : pickStatus(&random)
            let customer = customers.randomElement(using: &random)!
            // An order is in its customer's currency when products exist in it, else in any currency with products.
            let code =
                productsByCurrency[customer.region.currency] != nil
                ? customer.region.currency : productsByCurrency.keys.sorted().randomElement(using: &random)!
            let catalog = productsByCurrency[code]!
            let orderID = try! OrderID(random.uuid())
            var now = time(0.2, 0.995)
            func step(_ command: any Command, typical seconds: Double) {
                now = now.addingTimeInterval(min(seconds, options.until.timeIntervalSince(now)) * Double.random(in: 0.01..<0.3, using: &random))
                plan.actions.append(Action(time: now, command: command))
            }
            let city = customer.region.cities.randomElement(using: &random)!
            plan.actions.append(
                Action(
                    time: now,
                    command: CreateOrder(
                        orderID: orderID, customerID: customer.id, shipping: try! ShippingAddress(city: city, country: customer.region.country),
                        notes: random.chance(0.2) ? SeedCatalog.notes.randomElement(using: &random) : nil, currency: try! Currency(code)
                    )
                )
            )
            var lines: [(ProductID, Money, Int)] = []
            for (productID, price, _) in catalog.shuffled(using: &random).prefix(Int.random(in: 1...4, using: &random)) {
                let quantity = random.chance(0.7) ? 1 : Int.random(in: 2...5, using: &random)
                lines.append((productID, price, quantity))
                step(AddItem(orderID: orderID, productID: productID, quantity: quantity), typical: 120)
            }
            if lines.count > 1, random.chance(0.1) {
                let removed = lines.removeLast()
                step(RemoveItem(orderID: orderID, productID: removed.0), typical: 300)
            }
            if random.chance(0.1) {
                lines[0].2 += 1
                step(ChangeQuantity(orderID: orderID, productID: lines[0].0, quantity: lines[0].2), typical: 300)
            }
            let total = lines.reduce(Int64(0)) { $0 + $1.1.amountMinor * Int64($1.2) }
            let path: [OrderStatus]
            switch status {
            case .draft: path = []
            case .submitted: path = [.submitted]
            case .paid: path = [.submitted, .paid]
            case .shipped: path = [.submitted, .paid, .shipped]
            case .delivered: path = [.submitted, .paid, .shipped, .delivered]
            case .cancelled: path = Array([[], [.submitted], [.submitted, .paid]].randomElement(using: &random)!) + [.cancelled]
            }
            for next in path {
                switch next {
                case .draft: break
                case .submitted: step(SubmitOrder(orderID: orderID), typical: 1800)
                case .paid:
                    step(
                        PayOrder(
                            orderID: orderID, amount: Money(amountMinor: total, currency: try! Currency(code)),
                            paymentReference: "pay_\(random.code(12))"),
                        typical: 7200
                    )
                case .shipped:
                    step(
                        ShipOrder(orderID: orderID, carrier: SeedCatalog.carriers.randomElement(using: &random)!, trackingNumber: random.code(14)),
                        typical: 3 * 86400
                    )
                case .delivered: step(DeliverOrder(orderID: orderID), typical: 5 * 86400)
                case .cancelled: step(CancelOrder(orderID: orderID, reason: SeedCatalog.cancelReasons.randomElement(using: &random)!), typical: 86400)
                }
            }
            plan.statuses[status, default: 0] += 1
        }

        // Stable sort: actions of one aggregate keep their order even at equal times.
        plan.actions = plan.actions.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        return plan
    }

    private static func pickStatus(_ random: inout SeededGenerator) -> OrderStatus {
        var roll = Double.random(in: 0..<1, using: &random)
        for (status, share) in statusMix {
            roll -= share
            if roll < 0 { return status }
        }
        return .delivered
    }

    /// A time after `start` and before `end`.
    private static func later(_ start: Date, _ end: Date, _ random: inout SeededGenerator) -> Date {
        start.addingTimeInterval(end.timeIntervalSince(start) * Double.random(in: 0.05..<0.95, using: &random))
    }
}
