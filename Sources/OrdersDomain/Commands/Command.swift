/// A request to change one aggregate. Commands hold the caller's input as given; `validated()`
/// checks every field and returns the normalized command (trimmed text, lower-cased email,
/// upper-cased SKU and country), or throws a `DomainError` that names the field.
public protocol Command: Sendable {
    /// A stable name for logs and metrics (`order.add_item`).
    static var name: String { get }
    /// The id of the aggregate the command changes (returned to the caller).
    var aggregateID: String { get }
    /// The stream holding that aggregate's events.
    var streamID: String { get }

    func validated() throws(DomainError) -> Self
}

/// A command that changes an order: its stream follows from `orderID`.
public protocol OrderCommand: Command {
    var orderID: OrderID { get }
}

extension OrderCommand {
    public var aggregateID: String { orderID.rawValue }
    public var streamID: String { orderID.streamID }
}

/// A command that changes a customer.
public protocol CustomerCommand: Command {
    var customerID: CustomerID { get }
}

extension CustomerCommand {
    public var aggregateID: String { customerID.rawValue }
    public var streamID: String { customerID.streamID }
}

/// A command that changes a product.
public protocol ProductCommand: Command {
    var productID: ProductID { get }
}

extension ProductCommand {
    public var aggregateID: String { productID.rawValue }
    public var streamID: String { productID.streamID }
}
