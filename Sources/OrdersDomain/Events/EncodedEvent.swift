public import Foundation

/// An event ready to be stored: its stable type name, schema version and JSON payload.
public struct EncodedEvent: Hashable, Sendable {
    public var type: String
    public var schemaVersion: Int
    public var payload: Data

    public init(type: String, schemaVersion: Int, payload: Data) {
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
    }
}
