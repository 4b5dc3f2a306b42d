public struct AddProduct: ProductCommand {
    public static let name = "product.add"
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

    public func validated() throws(DomainError) -> AddProduct {
        var copy = self
        copy.sku = try Validate.sku(sku)
        copy.name = try Validate.text(name, field: "name", maxLength: 200)
        copy.price = try price.validatedAsPrice(field: "price_minor")
        return copy
    }
}

public struct RenameProduct: ProductCommand {
    public static let name = "product.rename"
    public var productID: ProductID
    public var name: String

    public init(productID: ProductID, name: String) {
        self.productID = productID
        self.name = name
    }

    public func validated() throws(DomainError) -> RenameProduct {
        var copy = self
        copy.name = try Validate.text(name, field: "name", maxLength: 200)
        return copy
    }
}

public struct RepriceProduct: ProductCommand {
    public static let name = "product.reprice"
    public var productID: ProductID
    public var price: Money

    public init(productID: ProductID, price: Money) {
        self.productID = productID
        self.price = price
    }

    public func validated() throws(DomainError) -> RepriceProduct {
        var copy = self
        copy.price = try price.validatedAsPrice(field: "price_minor")
        return copy
    }
}
