/// An event in the log that cannot be turned into a `DomainEvent`. Never skipped silently: the
/// error names the event so an operator can find it.
package struct EventDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case unknownType = "unknown_type"
            case futureVersion = "future_version"
            case unsupportedVersion = "unsupported_version"
            case malformedPayload = "malformed_payload"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No event type of that name is known to this build.
        package static let unknownType = Code(.unknownType)
        /// The event was written by a newer build (schema version above the one this build knows).
        package static let futureVersion = Code(.futureVersion)
        /// An old schema version with no upcaster (version 0 or a removed one).
        package static let unsupportedVersion = Code(.unsupportedVersion)
        /// The payload does not decode as the type's schema.
        package static let malformedPayload = Code(.malformedPayload)

        package var description: String { base.rawValue }
    }

    package let code: Code
    package let type: String
    package let schemaVersion: Int
    package let detail: String

    package init(_ code: Code, type: String, schemaVersion: Int, detail: String) {
        self.code = code
        self.type = type
        self.schemaVersion = schemaVersion
        self.detail = detail
    }

    package var description: String { "\(code) event '\(type)' v\(schemaVersion): \(detail)" }
}
