package struct AddProduct: ProductCommand {
    package static let name = "product.add"
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

    package func validated() throws(DomainError) -> AddProduct {
        var copy = self
        copy.sku = try Validate.sku(sku)
        copy.name = try Validate.text(name, field: "name", maxLength: 200)
        copy.price = try price.validatedAsPrice(field: "price_minor")
        return copy
    }
}

package struct RenameProduct: ProductCommand {
    package static let name = "product.rename"
    package var productID: ProductID
    package var name: String

    package init(productID: ProductID, name: String) {
        self.productID = productID
        self.name = name
    }

    package func validated() throws(DomainError) -> RenameProduct {
        var copy = self
        copy.name = try Validate.text(name, field: "name", maxLength: 200)
        return copy
    }
}

package struct RepriceProduct: ProductCommand {
    package static let name = "product.reprice"
    package var productID: ProductID
    package var price: Money

    package init(productID: ProductID, price: Money) {
        self.productID = productID
        self.price = price
    }

    package func validated() throws(DomainError) -> RepriceProduct {
        var copy = self
        copy.price = try price.validatedAsPrice(field: "price_minor")
        return copy
    }
}
