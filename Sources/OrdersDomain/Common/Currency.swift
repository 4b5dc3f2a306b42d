/// An ISO 4217 currency code with its number of minor units (`EUR`: 2, `JPY`: 0, `KWD`: 3).
package struct Currency: Hashable, Sendable, CustomStringConvertible {
    package let code: String

    /// Number of decimal places of the currency's minor unit.
    package var minorUnits: Int { Self.known[code] ?? 2 }

    package init(_ code: String) throws(DomainError) {
        guard Self.known[code] != nil else {
            throw DomainError.invalid("currency", "'\(code.prefix(16))' is not a supported ISO 4217 currency code")
        }
        self.code = code
    }

    package var description: String { code }

    /// The ISO 4217 currencies this service accepts, with their minor units.
    static let known: [String: Int] = [
        "AED": 2, "ARS": 2, "AUD": 2, "BGN": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0, "CNY": 2,
        "COP": 2, "CZK": 2, "DKK": 2, "EGP": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2, "IDR": 2, "ILS": 2,
        "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0, "KES": 2, "KRW": 0, "KWD": 3, "MAD": 2, "MXN": 2, "MYR": 2,
        "NGN": 2, "NOK": 2, "NZD": 2, "OMR": 3, "PEN": 2, "PHP": 2, "PKR": 2, "PLN": 2, "QAR": 2, "RON": 2,
        "RSD": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2, "TND": 3, "TRY": 2, "TWD": 2, "UAH": 2, "USD": 2,
        "VND": 0, "ZAR": 2,
    ]
}

extension Currency: Codable {
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let code = try container.decode(String.self)
        do {
            try self.init(code)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
