/// One product in an order, at the unit price it had when it was added.
public struct OrderLine: Hashable, Sendable {
    public let productID: ProductID
    public var quantity: Int
    public let unitPrice: Money

    /// `unitPrice × quantity`. Cannot overflow: prices are capped at `Money.maximumAmount` and
    /// quantities at 1,000.
    public var subtotal: Money { Money(amountMinor: unitPrice.amountMinor * Int64(quantity), currency: unitPrice.currency) }
}
