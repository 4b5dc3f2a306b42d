/// The order aggregate: its state is the fold of its events, and its methods decide which events
/// a command produces, or refuse it with a `DomainError` that says why.
package struct Order: EventSourced, Hashable {
    package static let quantityRange = 1...1000
    /// At most this many distinct products per order.
    package static let maximumLines = 100

    package let id: OrderID
    package let customerID: CustomerID
    package let shipping: ShippingAddress
    package let notes: String?
    package let currency: Currency
    package private(set) var status: OrderStatus
    package private(set) var lines: [OrderLine]

    /// The sum of the lines' subtotals. Cannot overflow (see `OrderLine.subtotal`).
    package var total: Money {
        Money(amountMinor: lines.reduce(0) { $0 + $1.subtotal.amountMinor }, currency: currency)
    }

    package init?(first event: OrderEvent) {
        guard case .created(let created) = event else { return nil }
        id = created.orderID
        customerID = created.customerID
        shipping = created.shipping
        notes = created.notes
        currency = created.currency
        status = .draft
        lines = []
    }

    package mutating func apply(_ event: OrderEvent) {
        switch event {
        case .created: break
        case .itemAdded(let e): lines.append(OrderLine(productID: e.productID, quantity: e.quantity, unitPrice: e.unitPrice))
        case .itemQuantityChanged(let e):
            if let index = lines.firstIndex(where: { $0.productID == e.productID }) { lines[index].quantity = e.quantity }
        case .itemRemoved(let e): lines.removeAll { $0.productID == e.productID }
        case .submitted: status = .submitted
        case .paid: status = .paid
        case .shipped: status = .shipped
        case .delivered: status = .delivered
        case .cancelled: status = .cancelled
        }
    }

    // MARK: Decisions

    /// Creates an order for a registered customer.
    package static func create(_ command: CreateOrder, customer: Customer?) throws(DomainError) -> [OrderEvent] {
        guard customer != nil else {
            throw DomainError(.notFound, "customer \(command.customerID) is not registered", field: "customer_id")
        }
        return [
            .created(
                OrderCreated(
                    orderID: command.orderID, customerID: command.customerID, shipping: command.shipping,
                    notes: command.notes, currency: command.currency
                )
            )
        ]
    }

    /// Adds a product at its current price. The product must exist, be priced in the order's
    /// currency and not be in the order yet.
    package func addItem(_ command: AddItem, product: Product?) throws(DomainError) -> [OrderEvent] {
        try requireStatus(.draft, toDo: "add an item to")
        guard let product else {
            throw DomainError(.notFound, "product \(command.productID) does not exist", field: "product_id")
        }
        guard product.price.currency == currency else {
            throw DomainError(
                .currencyMismatch, "product \(product.id) is priced in \(product.price.currency) but the order is in \(currency)",
                field: "product_id"
            )
        }
        guard line(for: command.productID) == nil else {
            throw DomainError(
                .duplicateItem, "product \(command.productID) is already in the order; change its quantity instead", field: "product_id"
            )
        }
        guard lines.count < Self.maximumLines else {
            throw DomainError(.limitExceeded, "an order holds at most \(Self.maximumLines) distinct products", field: "product_id")
        }
        return [.itemAdded(OrderItemAdded(productID: product.id, quantity: command.quantity, unitPrice: product.price))]
    }

    /// Sets the quantity of an item. Setting the quantity it already has changes nothing.
    package func changeQuantity(_ command: ChangeQuantity) throws(DomainError) -> [OrderEvent] {
        try requireStatus(.draft, toDo: "change the items of")
        guard let line = line(for: command.productID) else { throw itemNotFound(command.productID) }
        guard line.quantity != command.quantity else { return [] }
        return [.itemQuantityChanged(OrderItemQuantityChanged(productID: command.productID, quantity: command.quantity))]
    }

    package func removeItem(_ command: RemoveItem) throws(DomainError) -> [OrderEvent] {
        try requireStatus(.draft, toDo: "remove an item from")
        guard line(for: command.productID) != nil else { throw itemNotFound(command.productID) }
        return [.itemRemoved(OrderItemRemoved(productID: command.productID))]
    }

    package func submit(_ command: SubmitOrder) throws(DomainError) -> [OrderEvent] {
        try requireStatus(.draft, toDo: "submit")
        guard !lines.isEmpty else { throw DomainError(.emptyOrder, "an order without items cannot be submitted") }
        return [.submitted(OrderSubmitted(total: total))]
    }

    /// Records a payment of exactly the order total, in the order's currency.
    package func pay(_ command: PayOrder) throws(DomainError) -> [OrderEvent] {
        try requireStatus(.submitted, toDo: "pay")
        guard command.amount.currency == currency else {
            throw DomainError(.currencyMismatch, "payment is in \(command.amount.currency) but the order is in \(currency)", field: "currency")
        }
        guard command.amount == total else {
            throw DomainError(.amountMismatch, "payment of \(command.amount) does not equal the order total \(total)", field: "amount_minor")
        }
        return [.paid(OrderPaid(amount: command.amount, paymentReference: command.paymentReference))]
    }

    package func ship(_ command: ShipOrder) throws(DomainError) -> [OrderEvent] {
        try requireStatus(.paid, toDo: "ship")
        return [.shipped(OrderShipped(carrier: command.carrier, trackingNumber: command.trackingNumber))]
    }

    package func deliver(_ command: DeliverOrder) throws(DomainError) -> [OrderEvent] {
        try requireStatus(.shipped, toDo: "deliver")
        return [.delivered(OrderDelivered())]
    }

    /// Cancels an order that has not shipped yet.
    package func cancel(_ command: CancelOrder) throws(DomainError) -> [OrderEvent] {
        guard status.isCancellable else {
            throw DomainError(.invalidTransition, "cannot cancel an order that is \(status.rawValue); cancelling is allowed until it ships")
        }
        return [.cancelled(OrderCancelled(reason: command.reason))]
    }

    package func line(for productID: ProductID) -> OrderLine? { lines.first { $0.productID == productID } }

    private func requireStatus(_ required: OrderStatus, toDo action: String) throws(DomainError) {
        guard status == required else {
            throw DomainError(.invalidTransition, "cannot \(action) an order that is \(status.rawValue); it must be \(required.rawValue)")
        }
    }

    private func itemNotFound(_ productID: ProductID) -> DomainError {
        DomainError(.itemNotFound, "product \(productID) is not in order \(id)", field: "product_id")
    }

    package static func event(from event: DomainEvent) -> OrderEvent? {
        guard case .order(let event) = event else { return nil }
        return event
    }

    package static func domainEvent(_ event: OrderEvent) -> DomainEvent { .order(event) }
}
