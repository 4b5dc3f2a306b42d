import OrdersDomain
import Testing

/// Every command against an order in every status: allowed exactly where the lifecycle says.
@Suite struct OrderTransitionTests {
    static let eur = try! Currency("EUR")
    static let orderID = try! OrderID("o-1")
    static let customerID = try! CustomerID("c-1")
    static let productA = try! ProductID("p-a")
    static let productB = try! ProductID("p-b")

    static func product(_ id: ProductID, priceMinor: Int64 = 1000, currency: Currency = eur) -> Product {
        Product(
            first: .added(ProductAdded(productID: id, sku: "SKU-\(id)", name: "Thing", price: Money(amountMinor: priceMinor, currency: currency))))!
    }

    /// An order with one item (product A × 2 at 10.00 EUR) brought to `status`.
    static func order(in status: OrderStatus) -> Order {
        var order = Order(
            first: .created(
                OrderCreated(
                    orderID: orderID, customerID: customerID, shipping: try! ShippingAddress(city: "Zürich", country: "ch"), notes: nil,
                    currency: eur
                )
            )
        )!
        order.apply(.itemAdded(OrderItemAdded(productID: productA, quantity: 2, unitPrice: Money(amountMinor: 1000, currency: eur))))
        let path: [OrderEvent]
        let submitted = OrderEvent.submitted(OrderSubmitted(total: order.total))
        let paid = OrderEvent.paid(OrderPaid(amount: order.total, paymentReference: nil))
        let shipped = OrderEvent.shipped(OrderShipped(carrier: "DHL", trackingNumber: "1"))
        switch status {
        case .draft: path = []
        case .submitted: path = [submitted]
        case .paid: path = [submitted, paid]
        case .shipped: path = [submitted, paid, shipped]
        case .delivered: path = [submitted, paid, shipped, .delivered(OrderDelivered())]
        case .cancelled: path = [.cancelled(OrderCancelled(reason: "changed my mind"))]
        }
        for event in path { order.apply(event) }
        #expect(order.status == status)
        return order
    }

    enum Action: String, CaseIterable, Sendable {
        case addItem, changeQuantity, removeItem, submit, pay, ship, deliver, cancel
    }

    /// The lifecycle, written out independently of the implementation.
    static let allowed: [Action: Set<OrderStatus>] = [
        .addItem: [.draft], .changeQuantity: [.draft], .removeItem: [.draft], .submit: [.draft], .pay: [.submitted],
        .ship: [.paid], .deliver: [.shipped], .cancel: [.draft, .submitted, .paid],
    ]

    static func perform(_ action: Action, on order: Order) throws(DomainError) -> [OrderEvent] {
        switch action {
        case .addItem: try order.addItem(AddItem(orderID: orderID, productID: productB, quantity: 1), product: product(productB))
        case .changeQuantity: try order.changeQuantity(ChangeQuantity(orderID: orderID, productID: productA, quantity: 5))
        case .removeItem: try order.removeItem(RemoveItem(orderID: orderID, productID: productA))
        case .submit: try order.submit(SubmitOrder(orderID: orderID))
        case .pay: try order.pay(PayOrder(orderID: orderID, amount: Money(amountMinor: 2000, currency: eur)))
        case .ship: try order.ship(ShipOrder(orderID: orderID, carrier: "DHL", trackingNumber: "JD0001"))
        case .deliver: try order.deliver(DeliverOrder(orderID: orderID))
        case .cancel: try order.cancel(CancelOrder(orderID: orderID, reason: "customer request"))
        }
    }

