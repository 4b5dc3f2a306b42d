package import Foundation

/// An event ready to be stored: its stable type name, schema version and JSON payload.
package struct EncodedEvent: Hashable, Sendable {
    package var type: String
    package var schemaVersion: Int
    package var payload: Data

    package init(type: String, schemaVersion: Int, payload: Data) {
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
    }
}
