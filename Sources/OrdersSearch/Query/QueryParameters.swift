import Foundation
import OrdersDomain

/// Request parameters by name, for the query types' `parse`: unknown names refused, repeated
/// ones only where allowed, and the parameters several queries share read one way. Every
/// refusal is a `DomainError(.invalidArgument)` naming the parameter.
struct QueryParameters {
    private var values: [String: [String]] = [:]

    /// `unknown` says what to do instead of an unknown parameter (`"; use from, to, ..."`).
    init(
        _ parameters: [(String, String)], accepted: Set<String>, unknown: (String) -> String = { "unknown parameter '\($0)'" }
    )
        throws(DomainError)
    {
        for (name, value) in parameters {
            let shown = String(name.prefix(40))
            guard accepted.contains(name) else { throw DomainError(.invalidArgument, unknown(shown), field: shown) }
            values[name, default: []].append(value)
        }
    }

    /// The value of a parameter given at most once.
    func single(_ name: String) throws(DomainError) -> String? {
        guard let list = values[name] else { return nil }
        guard list.count == 1 else { throw DomainError(.invalidArgument, "give '\(name)' once", field: name) }
        return list[0]
    }

    /// `tz`: an IANA zone, UTC when absent.
    func timeZone() throws(DomainError) -> TimeZone {
        guard let tz = try single("tz") else { return TimeZone(identifier: "UTC")! }
        guard let zone = TimeZone(identifier: tz) else {
            throw DomainError(.invalidArgument, "'\(tz.prefix(60))' is not an IANA time zone such as Europe/Berlin", field: "tz")
        }
        return zone
    }

    func dateField() throws(DomainError) -> DateField? {
        guard let field = try single("date_field") else { return nil }
        guard let dateField = DateField(rawValue: field) else {
            throw DomainError(.invalidArgument, "must be one of \(DateField.allCases.map(\.rawValue).joined(separator: ", "))", field: "date_field")
        }
        return dateField
    }

    /// `status`, repeated or comma-separated.
    func statuses() throws(DomainError) -> Set<OrderStatus> {
        var statuses: Set<OrderStatus> = []
        for list in values["status"] ?? [] {
            for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                guard let status = OrderStatus(rawValue: name) else {
                    throw DomainError(
                        .invalidArgument, "'\(name.prefix(30))' is not a status; use \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))",
                        field: "status")
                }
                statuses.insert(status)
            }
        }
        return statuses
    }

    func customerID() throws(DomainError) -> String? {
        guard let customer = try single("customer_id") else { return nil }
        guard (try? CustomerID(customer)) != nil else { throw DomainError(.invalidArgument, "not a customer id", field: "customer_id") }
        return customer
    }

    /// `currency`: an ISO 4217 code, upper-cased.
    func currency() throws(DomainError) -> String? {
        try single("currency").map { code throws(DomainError) in try Currency(code.uppercased()).code }
    }

    /// `size` within `range`.
    func size(_ range: ClosedRange<Int>) throws(DomainError) -> Int? {
        guard let size = try single("size") else { return nil }
        guard let value = Int(size), range.contains(value) else {
            throw DomainError(.invalidArgument, "must be a whole number from \(range.lowerBound) to \(range.upperBound)", field: "size")
        }
        return value
    }
}
