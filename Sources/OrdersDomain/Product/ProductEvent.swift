/// Everything that can happen to a product.
public enum ProductEvent: Hashable, Sendable {
    case added(ProductAdded)
    case renamed(ProductRenamed)
    case repriced(ProductRepriced)
}

/// `product.added` v1.
public struct ProductAdded: Hashable, Sendable, Codable {
    public var productID: ProductID
    public var sku: String
    public var name: String
    public var price: Money

    public init(productID: ProductID, sku: String, name: String, price: Money) {
        self.productID = productID
        self.sku = sku
        self.name = name
        self.price = price
    }

    enum CodingKeys: String, CodingKey {
        case productID = "product_id"
        case sku, name, price
    }
}

/// `product.renamed` v1.
public struct ProductRenamed: Hashable, Sendable, Codable {
    public var name: String

    public init(name: String) { self.name = name }
}

/// `product.repriced` v1.
public struct ProductRepriced: Hashable, Sendable, Codable {
    public var price: Money

    public init(price: Money) { self.price = price }
}
