import JSONScanning

/// An event payload read straight from its stored bytes, without `JSONDecoder`.
///
/// Folding reads every event of the log (a reindex reads millions), and `JSONDecoder` spent
/// most of that time. Each payload type reads the one shape `EventCodec`'s encoder writes for
/// it, and anything else is a miss: a key it does not know, a key twice, an escape or a control
/// character in a string, a number not written as plain digits, a missing field, a value the
/// type refuses. A miss sends the payload through `JSONDecoder`, which decides whether it is
/// valid and words the error, so the two readers can differ in speed but never in outcome
/// (`PayloadReadingTests` holds them to that on payloads generated for every event type).
///
/// A reader is optional: an event type that does not conform is read by `JSONDecoder` alone.
protocol PayloadReadable: EventPayload {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure)
}

extension PayloadReadable {
    /// `EventCodec`'s fast path for this type (replacing `EventPayload`'s nil default).
    static func readEvent(_ bytes: UnsafeRawBufferPointer) -> DomainEvent? { read(bytes)?.domainEvent }

    /// The payload in `bytes`, or nil when `JSONDecoder` must read it.
    static func read(_ bytes: UnsafeRawBufferPointer) -> Self? {
        var scanner = JSONScanner(bytes.assumingMemoryBound(to: UInt8.self))
        do {
            let value = try Self(reading: &scanner)
            scanner.skipWhitespace()
            return scanner.offset == scanner.bytes.count ? value : nil
        } catch {
            return nil
        }
    }
}

extension JSONScanner {
    /// A miss: this payload is for `JSONDecoder`.
    static let miss = Failure(offset: 0, message: "not in the encoder's shape")

    /// The members of an object, each key handed to `body` as the index of its name in `keys`;
    /// a key not in `keys`, or one seen twice, is a miss.
    mutating func members(_ keys: [StaticString], _ body: (inout JSONScanner, Int) throws(Failure) -> Void) throws(Failure) {
        var seen: UInt64 = 0
        try object { scanner, key throws(Failure) in
            guard let index = keys.firstIndex(where: { scanner.equals(key, $0) }), seen & (1 << index) == 0 else { throw Self.miss }
            seen |= 1 << index
            try body(&scanner, index)
        }
    }

    /// A string as the encoder writes ordinary text: valid UTF-8, nothing escaped.
    mutating func plainString() throws(Failure) -> String {
        let range = try rawString()
        let raw = UnsafeBufferPointer(rebasing: bytes[range])
        var ascii = true
        for byte in raw {
            if byte < 0x20 || byte == UInt8(ascii: "\\") { throw Self.miss }
            if byte >= 0x80 { ascii = false }
        }
        // `String(validating:as:)` looks up generic metadata on every call (~3% of a reindex).
        // Decoding repairs invalid UTF-8, so the bytes are valid when decoding kept them as they
        // were (ASCII always is).
        let text = String(decoding: raw, as: UTF8.self)
        guard ascii || text.utf8.elementsEqual(raw) else { throw Self.miss }
        return text
    }

    /// `null` (nil) or a plain string.
    mutating func optionalPlainString() throws(Failure) -> String? {
        if try literal("null") { return nil }
        return try plainString()
    }

    /// An integer written as plain digits (`-` allowed, no leading zero, no fraction or exponent).
    mutating func plainInteger() throws(Failure) -> Int64 {
        skipWhitespace()
        var index = offset
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let digits = index
        // Accumulated below zero: `Int64.min` has no positive counterpart.
        var value: Int64 = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            let (multiplied, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (added, overflow2) = multiplied.subtractingReportingOverflow(Int64(bytes[index] - 0x30))
            guard !overflow1, !overflow2 else { throw Self.miss }
            value = added
            index += 1
        }
        let count = index - digits
        guard count > 0, count == 1 || bytes[digits] != 0x30, !(negative && value == 0) else { throw Self.miss }
        if index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): throw Self.miss
            default: break
            }
        }
        guard negative || value != .min else { throw Self.miss }
        offset = index
        return negative ? value : -value
    }

    mutating func plainInt() throws(Failure) -> Int {
        guard let value = Int(exactly: try plainInteger()) else { throw Self.miss }
        return value
    }

    mutating func identifier<Tag>() throws(Failure) -> Identifier<Tag> {
        do { return try Identifier<Tag>(try plainString()) } catch { throw Self.miss }
    }

    mutating func currency() throws(Failure) -> Currency {
        do { return try Currency(try plainString()) } catch { throw Self.miss }
    }

    mutating func money() throws(Failure) -> Money {
        var amount: Int64?
        var currency: Currency?
        try members(["amount_minor", "currency"]) { scanner, key throws(Failure) in
            if key == 0 { amount = try scanner.plainInteger() } else { currency = try scanner.currency() }
        }
        guard let amount, let currency else { throw Self.miss }
        return Money(amountMinor: amount, currency: currency)
    }

    /// The value of an object's only member, `key`.
    mutating func only<Value>(_ key: StaticString, _ read: (inout JSONScanner) throws(Failure) -> Value) throws(Failure) -> Value {
        var value: Value?
        try members([key]) { scanner, _ throws(Failure) in value = try read(&scanner) }
        return try Self.required(value)
    }

    /// A value that must be present: a miss when it is not.
    static func required<Value>(_ value: Value?) throws(Failure) -> Value {
        guard let value else { throw miss }
        return value
    }
}

// MARK: Orders

