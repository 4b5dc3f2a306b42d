/// A typed identifier: `Identifier<OrderTag>` and `Identifier<CustomerTag>` cannot be mixed up.
///
/// Identifiers are 1...64 characters of ASCII letters, digits, `-` and `_` (UUIDs fit), so they are
/// safe in URLs, stream ids and document ids.
public struct Identifier<Tag: IdentifierTag>: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) throws(DomainError) {
        guard Self.isValid(rawValue) else {
            throw DomainError.invalid(
                Tag.field,
                "must be 1 to 64 characters of letters, digits, '-' or '_', got '\(rawValue.prefix(80))'"
            )
        }
        self.rawValue = rawValue
    }

    /// The event stream this aggregate's events live in: `order-<id>`.
    public var streamID: String { Tag.streamPrefix + "-" + rawValue }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    static func isValid(_ value: String) -> Bool {
        // A native string's bytes are checked in place (every id of the log is checked when a
        // reindex reads it; stepping `String.UTF8View` costs far more per byte).
        value.utf8.withContiguousStorageIfAvailable { isValid(bytes: $0) } ?? isValid(bytes: value.utf8)
    }

    private static func isValid(bytes: some Collection<UInt8>) -> Bool {
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F
        }
    }
}

extension Identifier: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        do {
            try self.init(raw)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// What distinguishes one kind of identifier from another.
public protocol IdentifierTag: Sendable {
    /// The API field name of this identifier (`order_id`), used in error messages.
    static var field: String { get }
    /// The prefix of the aggregate's stream id (`order`).
    static var streamPrefix: String { get }
}

public enum OrderTag: IdentifierTag {
    public static let field = "order_id"
    public static let streamPrefix = "order"
}

public enum CustomerTag: IdentifierTag {
    public static let field = "customer_id"
    public static let streamPrefix = "customer"
}

public enum ProductTag: IdentifierTag {
    public static let field = "product_id"
    public static let streamPrefix = "product"
}

public typealias OrderID = Identifier<OrderTag>
public typealias CustomerID = Identifier<CustomerTag>
public typealias ProductID = Identifier<ProductTag>
