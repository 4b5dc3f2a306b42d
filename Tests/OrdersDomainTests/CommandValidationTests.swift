import OrdersDomain
import Testing

@Suite struct CommandValidationTests {
    let orderID = try! OrderID("o-1")
    let productID = try! ProductID("p-1")

    @Test(arguments: [0, -1, 1001, Int.max])
    func quantityOutsideOneToThousandIsRefused(quantity: Int) {
        let error = #expect(throws: DomainError.self) {
            try AddItem(orderID: orderID, productID: productID, quantity: quantity).validated()
        }
        #expect(error?.field == "quantity")
        #expect(error?.code == .invalidArgument)
    }

    @Test(arguments: [1, 1000])
    func quantityBoundsAreAccepted(quantity: Int) throws {
        #expect(try ChangeQuantity(orderID: orderID, productID: productID, quantity: quantity).validated().quantity == quantity)
    }

    @Test func customerInputIsNormalized() throws {
        let command = try RegisterCustomer(customerID: CustomerID("c1"), name: "  José Núñez ", email: " Jose@Example.COM ").validated()
        #expect(command.name == "José Núñez")
        #expect(command.email == "jose@example.com")
    }

    @Test(arguments: ["", "plain", "a@b", "@example.com", "a b@example.com", "a@.com", "a@example.com."])
    func malformedEmailsAreRefused(email: String) {
        let error = #expect(throws: DomainError.self) {
            try RegisterCustomer(customerID: CustomerID("c1"), name: "Ann", email: email).validated()
        }
        #expect(error?.field == "email")
    }

    @Test func namesMustBePresentShortAndPrintable() throws {
        for (name, why) in [("   ", "empty"), (String(repeating: "x", count: 201), "too long"), ("a\u{0007}b", "control character")] {
            let error = #expect(throws: DomainError.self, "\(why)") {
                try RenameCustomer(customerID: CustomerID("c1"), name: name).validated()
            }
            #expect(error?.field == "name")
        }
        #expect(try RenameCustomer(customerID: CustomerID("c1"), name: "山田 太郎").validated().name == "山田 太郎")
    }

    @Test func productInputIsValidated() throws {
        let eur = try Currency("EUR")
        let ok = try AddProduct(productID: productID, sku: " abc-12.x ", name: "Ægir Blanket", price: Money(amountMinor: 1, currency: eur))
            .validated()
        #expect(ok.sku == "ABC-12.X")
        let badSKU = #expect(throws: DomainError.self) {
            try AddProduct(productID: productID, sku: "a b", name: "x", price: Money(amountMinor: 1, currency: eur)).validated()
        }
        #expect(badSKU?.field == "sku")
        let negative = #expect(throws: DomainError.self) {
            try RepriceProduct(productID: productID, price: Money(amountMinor: -5, currency: eur)).validated()
        }
        #expect(negative?.field == "price_minor")
    }

    @Test func shippingAndOrderTextIsValidated() throws {
        #expect(try ShippingAddress(city: " São Paulo ", country: "br") == ShippingAddress(city: "São Paulo", country: "BR"))
        let country = #expect(throws: DomainError.self) { try ShippingAddress(city: "Berlin", country: "DEU") }
        #expect(country?.field == "country")
        let create = CreateOrder(
            orderID: orderID, customerID: try CustomerID("c1"), shipping: try ShippingAddress(city: "Berlin", country: "DE"),
            notes: "   ", currency: try Currency("EUR")
        )
        #expect(try create.validated().notes == nil, "blank notes mean none")
        var long = create
        long.notes = String(repeating: "n", count: 2001)
        #expect(throws: DomainError.self) { try long.validated() }
        let ship = #expect(throws: DomainError.self) { try ShipOrder(orderID: orderID, carrier: "", trackingNumber: "1").validated() }
        #expect(ship?.field == "carrier")
        let cancel = #expect(throws: DomainError.self) { try CancelOrder(orderID: orderID, reason: " ").validated() }
        #expect(cancel?.field == "reason")
    }

    @Test(arguments: ["", "has space", "ü", String(repeating: "a", count: 65), "a/b", "a.b", "a\u{0}"])
    func identifiersAreRestricted(raw: String) {
        let error = #expect(throws: DomainError.self) { try OrderID(raw) }
        #expect(error?.field == "order_id")
    }

    @Test(arguments: ["a", "A_z-09", "0b2d2c5e-1f1a-4c7e-9a53-3e1b6b0c9d4f", String(repeating: "a", count: 64)])
    func identifiersOfLettersDigitsDashesAndUnderscoresAreAccepted(raw: String) throws {
        #expect(try OrderID(raw).rawValue == raw)
    }

    @Test func streamIDsArePrefixedByAggregate() throws {
        #expect(try OrderID("abc").streamID == "order-abc")
        #expect(try CustomerID("abc").streamID == "customer-abc")
        #expect(try ProductID("abc").streamID == "product-abc")
    }
}
