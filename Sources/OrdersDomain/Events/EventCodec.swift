public import Foundation

/// Turns domain events into stored `(type, schema_version, payload)` triples and back.
///
/// Type names are stable strings (`order.item_added`); they never change once shipped. When a
/// payload's shape changes, its schema version goes up and an upcaster that rewrites the previous
/// version's JSON into the next one is added here, so old events keep reading as current ones.
/// Unknown types and versions newer than this build are errors, never skipped.
public enum EventCodec {
    /// Every event type this build knows, with its current schema version.
    public static let currentVersions: [String: Int] = Dictionary(
        uniqueKeysWithValues: kinds.map { ($0.key, $0.value.version) }
    )

    /// Encoders and decoders are thread-safe and reused (creating one per event is measurable).
    /// Keys are sorted so that the same event always has the same bytes.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
    private static let decoder = JSONDecoder()

    public static func encode(_ event: DomainEvent) throws -> EncodedEvent {
        func make(_ type: String, _ payload: some Encodable) throws -> EncodedEvent {
            EncodedEvent(type: type, schemaVersion: kinds[type]!.version, payload: try encoder.encode(payload))
        }
        switch event {
        case .order(let event):
            switch event {
            case .created(let p): return try make(TypeName.orderCreated, p)
            case .itemAdded(let p): return try make(TypeName.orderItemAdded, p)
            case .itemQuantityChanged(let p): return try make(TypeName.orderItemQuantityChanged, p)
            case .itemRemoved(let p): return try make(TypeName.orderItemRemoved, p)
            case .submitted(let p): return try make(TypeName.orderSubmitted, p)
            case .paid(let p): return try make(TypeName.orderPaid, p)
            case .shipped(let p): return try make(TypeName.orderShipped, p)
            case .delivered(let p): return try make(TypeName.orderDelivered, p)
            case .cancelled(let p): return try make(TypeName.orderCancelled, p)
            }
        case .customer(let event):
            switch event {
            case .registered(let p): return try make(TypeName.customerRegistered, p)
            case .renamed(let p): return try make(TypeName.customerRenamed, p)
            case .emailChanged(let p): return try make(TypeName.customerEmailChanged, p)
            }
        case .product(let event):
            switch event {
            case .added(let p): return try make(TypeName.productAdded, p)
            case .renamed(let p): return try make(TypeName.productRenamed, p)
            case .repriced(let p): return try make(TypeName.productRepriced, p)
            }
        }
    }

    /// Decodes a stored event, upcasting older schema versions to the current one.
    public static func decode(type: String, schemaVersion: Int, payload: Data) throws(EventDecodingError) -> DomainEvent {
        try decode(type: type, schemaVersion: schemaVersion, payload: payload, readingBytes: true)
    }

    /// `readingBytes: false` leaves every payload to `JSONDecoder` (the reference the fast path is
    /// tested against).
    static func decode(type: String, schemaVersion: Int, payload: Data, readingBytes: Bool) throws(EventDecodingError) -> DomainEvent {
        guard let kind = kinds[type] else {
            throw EventDecodingError(.unknownType, type: type, schemaVersion: schemaVersion, detail: "no such event type in this build")
        }
        guard schemaVersion <= kind.version else {
            throw EventDecodingError(
                .futureVersion, type: type, schemaVersion: schemaVersion,
                detail: "this build reads up to v\(kind.version); upgrade before reading this log"
            )
        }
        var data = payload
        if schemaVersion < kind.version {
            data = try upcast(type: type, from: schemaVersion, to: kind.version, payload: payload, upcasters: kind.upcasters)
        }
        // The encoder's own shape is read from the bytes; anything else goes to `JSONDecoder`.
        if readingBytes, let event = data.withUnsafeBytes(kind.read) { return event }
        do {
            return try kind.decode(decoder, data)
        } catch {
            throw EventDecodingError(.malformedPayload, type: type, schemaVersion: schemaVersion, detail: "\(error)")
        }
    }

    private static func upcast(
        type: String, from version: Int, to current: Int, payload: Data, upcasters: [Int: Upcaster]
    ) throws(EventDecodingError) -> Data {
        let object: [String: any Sendable]
        do {
            guard let decoded = try JSONSerialization.jsonObject(with: payload) as? [String: any Sendable] else {
                throw EventDecodingError(.malformedPayload, type: type, schemaVersion: version, detail: "payload is not a JSON object")
            }
            object = decoded
        } catch let error as EventDecodingError {
            throw error
        } catch {
            throw EventDecodingError(.malformedPayload, type: type, schemaVersion: version, detail: "\(error)")
        }
        var upgraded = object
        for step in version..<current {
            guard let upcaster = upcasters[step] else {
                throw EventDecodingError(.unsupportedVersion, type: type, schemaVersion: version, detail: "no upcaster from v\(step)")
            }
            upgraded = try upcaster(upgraded)
        }
        do {
            return try JSONSerialization.data(withJSONObject: upgraded)
        } catch {
            throw EventDecodingError(.malformedPayload, type: type, schemaVersion: version, detail: "\(error)")
        }
    }

