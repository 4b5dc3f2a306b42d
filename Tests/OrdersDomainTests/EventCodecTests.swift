import Foundation
import Testing

@testable import OrdersDomain

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

    /// What each case is stored as, pinned: type names and schema versions are a contract with
    /// every event already on disk. The switch stops compiling when `DomainEvent` gains a case: pin
    /// the new case here and give it a sample in `samples`, which the tests below then hold to its
    /// declaration (and `EventCodec` refuses to encode until its payload type is listed in its
    /// enum's `payloadTypes`).
    static func stored(_ event: DomainEvent) -> (type: String, schemaVersion: Int) {
        switch event {
        case .order(.created): ("order.created", 2)
        case .order(.itemAdded): ("order.item_added", 1)
        case .order(.itemQuantityChanged): ("order.item_quantity_changed", 1)
        case .order(.itemRemoved): ("order.item_removed", 1)
        case .order(.submitted): ("order.submitted", 1)
        case .order(.paid): ("order.paid", 1)
        case .order(.shipped): ("order.shipped", 1)
        case .order(.delivered): ("order.delivered", 1)
        case .order(.cancelled): ("order.cancelled", 1)
        case .customer(.registered): ("customer.registered", 1)
        case .customer(.renamed): ("customer.renamed", 1)
        case .customer(.emailChanged): ("customer.email_changed", 1)
        case .product(.added): ("product.added", 1)
        case .product(.renamed): ("product.renamed", 1)
        case .product(.repriced): ("product.repriced", 1)
        }
    }

    @Test func everyEventIsStoredUnderItsPinnedTypeAndVersion() throws {
        for event in Self.samples {
            let encoded = try EventCodec.encode(event)
            let pinned = Self.stored(event)
            #expect(encoded.type == pinned.type)
            #expect(encoded.schemaVersion == pinned.schemaVersion, "\(pinned.type)")
        }
    }

    /// A payload type that no event enum lists (its event stands in for one).
    struct Unlisted: EventPayload {
        static let eventType = "test.unlisted"
        static let schemaVersion = 1
        var text: String
        var domainEvent: DomainEvent { .customer(.renamed(CustomerRenamed(name: text))) }
    }

    /// An event this build could not read back is never written.
    @Test func payloadTypesMissingFromTheTableAreNotEncoded() throws {
        #expect(throws: EncodingError.self) { try EventCodec.encode(payload: Unlisted(text: "lost")) }
        #expect(EventCodec.currentVersions[Unlisted.eventType] == nil)
    }

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
