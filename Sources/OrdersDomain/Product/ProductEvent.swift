/// Everything that can happen to a product.
package enum ProductEvent: Hashable, Sendable {
    case added(ProductAdded)
    case renamed(ProductRenamed)
    case repriced(ProductRepriced)

    /// The payload types of these cases, for `EventCodec` (see `DomainEvent.payloadTypes`).
    static let payloadTypes: [any EventPayload.Type] = [ProductAdded.self, ProductRenamed.self, ProductRepriced.self]

    /// The payload this event carries.
    var payload: any EventPayload {
        switch self {
        case .added(let payload): payload
        case .renamed(let payload): payload
        case .repriced(let payload): payload
        }
    }
}

/// `product.added` v1.
package struct ProductAdded: Hashable, Sendable, Codable {
    package var productID: ProductID
    package var sku: String
    package var name: String
    package var price: Money

    package init(productID: ProductID, sku: String, name: String, price: Money) {
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

extension ProductAdded: EventPayload {
    static let eventType = "product.added"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .product(.added(self)) }
}

/// `product.renamed` v1.
package struct ProductRenamed: Hashable, Sendable, Codable {
    package var name: String

    package init(name: String) { self.name = name }
}

extension ProductRenamed: EventPayload {
    static let eventType = "product.renamed"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .product(.renamed(self)) }
}

/// `product.repriced` v1.
package struct ProductRepriced: Hashable, Sendable, Codable {
    package var price: Money

    package init(price: Money) { self.price = price }
}

extension ProductRepriced: EventPayload {
    static let eventType = "product.repriced"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .product(.repriced(self)) }
}