    /// Rewrites the JSON object of version `n` into version `n + 1`.
    typealias Upcaster = @Sendable ([String: any Sendable]) throws(EventDecodingError) -> [String: any Sendable]

    /// The payload read by the fast path alone: nil for a miss (or an unknown type).
    static func readBytes(type: String, payload: Data) -> DomainEvent? {
        guard let kind = kinds[type] else { return nil }
        return payload.withUnsafeBytes(kind.read)
    }

    private struct Kind: Sendable {
        var version: Int
        /// The fast path (`PayloadReadable`): nil when `decode` must read the payload.
        var read: @Sendable (UnsafeRawBufferPointer) -> DomainEvent?
        var decode: @Sendable (JSONDecoder, Data) throws -> DomainEvent
        var upcasters: [Int: Upcaster] = [:]
    }

    /// The stable type names.
    public enum TypeName {
        public static let orderCreated = "order.created"
        public static let orderItemAdded = "order.item_added"
        public static let orderItemQuantityChanged = "order.item_quantity_changed"
        public static let orderItemRemoved = "order.item_removed"
        public static let orderSubmitted = "order.submitted"
        public static let orderPaid = "order.paid"
        public static let orderShipped = "order.shipped"
        public static let orderDelivered = "order.delivered"
        public static let orderCancelled = "order.cancelled"
        public static let customerRegistered = "customer.registered"
        public static let customerRenamed = "customer.renamed"
        public static let customerEmailChanged = "customer.email_changed"
        public static let productAdded = "product.added"
        public static let productRenamed = "product.renamed"
        public static let productRepriced = "product.repriced"
    }

    private static func kind<P: PayloadReadable & Sendable>(
        _ version: Int, _ payload: P.Type, upcasters: [Int: Upcaster] = [:], _ wrap: @escaping @Sendable (P) -> DomainEvent
    ) -> Kind {
        Kind(
            version: version, read: { bytes in P.read(bytes).map(wrap) },
            decode: { decoder, data in wrap(try decoder.decode(P.self, from: data)) }, upcasters: upcasters)
    }

    private static let kinds: [String: Kind] = [
        TypeName.orderCreated: kind(2, OrderCreated.self, upcasters: [1: orderCreatedV1toV2]) { .order(.created($0)) },
        TypeName.orderItemAdded: kind(1, OrderItemAdded.self) { .order(.itemAdded($0)) },
        TypeName.orderItemQuantityChanged: kind(1, OrderItemQuantityChanged.self) { .order(.itemQuantityChanged($0)) },
        TypeName.orderItemRemoved: kind(1, OrderItemRemoved.self) { .order(.itemRemoved($0)) },
        TypeName.orderSubmitted: kind(1, OrderSubmitted.self) { .order(.submitted($0)) },
        TypeName.orderPaid: kind(1, OrderPaid.self) { .order(.paid($0)) },
        TypeName.orderShipped: kind(1, OrderShipped.self) { .order(.shipped($0)) },
        TypeName.orderDelivered: kind(1, OrderDelivered.self) { .order(.delivered($0)) },
        TypeName.orderCancelled: kind(1, OrderCancelled.self) { .order(.cancelled($0)) },
        TypeName.customerRegistered: kind(1, CustomerRegistered.self) { .customer(.registered($0)) },
        TypeName.customerRenamed: kind(1, CustomerRenamed.self) { .customer(.renamed($0)) },
        TypeName.customerEmailChanged: kind(1, CustomerEmailChanged.self) { .customer(.emailChanged($0)) },
        TypeName.productAdded: kind(1, ProductAdded.self) { .product(.added($0)) },
        TypeName.productRenamed: kind(1, ProductRenamed.self) { .product(.renamed($0)) },
        TypeName.productRepriced: kind(1, ProductRepriced.self) { .product(.repriced($0)) },
    ]

    /// `order.created` v1 → v2: the flat `shipping_city` / `shipping_country` pair became a
    /// `shipping` object, and `notes` became optional (v1 wrote `""` for none).
    private static let orderCreatedV1toV2: Upcaster = { v1 throws(EventDecodingError) in
        guard let city = v1["shipping_city"] as? String, let country = v1["shipping_country"] as? String else {
            throw EventDecodingError(
                .malformedPayload, type: TypeName.orderCreated, schemaVersion: 1, detail: "missing shipping_city or shipping_country"
            )
        }
        var v2 = v1
        v2["shipping_city"] = nil
        v2["shipping_country"] = nil
        v2["shipping"] = ["city": city, "country": country] as [String: any Sendable]
        if let notes = v1["notes"] as? String, notes.isEmpty { v2["notes"] = nil }
        return v2
    }
}
