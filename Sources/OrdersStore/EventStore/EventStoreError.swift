import GRDB

/// A failure of the event store, with the stream it concerns. `description` is safe to log.
package struct EventStoreError: Error, Sendable, CustomStringConvertible {
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case concurrencyConflict = "concurrency_conflict"
            case uniqueKeyTaken = "unique_key_taken"
            case undecodableEvent = "undecodable_event"
            case corruptStream = "corrupt_stream"
            case database = "database"
            case storeUnavailable = "store_unavailable"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The stream's version is not the one the decision was based on; nothing was written.
        package static let concurrencyConflict = Code(.concurrencyConflict)
        /// A unique value (email, SKU) belongs to another stream; nothing was written.
        package static let uniqueKeyTaken = Code(.uniqueKeyTaken)
        /// A stored event cannot be decoded by this build (unknown type, future version, bad JSON).
        package static let undecodableEvent = Code(.undecodableEvent)
        /// A stream holds events of another aggregate or does not begin with a creation event.
        package static let corruptStream = Code(.corruptStream)
        /// SQLite failed (lock timeout, corruption, ...).
        package static let database = Code(.database)
        /// The store cannot write now: the disk is full, the file system read-only, or I/O
        /// fails. Nothing was written; the same request may succeed once an operator freed space.
        package static let storeUnavailable = Code(.storeUnavailable)

        package var description: String { base.rawValue }
    }

    package let code: Code
    package let message: String
    package let streamID: String?
    /// For `concurrencyConflict`: the version the caller expected and the one found.
    package var expectedVersion: Int?
    package var actualVersion: Int?
    /// For `uniqueKeyTaken`: the scope (`customer_email`) and the value.
    package var uniqueScope: String?
    package var uniqueKey: String?

    package init(_ code: Code, _ message: String, streamID: String? = nil) {
        self.code = code
        self.message = message
        self.streamID = streamID
    }

    static func conflict(streamID: String, expected: Int, actual: Int) -> EventStoreError {
        var error = EventStoreError(
            .concurrencyConflict, "stream \(streamID) is at version \(actual), expected \(expected)", streamID: streamID
        )
        error.expectedVersion = expected
        error.actualVersion = actual
        return error
    }

    static func uniqueKeyTaken(_ key: UniqueKey, streamID: String) -> EventStoreError {
        var error = EventStoreError(.uniqueKeyTaken, "\(key.scope) '\(key.value)' is already taken", streamID: streamID)
        error.uniqueScope = key.scope
        error.uniqueKey = key.value
        return error
    }

    static func database(_ error: any Error, while action: String) -> EventStoreError {
        if let why = unavailability(error) { return EventStoreError(.storeUnavailable, "\(action) failed: \(why) (\(error))") }
        return EventStoreError(.database, "\(action) failed: \(error)")
    }

    /// In words, why SQLite cannot write, when the cause is the disk or the file system rather
    /// than the request: nil for any other error.
    package static func unavailability(_ error: any Error) -> String? {
        guard let error = error as? DatabaseError else { return nil }
        switch error.resultCode {
        case .SQLITE_FULL: return "the disk is full"
        case .SQLITE_READONLY: return "the store's file system or file is read-only"
        case .SQLITE_IOERR: return "a disk I/O error (is the disk full or failing?)"
        case .SQLITE_CANTOPEN: return "the store's file cannot be opened (missing folder, permissions, or no space)"
        default: return nil
        }
    }

    /// Whether the store failed (rather than refusing the request: a conflict, a taken key).
    package var isStoreFailure: Bool { code == .database || code == .storeUnavailable }

    package var description: String { "\(code): \(message)" }
}
