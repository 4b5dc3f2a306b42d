/// Where an order ships: a city and an ISO 3166-1 alpha-2 country code.
package struct ShippingAddress: Hashable, Sendable, Codable {
    package let city: String
    package let country: String

    /// A shipping country as the domain accepts it: an ISO 3166-1 alpha-2 code, upper-cased.
    package static func country(_ code: String) throws(DomainError) -> String { try Validate.countryCode(code) }

    /// Validates and normalizes (trims the city, upper-cases the country).
    package init(city: String, country: String) throws(DomainError) {
        self.city = try Validate.text(city, field: "city", maxLength: 100)
        self.country = try Validate.countryCode(country)
    }

    /// As stored: events are read as they were written, not validated again (see `init(from:)`).
    init(stored city: String, country: String) {
        self.city = city
        self.country = country
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.city = try container.decode(String.self, forKey: .city)
        self.country = try container.decode(String.self, forKey: .country)
    }
}
