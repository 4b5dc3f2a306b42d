/// A refusal by the domain: a command whose input is malformed, or that a business rule forbids.
///
/// The `code` says what kind of refusal it is (callers map it to HTTP statuses), `field` names the
/// input that was wrong when there is one, and `message` says why in words safe to show a user.
package struct DomainError: Error, Sendable, Hashable, CustomStringConvertible {
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidArgument = "invalid_argument"
            case notFound = "not_found"
            case alreadyExists = "already_exists"
            case invalidTransition = "invalid_transition"
            case emptyOrder = "empty_order"
            case currencyMismatch = "currency_mismatch"
            case amountMismatch = "amount_mismatch"
            case duplicateItem = "duplicate_item"
            case itemNotFound = "item_not_found"
            case limitExceeded = "limit_exceeded"
            case overflow = "overflow"
            case invalidRange = "invalid_range"
            case invalidCursor = "invalid_cursor"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Input is malformed (empty name, quantity out of range, bad currency code, ...).
        package static let invalidArgument = Code(.invalidArgument)
        /// A referenced aggregate (order, customer, product) does not exist.
        package static let notFound = Code(.notFound)
        /// The aggregate, or a unique value such as an email or SKU, already exists.
        package static let alreadyExists = Code(.alreadyExists)
        /// The aggregate's current status does not allow the command.
        package static let invalidTransition = Code(.invalidTransition)
        /// An order without items cannot be submitted.
        package static let emptyOrder = Code(.emptyOrder)
        /// Money in two currencies was combined (an order has one currency).
        package static let currencyMismatch = Code(.currencyMismatch)
        /// A payment does not equal the order total.
        package static let amountMismatch = Code(.amountMismatch)
        /// The product is already an item of the order.
        package static let duplicateItem = Code(.duplicateItem)
        /// The product is not an item of the order.
        package static let itemNotFound = Code(.itemNotFound)
        /// A size limit (items per order, ...) would be exceeded.
        package static let limitExceeded = Code(.limitExceeded)
        /// Money arithmetic overflowed.
        package static let overflow = Code(.overflow)
        /// Bounds each well-formed that together select nothing or too much: `to` not after `from`,
        /// a maximum below its minimum, a range holding more intervals than a chart may draw.
        package static let invalidRange = Code(.invalidRange)
        /// A page cursor that is not one the service gave for this search.
        package static let invalidCursor = Code(.invalidCursor)

        /// The stable snake_case name of the code (used in API error bodies).
        package var name: String { base.rawValue }
        package var description: String { base.rawValue }
    }

    package let code: Code
    package let message: String
    /// The input field the error is about, in snake_case as the API names it (`quantity`, `email`).
    package let field: String?

    package init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    package var description: String {
        if let field { return "\(code) (\(field)): \(message)" }
        return "\(code): \(message)"
    }

    static func invalid(_ field: String, _ message: String) -> DomainError {
        DomainError(.invalidArgument, message, field: field)
    }
}
