/// One product in an order, at the unit price it had when it was added.
package struct OrderLine: Hashable, Sendable {
    package let productID: ProductID
    package var quantity: Int
    package let unitPrice: Money

    /// `unitPrice × quantity`. Cannot overflow: prices are capped at `Money.maximumAmount` and
    /// quantities at 1,000.
    package var subtotal: Money { Money(amountMinor: unitPrice.amountMinor * Int64(quantity), currency: unitPrice.currency) }
}
