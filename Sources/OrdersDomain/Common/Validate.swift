/// Field checks shared by the commands. Each returns the normalized value or throws a
/// `DomainError` naming the field.
enum Validate {
    /// Trims surrounding whitespace; requires 1...`maxLength` characters and no control characters.
    static func text(_ value: String, field: String, maxLength: Int) throws(DomainError) -> String {
        let trimmed = value.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw DomainError.invalid(field, "must not be empty") }
        guard trimmed.count <= maxLength else {
            throw DomainError.invalid(field, "must be at most \(maxLength) characters, got \(trimmed.count)")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw DomainError.invalid(field, "must not contain control characters")
        }
        return trimmed
    }

    /// Like `text`, but an empty or whitespace-only value means "none".
    static func optionalText(_ value: String?, field: String, maxLength: Int) throws(DomainError) -> String? {
        guard let value, !value.trimmingWhitespace().isEmpty else { return nil }
        guard value.count <= maxLength * 2 else {
            throw DomainError.invalid(field, "must be at most \(maxLength) characters, got \(value.count)")
        }
        // Notes may span lines; allow newlines and tabs but no other control characters.
        let trimmed = value.trimmingWhitespace()
        guard trimmed.count <= maxLength else {
            throw DomainError.invalid(field, "must be at most \(maxLength) characters, got \(trimmed.count)")
        }
        let allowed: Set<Unicode.Scalar> = ["\n", "\r", "\t"]
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !allowed.contains($0) })
        else {
            throw DomainError.invalid(field, "must not contain control characters")
        }
        return trimmed
    }

    /// A plausible email address, lower-cased: `local@domain.tld`, at most 254 characters.
    static func email(_ value: String) throws(DomainError) -> String {
        let email = value.trimmingWhitespace().lowercased()
        guard email.utf8.count <= 254 else { throw DomainError.invalid("email", "must be at most 254 characters") }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !email.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else {
            throw DomainError.invalid("email", "'\(email.prefix(80))' is not a valid email address")
        }
        return email
    }

    /// A stock-keeping unit: 1...64 characters of letters, digits, `-`, `_` or `.`; upper-cased.
    static func sku(_ value: String) throws(DomainError) -> String {
        let sku = value.trimmingWhitespace().uppercased()
        guard (1...64).contains(sku.utf8.count),
            sku.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E })
        else {
            throw DomainError.invalid("sku", "must be 1 to 64 characters of letters, digits, '-', '_' or '.', got '\(value.prefix(80))'")
        }
        return sku
    }

    /// An ISO 3166-1 alpha-2 country code, upper-cased (`DE`, `jp` → `JP`).
    static func countryCode(_ value: String) throws(DomainError) -> String {
        let code = value.trimmingWhitespace().uppercased()
        guard code.utf8.count == 2, code.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
            throw DomainError.invalid("country", "must be an ISO 3166-1 alpha-2 code such as 'DE', got '\(value.prefix(16))'")
        }
        return code
    }

    /// An item quantity: 1...1000.
    static func quantity(_ value: Int) throws(DomainError) -> Int {
        guard Order.quantityRange.contains(value) else {
            throw DomainError.invalid(
                "quantity",
                "must be between \(Order.quantityRange.lowerBound) and \(Order.quantityRange.upperBound), got \(value)"
            )
        }
        return value
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