extension OrderCreated: PayloadReadable {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        var orderID: OrderID?
        var customerID: CustomerID?
        var shipping: ShippingAddress?
        var notes: String?
        var currency: Currency?
        try scanner.members(["order_id", "customer_id", "shipping", "notes", "currency"]) { scanner, key throws(JSONScanner.Failure) in
            switch key {
            case 0: orderID = try scanner.identifier()
            case 1: customerID = try scanner.identifier()
            case 2:
                var city: String?
                var country: String?
                try scanner.members(["city", "country"]) { scanner, key throws(JSONScanner.Failure) in
                    if key == 0 { city = try scanner.plainString() } else { country = try scanner.plainString() }
                }
                shipping = ShippingAddress(stored: try JSONScanner.required(city), country: try JSONScanner.required(country))
            case 3: notes = try scanner.optionalPlainString()
            default: currency = try scanner.currency()
            }
        }
        self.init(
            orderID: try JSONScanner.required(orderID), customerID: try JSONScanner.required(customerID),
            shipping: try JSONScanner.required(shipping), notes: notes, currency: try JSONScanner.required(currency))
    }
}

extension OrderItemAdded: PayloadReadable {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        var productID: ProductID?
        var quantity: Int?
        var unitPrice: Money?
        try scanner.members(["product_id", "quantity", "unit_price"]) { scanner, key throws(JSONScanner.Failure) in
            switch key {
            case 0: productID = try scanner.identifier()
            case 1: quantity = try scanner.plainInt()
            default: unitPrice = try scanner.money()
            }
        }
        self.init(
            productID: try JSONScanner.required(productID), quantity: try JSONScanner.required(quantity),
            unitPrice: try JSONScanner.required(unitPrice))
    }
}

extension OrderItemQuantityChanged: PayloadReadable {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        var productID: ProductID?
        var quantity: Int?
        try scanner.members(["product_id", "quantity"]) { scanner, key throws(JSONScanner.Failure) in
            if key == 0 { productID = try scanner.identifier() } else { quantity = try scanner.plainInt() }
        }
        self.init(productID: try JSONScanner.required(productID), quantity: try JSONScanner.required(quantity))
    }
}

extension OrderItemRemoved: PayloadReadable {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        self.init(productID: try scanner.only("product_id") { scanner throws(JSONScanner.Failure) in try scanner.identifier() })
    }
}

extension OrderSubmitted: PayloadReadable {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        self.init(total: try scanner.only("total") { scanner throws(JSONScanner.Failure) in try scanner.money() })
    }
}

extension OrderPaid: PayloadReadable {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        var amount: Money?
        var reference: String?
        try scanner.members(["amount", "payment_reference"]) { scanner, key throws(JSONScanner.Failure) in
            if key == 0 { amount = try scanner.money() } else { reference = try scanner.optionalPlainString() }
        }
        self.init(amount: try JSONScanner.required(amount), paymentReference: reference)
    }
}

extension OrderShipped: PayloadReadable {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        var carrier: String?
        var tracking: String?
        try scanner.members(["carrier", "tracking_number"]) { scanner, key throws(JSONScanner.Failure) in
            if key == 0 { carrier = try scanner.plainString() } else { tracking = try scanner.plainString() }
        }
        self.init(carrier: try JSONScanner.required(carrier), trackingNumber: try JSONScanner.required(tracking))
    }
}

extension OrderDelivered: PayloadReadable {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        try scanner.members([]) { _, _ throws(JSONScanner.Failure) in }
        self.init()
    }
}

extension OrderCancelled: PayloadReadable {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        self.init(reason: try scanner.only("reason") { scanner throws(JSONScanner.Failure) in try scanner.plainString() })
    }
}

// MARK: Customers and products

extension CustomerRegistered: PayloadReadable {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        var customerID: CustomerID?
        var name: String?
        var email: String?
        try scanner.members(["customer_id", "name", "email"]) { scanner, key throws(JSONScanner.Failure) in
            switch key {
            case 0: customerID = try scanner.identifier()
            case 1: name = try scanner.plainString()
            default: email = try scanner.plainString()
            }
        }
        self.init(customerID: try JSONScanner.required(customerID), name: try JSONScanner.required(name), email: try JSONScanner.required(email))
    }
}

extension CustomerRenamed: PayloadReadable {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        self.init(name: try scanner.only("name") { scanner throws(JSONScanner.Failure) in try scanner.plainString() })
    }
}

extension CustomerEmailChanged: PayloadReadable {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        self.init(email: try scanner.only("email") { scanner throws(JSONScanner.Failure) in try scanner.plainString() })
    }
}

extension ProductAdded: PayloadReadable {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        var productID: ProductID?
        var sku: String?
        var name: String?
        var price: Money?
        try scanner.members(["product_id", "sku", "name", "price"]) { scanner, key throws(JSONScanner.Failure) in
            switch key {
            case 0: productID = try scanner.identifier()
            case 1: sku = try scanner.plainString()
            case 2: name = try scanner.plainString()
            default: price = try scanner.money()
            }
        }
        self.init(
            productID: try JSONScanner.required(productID), sku: try JSONScanner.required(sku), name: try JSONScanner.required(name),
            price: try JSONScanner.required(price))
    }
}

extension ProductRenamed: PayloadReadable {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        self.init(name: try scanner.only("name") { scanner throws(JSONScanner.Failure) in try scanner.plainString() })
    }
}

extension ProductRepriced: PayloadReadable {
    init(reading scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        self.init(price: try scanner.only("price") { scanner throws(JSONScanner.Failure) in try scanner.money() })
    }
}
