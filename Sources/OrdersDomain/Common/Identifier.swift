/// A typed identifier: `Identifier<OrderTag>` and `Identifier<CustomerTag>` cannot be mixed up.
///
/// Identifiers are 1...64 characters of ASCII letters, digits, `-` and `_` (UUIDs fit), so they are
/// safe in URLs, stream ids and document ids.
package struct Identifier<Tag: IdentifierTag>: Hashable, Sendable, Comparable, CustomStringConvertible {
    package let rawValue: String

    package init(_ rawValue: String) throws(DomainError) {
        guard Self.isValid(rawValue) else {
            throw DomainError.invalid(
                Tag.field,
                "must be 1 to 64 characters of letters, digits, '-' or '_', got '\(rawValue.prefix(80))'"
            )
        }
        self.rawValue = rawValue
    }

    /// The event stream this aggregate's events live in: `order-<id>`.
    package var streamID: String { Tag.streamPrefix + "-" + rawValue }

    package var description: String { rawValue }

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

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
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        do {
            try self.init(raw)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// What distinguishes one kind of identifier from another.
package protocol IdentifierTag: Sendable {
    /// The API field name of this identifier (`order_id`), used in error messages.
    static var field: String { get }
    /// The prefix of the aggregate's stream id (`order`).
    static var streamPrefix: String { get }
}

package enum OrderTag: IdentifierTag {
    package static let field = "order_id"
    package static let streamPrefix = "order"
}

package enum CustomerTag: IdentifierTag {
    package static let field = "customer_id"
    package static let streamPrefix = "customer"
}

package enum ProductTag: IdentifierTag {
    package static let field = "product_id"
    package static let streamPrefix = "product"
}

package typealias OrderID = Identifier<OrderTag>
package typealias CustomerID = Identifier<CustomerTag>
package typealias ProductID = Identifier<ProductTag>
