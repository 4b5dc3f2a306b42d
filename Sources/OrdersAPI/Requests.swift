import OrdersDomain

/// Request bodies, with the JSON field names of the API. Each takes its fields by name from the
/// strict reading of the body (`StrictJSON`): a field it does not take is refused, at any depth,
/// and integers must be whole numbers in their documented range.
struct CreateCustomerBody: JSONBody {
    var customerID: String?
    var name: String
    var email: String

    init(json: inout StrictJSON.Object) throws(APIError) {
        customerID = try json.optionalString("customer_id")
        name = try json.string("name")
        email = try json.string("email")
    }
}

struct UpdateCustomerBody: JSONBody {
    var name: String?
    var email: String?

    init(json: inout StrictJSON.Object) throws(APIError) {
        name = try json.optionalString("name")
        email = try json.optionalString("email")
    }
}

struct CreateProductBody: JSONBody {
    var productID: String?
    var sku: String
    var name: String
    var priceMinor: Int64
    var currency: String

    init(json: inout StrictJSON.Object) throws(APIError) {
        productID = try json.optionalString("product_id")
        sku = try json.string("sku")
        name = try json.string("name")
        priceMinor = try json.integer("price_minor", in: amountRange)
        currency = try json.string("currency")
    }
}

struct UpdateProductBody: JSONBody {
    var name: String?
    var priceMinor: Int64?
    var currency: String?

    init(json: inout StrictJSON.Object) throws(APIError) {
        name = try json.optionalString("name")
        priceMinor = try json.optionalInteger("price_minor", in: amountRange)
        currency = try json.optionalString("currency")
    }
}

struct CreateOrderBody: JSONBody {
    struct Shipping {
        var city: String
        var country: String
    }
    var orderID: String?
    var customerID: String
    var shipping: Shipping
    var notes: String?
    var currency: String

    init(json: inout StrictJSON.Object) throws(APIError) {
        orderID = try json.optionalString("order_id")
        customerID = try json.string("customer_id")
        shipping = try json.object("shipping") { (shipping: inout StrictJSON.Object) throws(APIError) in
            Shipping(city: try shipping.string("city"), country: try shipping.string("country"))
        }
        notes = try json.optionalString("notes")
        currency = try json.string("currency")
    }
}

struct AddItemBody: JSONBody {
    var productID: String
    var quantity: Int

    init(json: inout StrictJSON.Object) throws(APIError) {
        productID = try json.string("product_id")
        quantity = try json.integer("quantity", in: Order.quantityRange)
    }
}

struct QuantityBody: JSONBody {
    var quantity: Int

    init(json: inout StrictJSON.Object) throws(APIError) {
        quantity = try json.integer("quantity", in: Order.quantityRange)
    }
}

struct PayBody: JSONBody {
    var amountMinor: Int64
    var currency: String
    var paymentReference: String?

    init(json: inout StrictJSON.Object) throws(APIError) {
        amountMinor = try json.integer("amount_minor", in: amountRange)
        currency = try json.string("currency")
        paymentReference = try json.optionalString("payment_reference")
    }
}

struct ShipBody: JSONBody {
    var carrier: String
    var trackingNumber: String

    init(json: inout StrictJSON.Object) throws(APIError) {
        carrier = try json.string("carrier")
        trackingNumber = try json.string("tracking_number")
    }
}

struct CancelBody: JSONBody {
    var reason: String

    init(json: inout StrictJSON.Object) throws(APIError) {
        reason = try json.string("reason")
    }
}

/// What a price or payment may be, in minor units: the domain's own limits, refused at the edge
/// with the field's name like any other out-of-range integer.
private let amountRange: ClosedRange<Int64> = 0...Money.maximumAmount

/// What every command answers.
struct CommandResponse: Encodable {
    var id: String
    var streamVersion: Int
    var position: Int64
    enum CodingKeys: String, CodingKey { case id, streamVersion = "stream_version", position }
}
