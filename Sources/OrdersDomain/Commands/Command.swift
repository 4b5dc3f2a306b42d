/// A request to change one aggregate. Commands hold the caller's input as given; `validated()`
/// checks every field and returns the normalized command (trimmed text, lower-cased email,
/// upper-cased SKU and country), or throws a `DomainError` that names the field.
package protocol Command: Sendable {
    /// A stable name for logs and metrics (`order.add_item`).
    static var name: String { get }
    /// The id of the aggregate the command changes (returned to the caller).
    var aggregateID: String { get }
    /// The stream holding that aggregate's events.
    var streamID: String { get }

    func validated() throws(DomainError) -> Self
}

/// A command that changes an order: its stream follows from `orderID`.
package protocol OrderCommand: Command {
    var orderID: OrderID { get }
}

extension OrderCommand {
    package var aggregateID: String { orderID.rawValue }
    package var streamID: String { orderID.streamID }
}

/// A command that changes a customer.
package protocol CustomerCommand: Command {
    var customerID: CustomerID { get }
}

extension CustomerCommand {
    package var aggregateID: String { customerID.rawValue }
    package var streamID: String { customerID.streamID }
}

/// A command that changes a product.
package protocol ProductCommand: Command {
    var productID: ProductID { get }
}

extension ProductCommand {
    package var aggregateID: String { productID.rawValue }
    package var streamID: String { productID.streamID }
}