    @Test(arguments: Action.allCases, OrderStatus.allCases)
    func commandIsAllowedExactlyInItsStatuses(action: Action, status: OrderStatus) throws {
        let order = Self.order(in: status)
        if Self.allowed[action]!.contains(status) {
            let events = try Self.perform(action, on: order)
            #expect(events.count == 1, "\(action) in \(status) should produce one event")
            var next = order
            for event in events { next.apply(event) }
            #expect(next != order)
        } else {
            let error = #expect(throws: DomainError.self, "\(action) in \(status) must be refused") {
                try Self.perform(action, on: order)
            }
            #expect(error?.code == .invalidTransition)
            #expect(error?.message.contains(status.rawValue) == true, "the refusal says which status blocked it")
        }
    }

    @Test func cancellingAfterShippingExplainsWhy() {
        let error = #expect(throws: DomainError.self) {
            try Self.order(in: .shipped).cancel(CancelOrder(orderID: Self.orderID, reason: "too late"))
        }
        #expect(error?.message.contains("until it ships") == true)
    }

    @Test func emptyOrderCannotBeSubmitted() throws {
        var order = Self.order(in: .draft)
        order.apply(.itemRemoved(OrderItemRemoved(productID: Self.productA)))
        let error = #expect(throws: DomainError.self) { try order.submit(SubmitOrder(orderID: Self.orderID)) }
        #expect(error?.code == .emptyOrder)
    }

    @Test func paymentMustEqualTotalInOrderCurrency() throws {
        let order = Self.order(in: .submitted)
        #expect(order.total == Money(amountMinor: 2000, currency: Self.eur))
        let short = #expect(throws: DomainError.self) {
            try order.pay(PayOrder(orderID: Self.orderID, amount: Money(amountMinor: 1999, currency: Self.eur)))
        }
        #expect(short?.code == .amountMismatch)
        #expect(short?.message.contains("20.00 EUR") == true)
        let wrongCurrency = #expect(throws: DomainError.self) {
            try order.pay(PayOrder(orderID: Self.orderID, amount: Money(amountMinor: 2000, currency: try Currency("USD"))))
        }
        #expect(wrongCurrency?.code == .currencyMismatch)
    }

    @Test func addingAnItemTakesTheProductsCurrentPrice() throws {
        let order = Self.order(in: .draft)
        let events = try order.addItem(
            AddItem(orderID: Self.orderID, productID: Self.productB, quantity: 3), product: Self.product(Self.productB, priceMinor: 777)
        )
        #expect(events == [.itemAdded(OrderItemAdded(productID: Self.productB, quantity: 3, unitPrice: Money(amountMinor: 777, currency: Self.eur)))])
        var next = order
        next.apply(events[0])
        #expect(next.total.amountMinor == 2000 + 3 * 777)
    }

    @Test func itemRulesAreEnforced() throws {
        let order = Self.order(in: .draft)
        let missing = #expect(throws: DomainError.self) {
            try order.addItem(AddItem(orderID: Self.orderID, productID: Self.productB, quantity: 1), product: nil)
        }
        #expect(missing?.code == .notFound)
        let duplicate = #expect(throws: DomainError.self) {
            try order.addItem(AddItem(orderID: Self.orderID, productID: Self.productA, quantity: 1), product: Self.product(Self.productA))
        }
        #expect(duplicate?.code == .duplicateItem)
        let otherCurrency = #expect(throws: DomainError.self) {
            try order.addItem(
                AddItem(orderID: Self.orderID, productID: Self.productB, quantity: 1),
                product: Self.product(Self.productB, currency: try Currency("GBP"))
            )
        }
        #expect(otherCurrency?.code == .currencyMismatch)
        let notInOrder = #expect(throws: DomainError.self) {
            try order.removeItem(RemoveItem(orderID: Self.orderID, productID: Self.productB))
        }
        #expect(notInOrder?.code == .itemNotFound)
        #expect(try order.changeQuantity(ChangeQuantity(orderID: Self.orderID, productID: Self.productA, quantity: 2)).isEmpty)
    }

    @Test func anOrderHoldsAtMostMaximumLines() throws {
        var order = Self.order(in: .draft)
        for index in 1..<Order.maximumLines {
            order.apply(
                .itemAdded(OrderItemAdded(productID: try ProductID("x\(index)"), quantity: 1, unitPrice: Money(amountMinor: 1, currency: Self.eur))))
        }
        #expect(order.lines.count == Order.maximumLines)
        let error = #expect(throws: DomainError.self) {
            try order.addItem(AddItem(orderID: Self.orderID, productID: Self.productB, quantity: 1), product: Self.product(Self.productB))
        }
        #expect(error?.code == .limitExceeded)
    }

    @Test func creatingRequiresARegisteredCustomer() throws {
        let command = CreateOrder(
            orderID: Self.orderID, customerID: Self.customerID, shipping: try ShippingAddress(city: "Kraków", country: "PL"), currency: Self.eur
        )
        let error = #expect(throws: DomainError.self) { try Order.create(command, customer: nil) }
        #expect(error?.code == .notFound)
        #expect(error?.field == "customer_id")
        let customer = Customer(first: .registered(CustomerRegistered(customerID: Self.customerID, name: "Łukasz", email: "l@example.pl")))
        #expect(try Order.create(command, customer: customer).count == 1)
    }

    @Test func foldRejectsAStreamWithoutCreation() throws {
        #expect(throws: DomainError.self) { try Order.fold([.submitted(OrderSubmitted(total: .zero(Self.eur)))]) }
        #expect(try Order.fold([]) == nil)
    }
}
