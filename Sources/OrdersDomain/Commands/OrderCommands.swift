package struct CreateOrder: OrderCommand {
    package static let name = "order.create"
    package var orderID: OrderID
    package var customerID: CustomerID
    package var shipping: ShippingAddress
    package var notes: String?
    package var currency: Currency

    package init(orderID: OrderID, customerID: CustomerID, shipping: ShippingAddress, notes: String? = nil, currency: Currency) {
        self.orderID = orderID
        self.customerID = customerID
        self.shipping = shipping
        self.notes = notes
        self.currency = currency
    }

    package func validated() throws(DomainError) -> CreateOrder {
        var copy = self
        copy.shipping = try ShippingAddress(city: shipping.city, country: shipping.country)
        copy.notes = try Validate.optionalText(notes, field: "notes", maxLength: 2000)
        return copy
    }
}

package struct AddItem: OrderCommand {
    package static let name = "order.add_item"
    package var orderID: OrderID
    package var productID: ProductID
    package var quantity: Int

    package init(orderID: OrderID, productID: ProductID, quantity: Int) {
        self.orderID = orderID
        self.productID = productID
        self.quantity = quantity
    }

    package func validated() throws(DomainError) -> AddItem {
        _ = try Validate.quantity(quantity)
        return self
    }
}

package struct ChangeQuantity: OrderCommand {
    package static let name = "order.change_quantity"
    package var orderID: OrderID
    package var productID: ProductID
    package var quantity: Int

    package init(orderID: OrderID, productID: ProductID, quantity: Int) {
        self.orderID = orderID
        self.productID = productID
        self.quantity = quantity
    }

    package func validated() throws(DomainError) -> ChangeQuantity {
        _ = try Validate.quantity(quantity)
        return self
    }
}

package struct RemoveItem: OrderCommand {
    package static let name = "order.remove_item"
    package var orderID: OrderID
    package var productID: ProductID

    package init(orderID: OrderID, productID: ProductID) {
        self.orderID = orderID
        self.productID = productID
    }

    package func validated() throws(DomainError) -> RemoveItem { self }
}

package struct SubmitOrder: OrderCommand {
    package static let name = "order.submit"
    package var orderID: OrderID

    package init(orderID: OrderID) { self.orderID = orderID }

    package func validated() throws(DomainError) -> SubmitOrder { self }
}

package struct PayOrder: OrderCommand {
    package static let name = "order.pay"
    package var orderID: OrderID
    package var amount: Money
    package var paymentReference: String?

    package init(orderID: OrderID, amount: Money, paymentReference: String? = nil) {
        self.orderID = orderID
        self.amount = amount
        self.paymentReference = paymentReference
    }

    package func validated() throws(DomainError) -> PayOrder {
        var copy = self
        copy.amount = try amount.validatedAsPrice(field: "amount_minor")
        copy.paymentReference = try Validate.optionalText(paymentReference, field: "payment_reference", maxLength: 100)
        return copy
    }
}

package struct ShipOrder: OrderCommand {
    package static let name = "order.ship"
    package var orderID: OrderID
    package var carrier: String
    package var trackingNumber: String

    package init(orderID: OrderID, carrier: String, trackingNumber: String) {
        self.orderID = orderID
        self.carrier = carrier
        self.trackingNumber = trackingNumber
    }

    package func validated() throws(DomainError) -> ShipOrder {
        var copy = self
        copy.carrier = try Validate.text(carrier, field: "carrier", maxLength: 100)
        copy.trackingNumber = try Validate.text(trackingNumber, field: "tracking_number", maxLength: 100)
        return copy
    }
}

package struct DeliverOrder: OrderCommand {
    package static let name = "order.deliver"
    package var orderID: OrderID

    package init(orderID: OrderID) { self.orderID = orderID }

    package func validated() throws(DomainError) -> DeliverOrder { self }
}

package struct CancelOrder: OrderCommand {
    package static let name = "order.cancel"
    package var orderID: OrderID
    package var reason: String

    package init(orderID: OrderID, reason: String) {
        self.orderID = orderID
        self.reason = reason
    }

    package func validated() throws(DomainError) -> CancelOrder {
        var copy = self
        copy.reason = try Validate.text(reason, field: "reason", maxLength: 500)
        return copy
    }
}
