import Foundation
import OrdersDomain
import Testing

@Suite struct EventCodecTests {
    static let eur = try! Currency("EUR")

    static let samples: [DomainEvent] = [
        .order(
            .created(
                OrderCreated(
                    orderID: try! OrderID("o1"), customerID: try! CustomerID("c1"), shipping: try! ShippingAddress(city: "Köln", country: "DE"),
                    notes: "2. Stock", currency: eur
                )
            )
        ),
        .order(.itemAdded(OrderItemAdded(productID: try! ProductID("p1"), quantity: 3, unitPrice: Money(amountMinor: 999, currency: eur)))),
        .order(.itemQuantityChanged(OrderItemQuantityChanged(productID: try! ProductID("p1"), quantity: 4))),
        .order(.itemRemoved(OrderItemRemoved(productID: try! ProductID("p1")))),
        .order(.submitted(OrderSubmitted(total: Money(amountMinor: 3996, currency: eur)))),
        .order(.paid(OrderPaid(amount: Money(amountMinor: 3996, currency: eur), paymentReference: "pay_1"))),
        .order(.shipped(OrderShipped(carrier: "DHL", trackingNumber: "00340434"))),
        .order(.delivered(OrderDelivered())),
        .order(.cancelled(OrderCancelled(reason: "duplicate"))),
        .customer(.registered(CustomerRegistered(customerID: try! CustomerID("c1"), name: "Иван Петров", email: "ivan@example.ru"))),
        .customer(.renamed(CustomerRenamed(name: "Ivan Petrov"))),
        .customer(.emailChanged(CustomerEmailChanged(email: "ivan@example.com"))),
        .product(.added(ProductAdded(productID: try! ProductID("p1"), sku: "CAFE-1", name: "Café", price: Money(amountMinor: 999, currency: eur)))),
        .product(.renamed(ProductRenamed(name: "Café Crème"))),
        .product(.repriced(ProductRepriced(price: Money(amountMinor: 1099, currency: eur)))),
    ]

    @Test func everyEventRoundTripsUnderItsOwnTypeName() throws {
        var types = Set<String>()
        for event in Self.samples {
            let encoded = try EventCodec.encode(event)
            types.insert(encoded.type)
            #expect(encoded.schemaVersion == EventCodec.currentVersions[encoded.type])
            #expect(try EventCodec.decode(type: encoded.type, schemaVersion: encoded.schemaVersion, payload: encoded.payload) == event)
        }
        #expect(types.count == Self.samples.count, "each event kind has its own type name")
        #expect(types == Set(EventCodec.currentVersions.keys), "the samples cover every known type")
    }

    /// Stored payloads are a contract with every event already on disk: this pins their shape.
    @Test func payloadShapeIsStable() throws {
        let encoded = try EventCodec.encode(Self.samples[1])
        #expect(encoded.type == "order.item_added")
        let object = try #require(try JSONSerialization.jsonObject(with: encoded.payload) as? [String: Any])
        #expect(Set(object.keys) == ["product_id", "quantity", "unit_price"])
        let price = try #require(object["unit_price"] as? [String: Any])
        #expect(price["amount_minor"] as? Int == 999)
        #expect(price["currency"] as? String == "EUR")
    }

    @Test func orderCreatedV1IsUpcastToTheCurrentShape() throws {
        let v1 = Data(
            #"{"order_id":"o9","customer_id":"c9","shipping_city":"Århus","shipping_country":"DK","notes":"","currency":"DKK"}"#.utf8
        )
        let event = try EventCodec.decode(type: "order.created", schemaVersion: 1, payload: v1)
        guard case .order(.created(let created)) = event else {
            Issue.record("expected order.created, got \(event)")
            return
        }
        #expect(created.shipping == (try ShippingAddress(city: "Århus", country: "DK")))
        #expect(created.notes == nil, "v1 wrote empty notes as \"\"")
        #expect(created.currency.code == "DKK")
        #expect(EventCodec.currentVersions["order.created"] == 2)
    }

    @Test func unknownTypesAndFutureVersionsAreErrorsNotSkips() {
        let unknown = #expect(throws: EventDecodingError.self) {
            try EventCodec.decode(type: "order.teleported", schemaVersion: 1, payload: Data("{}".utf8))
        }
        #expect(unknown?.code == .unknownType)
        #expect(unknown?.description.contains("order.teleported") == true)
        let future = #expect(throws: EventDecodingError.self) {
            try EventCodec.decode(type: "order.paid", schemaVersion: 7, payload: Data("{}".utf8))
        }
        #expect(future?.code == .futureVersion)
        let malformed = #expect(throws: EventDecodingError.self) {
            try EventCodec.decode(type: "order.paid", schemaVersion: 1, payload: Data(#"{"amount":"lots"}"#.utf8))
        }
        #expect(malformed?.code == .malformedPayload)
        let badV1 = #expect(throws: EventDecodingError.self) {
            try EventCodec.decode(type: "order.created", schemaVersion: 1, payload: Data(#"{"order_id":"o"}"#.utf8))
        }
        #expect(badV1?.code == .malformedPayload)
        let zero = #expect(throws: EventDecodingError.self) {
            try EventCodec.decode(type: "order.paid", schemaVersion: 0, payload: Data("{}".utf8))
        }
        #expect(zero?.code == .unsupportedVersion)
    }
}
