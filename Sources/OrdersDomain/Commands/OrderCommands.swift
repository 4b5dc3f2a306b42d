public struct CreateOrder: OrderCommand {
    public static let name = "order.create"
    public var orderID: OrderID
    public var customerID: CustomerID
    public var shipping: ShippingAddress
    public var notes: String?
    public var currency: Currency

    public init(orderID: OrderID, customerID: CustomerID, shipping: ShippingAddress, notes: String? = nil, currency: Currency) {
        self.orderID = orderID
        self.customerID = customerID
        self.shipping = shipping
        self.notes = notes
        self.currency = currency
    }

    public func validated() throws(DomainError) -> CreateOrder {
        var copy = self
        copy.shipping = try ShippingAddress(city: shipping.city, country: shipping.country)
        copy.notes = try Validate.optionalText(notes, field: "notes", maxLength: 2000)
        return copy
    }
}

public struct AddItem: OrderCommand {
    public static let name = "order.add_item"
    public var orderID: OrderID
    public var productID: ProductID
    public var quantity: Int

    public init(orderID: OrderID, productID: ProductID, quantity: Int) {
        self.orderID = orderID
        self.productID = productID
        self.quantity = quantity
    }

    public func validated() throws(DomainError) -> AddItem {
        _ = try Validate.quantity(quantity)
        return self
    }
}

public struct ChangeQuantity: OrderCommand {
    public static let name = "order.change_quantity"
    public var orderID: OrderID
    public var productID: ProductID
    public var quantity: Int

    public init(orderID: OrderID, productID: ProductID, quantity: Int) {
        self.orderID = orderID
        self.productID = productID
        self.quantity = quantity
    }

    public func validated() throws(DomainError) -> ChangeQuantity {
        _ = try Validate.quantity(quantity)
        return self
    }
}

public struct RemoveItem: OrderCommand {
    public static let name = "order.remove_item"
    public var orderID: OrderID
    public var productID: ProductID

    public init(orderID: OrderID, productID: ProductID) {
        self.orderID = orderID
        self.productID = productID
    }

    public func validated() throws(DomainError) -> RemoveItem { self }
}

public struct SubmitOrder: OrderCommand {
    public static let name = "order.submit"
    public var orderID: OrderID

    public init(orderID: OrderID) { self.orderID = orderID }

    public func validated() throws(DomainError) -> SubmitOrder { self }
}

public struct PayOrder: OrderCommand {
    public static let name = "order.pay"
    public var orderID: OrderID
    public var amount: Money
    public var paymentReference: String?

    public init(orderID: OrderID, amount: Money, paymentReference: String? = nil) {
        self.orderID = orderID
        self.amount = amount
        self.paymentReference = paymentReference
    }

    public func validated() throws(DomainError) -> PayOrder {
        var copy = self
        copy.amount = try amount.validatedAsPrice(field: "amount_minor")
        copy.paymentReference = try Validate.optionalText(paymentReference, field: "payment_reference", maxLength: 100)
        return copy
    }
}

public struct ShipOrder: OrderCommand {
    public static let name = "order.ship"
    public var orderID: OrderID
    public var carrier: String
    public var trackingNumber: String

    public init(orderID: OrderID, carrier: String, trackingNumber: String) {
        self.orderID = orderID
        self.carrier = carrier
        self.trackingNumber = trackingNumber
    }

    public func validated() throws(DomainError) -> ShipOrder {
        var copy = self
        copy.carrier = try Validate.text(carrier, field: "carrier", maxLength: 100)
        copy.trackingNumber = try Validate.text(trackingNumber, field: "tracking_number", maxLength: 100)
        return copy
    }
}

public struct DeliverOrder: OrderCommand {
    public static let name = "order.deliver"
    public var orderID: OrderID

    public init(orderID: OrderID) { self.orderID = orderID }

    public func validated() throws(DomainError) -> DeliverOrder { self }
}

public struct CancelOrder: OrderCommand {
    public static let name = "order.cancel"
    public var orderID: OrderID
    public var reason: String

    public init(orderID: OrderID, reason: String) {
        self.orderID = orderID
        self.reason = reason
    }

    public func validated() throws(DomainError) -> CancelOrder {
        var copy = self
        copy.reason = try Validate.text(reason, field: "reason", maxLength: 500)
        return copy
    }
}
