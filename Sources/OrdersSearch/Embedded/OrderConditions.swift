import Foundation
import GRDB
import OrdersDomain

/// Filters over `orders o` as SQL conditions (joined with `AND`) and the values they bind: the
/// one place where the embedded index's searches (`SearchPlan`) and analytics
/// (`AnalyticsSelection`) turn filters into SQL. Column names come from closed sets in code;
/// what a user typed only ever reaches SQLite as a bound value.
struct OrderConditions {
    /// A text column of `orders` compared for equality.
    enum TextColumn: String {
        case customerID = "o.customer_id"
        case currency = "o.currency"
        case country = "o.country"
    }

    private(set) var clauses: [String] = []
    private(set) var arguments: StatementArguments = []

    var isEmpty: Bool { clauses.isEmpty }

    /// The conditions joined with `AND` (empty when there are none).
    var sql: String { clauses.joined(separator: " AND ") }

    /// The date field from `from` (included) to `to` (excluded), in epoch milliseconds; a
    /// missing bound adds no condition.
    mutating func date(_ field: DateField, from: Date?, to: Date?) {
        // The date field's raw value is its column's name (a closed set, never user text).
        if let from { add("o.\(field.rawValue) >= ?", [SearchPlan.milliseconds(from)]) }
        if let to { add("o.\(field.rawValue) < ?", [SearchPlan.milliseconds(to)]) }
    }

    /// The column equals `value`, when there is one.
    mutating func equal(_ column: TextColumn, _ value: String?) {
        if let value { add("\(column.rawValue) = ?", [value]) }
    }

    /// The total (minor units) within the bounds given, both included.
    mutating func total(min: Int64?, max: Int64?) {
        if let min { add("o.total_minor >= ?", [min]) }
        if let max { add("o.total_minor <= ?", [max]) }
    }

    /// The status is one of `statuses`, when any is given (bound in sorted order).
    mutating func status(in statuses: Set<OrderStatus>) {
        guard !statuses.isEmpty else { return }
        let values = statuses.map(\.rawValue).sorted()
        add("o.status IN (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))", StatementArguments(values))
    }

    /// Any other condition, with the values it binds.
    mutating func add(_ clause: String, _ arguments: StatementArguments) {
        clauses.append(clause)
        self.arguments += arguments
    }
}
