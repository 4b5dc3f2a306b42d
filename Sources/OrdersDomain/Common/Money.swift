/// An amount of money: integer minor units (cents, yen, fils) in one currency. No floating point.
package struct Money: Hashable, Sendable, CustomStringConvertible {
    package let amountMinor: Int64
    package let currency: Currency

    /// The largest amount a price or payment may have (10^12 minor units). With at most 1,000 units
    /// per item and 100 items per order, order totals stay far below `Int64.max`.
    package static let maximumAmount: Int64 = 1_000_000_000_000

    package init(amountMinor: Int64, currency: Currency) {
        self.amountMinor = amountMinor
        self.currency = currency
    }

    package static func zero(_ currency: Currency) -> Money { Money(amountMinor: 0, currency: currency) }

    /// The sum of two amounts in the same currency.
    package func adding(_ other: Money) throws(DomainError) -> Money {
        try requireSameCurrency(other)
        let (sum, overflow) = amountMinor.addingReportingOverflow(other.amountMinor)
        guard !overflow else { throw DomainError(.overflow, "\(self) + \(other) overflows") }
        return Money(amountMinor: sum, currency: currency)
    }

    /// The difference of two amounts in the same currency.
    package func subtracting(_ other: Money) throws(DomainError) -> Money {
        try requireSameCurrency(other)
        let (difference, overflow) = amountMinor.subtractingReportingOverflow(other.amountMinor)
        guard !overflow else { throw DomainError(.overflow, "\(self) - \(other) overflows") }
        return Money(amountMinor: difference, currency: currency)
    }

    /// This amount times a whole number (a unit price times a quantity).
    package func multiplied(by factor: Int) throws(DomainError) -> Money {
        let (product, overflow) = amountMinor.multipliedReportingOverflow(by: Int64(factor))
        guard !overflow else { throw DomainError(.overflow, "\(self) × \(factor) overflows") }
        return Money(amountMinor: product, currency: currency)
    }

    /// Checks an amount given as a price or payment: not negative and at most `maximumAmount`.
    package func validatedAsPrice(field: String) throws(DomainError) -> Money {
        guard amountMinor >= 0 else { throw DomainError.invalid(field, "amount must not be negative, got \(amountMinor)") }
        guard amountMinor <= Self.maximumAmount else {
            throw DomainError.invalid(field, "amount must be at most \(Self.maximumAmount) minor units, got \(amountMinor)")
        }
        return self
    }

    private func requireSameCurrency(_ other: Money) throws(DomainError) {
        guard currency == other.currency else {
            throw DomainError(.currencyMismatch, "cannot combine \(currency) with \(other.currency)")
        }
    }

    /// `12.50 EUR`, `1200 JPY`: the amount in major units, for messages and logs.
    package var description: String {
        let digits = currency.minorUnits
        guard digits > 0 else { return "\(amountMinor) \(currency)" }
        var divisor: Int64 = 1
        for _ in 0..<digits { divisor *= 10 }
        let sign = amountMinor < 0 ? "-" : ""
        let magnitude = amountMinor.magnitude
        let major = magnitude / UInt64(divisor)
        let minor = String(magnitude % UInt64(divisor))
        return "\(sign)\(major).\(String(repeating: "0", count: digits - minor.count))\(minor) \(currency)"
    }
}

extension Money: Codable {
    enum CodingKeys: String, CodingKey {
        case amountMinor = "amount_minor"
        case currency
    }
}
