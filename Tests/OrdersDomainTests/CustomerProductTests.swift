import OrdersDomain
import Testing

@Suite struct CustomerProductTests {
    @Test func customerFoldsRenamesAndEmailChanges() throws {
        let id = try CustomerID("c1")
        let customer = try #require(
            try Customer.fold([
                .registered(CustomerRegistered(customerID: id, name: "Søren", email: "s@example.dk")),
                .renamed(CustomerRenamed(name: "Søren Kierkegaard")),
                .emailChanged(CustomerEmailChanged(email: "sk@example.dk")),
            ])
        )
        #expect(customer.name == "Søren Kierkegaard")
        #expect(customer.email == "sk@example.dk")
        #expect(customer.rename(RenameCustomer(customerID: id, name: "Søren Kierkegaard")).isEmpty, "same name changes nothing")
        #expect(customer.changeEmail(ChangeCustomerEmail(customerID: id, email: "new@example.dk")).count == 1)
    }

    @Test func productFoldsRenamesAndReprices() throws {
        let id = try ProductID("p1")
        let eur = try Currency("EUR")
        let product = try #require(
            try Product.fold([
                .added(ProductAdded(productID: id, sku: "A-1", name: "Tea", price: Money(amountMinor: 300, currency: eur))),
                .renamed(ProductRenamed(name: "Green Tea")),
                .repriced(ProductRepriced(price: Money(amountMinor: 350, currency: eur))),
            ])
        )
        #expect(product.name == "Green Tea")
        #expect(product.price.amountMinor == 350)
        #expect(product.sku == "A-1")
        #expect(product.reprice(RepriceProduct(productID: id, price: Money(amountMinor: 350, currency: eur))).isEmpty)
    }
}
