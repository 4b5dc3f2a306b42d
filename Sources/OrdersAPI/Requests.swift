/// Request bodies, with the JSON field names of the API.
struct CreateCustomerBody: Decodable {
    var customerID: String?
    var name: String
    var email: String
    static let fields: Set<String> = ["customer_id", "name", "email"]
    enum CodingKeys: String, CodingKey { case customerID = "customer_id", name, email }
}

struct UpdateCustomerBody: Decodable {
    var name: String?
    var email: String?
    static let fields: Set<String> = ["name", "email"]
}

struct CreateProductBody: Decodable {
    var productID: String?
    var sku: String
    var name: String
    var priceMinor: Int64
    var currency: String
    static let fields: Set<String> = ["product_id", "sku", "name", "price_minor", "currency"]
    enum CodingKeys: String, CodingKey { case productID = "product_id", sku, name, priceMinor = "price_minor", currency }
}

struct UpdateProductBody: Decodable {
    var name: String?
    var priceMinor: Int64?
    var currency: String?
    static let fields: Set<String> = ["name", "price_minor", "currency"]
    enum CodingKeys: String, CodingKey { case name, priceMinor = "price_minor", currency }
}

struct CreateOrderBody: Decodable {
    struct Shipping: Decodable {
        var city: String
        var country: String
    }
    var orderID: String?
    var customerID: String
    var shipping: Shipping
    var notes: String?
    var currency: String
    static let fields: Set<String> = ["order_id", "customer_id", "shipping", "notes", "currency"]
    enum CodingKeys: String, CodingKey { case orderID = "order_id", customerID = "customer_id", shipping, notes, currency }
}

struct AddItemBody: Decodable {
    var productID: String
    var quantity: Int
    static let fields: Set<String> = ["product_id", "quantity"]
    enum CodingKeys: String, CodingKey { case productID = "product_id", quantity }
}

struct QuantityBody: Decodable {
    var quantity: Int
    static let fields: Set<String> = ["quantity"]
}

struct PayBody: Decodable {
    var amountMinor: Int64
    var currency: String
    var paymentReference: String?
    static let fields: Set<String> = ["amount_minor", "currency", "payment_reference"]
    enum CodingKeys: String, CodingKey { case amountMinor = "amount_minor", currency, paymentReference = "payment_reference" }
}

struct ShipBody: Decodable {
    var carrier: String
    var trackingNumber: String
    static let fields: Set<String> = ["carrier", "tracking_number"]
    enum CodingKeys: String, CodingKey { case carrier, trackingNumber = "tracking_number" }
}

struct CancelBody: Decodable {
    var reason: String
    static let fields: Set<String> = ["reason"]
}

/// What every command answers.
struct CommandResponse: Encodable {
    var id: String
    var streamVersion: Int
    var position: Int64
    enum CodingKeys: String, CodingKey { case id, streamVersion = "stream_version", position }
}
