package import Foundation

/// Turns domain events into stored `(type, schema_version, payload)` triples and back.
///
/// Each payload type declares its stable type name (`order.item_added`, never changed once
/// shipped), its schema version and its upcasters (`EventPayload`); the codec's table is derived
/// from those declarations. When a payload's shape changes, its schema version goes up and an
/// upcaster that rewrites the previous version's JSON into the next one is added to the type, so
/// old events keep reading as current ones. Unknown types and versions newer than this build are
/// errors, never skipped.
package enum EventCodec {
    /// Every event type this build knows, with its current schema version.
    package static let currentVersions: [String: Int] = payloadTypes.mapValues { $0.schemaVersion }

    /// The table: the payload type of each stored type name, derived from the types' own
    /// declarations (`EventPayload`) listed in `DomainEvent.payloadTypes`.
    static let payloadTypes: [String: any EventPayload.Type] = Dictionary(
        uniqueKeysWithValues: DomainEvent.payloadTypes.map { ($0.eventType, $0) }
    )

    /// Encoders and decoders are thread-safe and reused (creating one per event is measurable).
    /// Keys are sorted so that the same event always has the same bytes.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
    private static let decoder = JSONDecoder()

    package static func encode(_ event: DomainEvent) throws -> EncodedEvent {
        try encode(payload: event.payload)
    }

    /// A payload under its type's name and current version. A type missing from
    /// `DomainEvent.payloadTypes` is refused: this build could not read the event back.
    static func encode<Payload: EventPayload>(payload: Payload) throws -> EncodedEvent {
        guard let listed = payloadTypes[Payload.eventType], listed == Payload.self else {
            throw EncodingError.invalidValue(
                payload,
                EncodingError.Context(
                    codingPath: [], debugDescription: "\(Payload.self) ('\(Payload.eventType)') is not in DomainEvent.payloadTypes"))
        }
        return EncodedEvent(type: Payload.eventType, schemaVersion: Payload.schemaVersion, payload: try encoder.encode(payload))
    }

    /// Decodes a stored event, upcasting older schema versions to the current one.
    package static func decode(type: String, schemaVersion: Int, payload: Data) throws(EventDecodingError) -> DomainEvent {
        try decode(type: type, schemaVersion: schemaVersion, payload: payload, readingBytes: true)
    }

    /// `readingBytes: false` leaves every payload to `JSONDecoder` (the reference the fast path is
    /// tested against).
    static func decode(type: String, schemaVersion: Int, payload: Data, readingBytes: Bool) throws(EventDecodingError) -> DomainEvent {
        guard let payloadType = payloadTypes[type] else {
            throw EventDecodingError(.unknownType, type: type, schemaVersion: schemaVersion, detail: "no such event type in this build")
        }
        let current = payloadType.schemaVersion
        guard schemaVersion <= current else {
            throw EventDecodingError(
                .futureVersion, type: type, schemaVersion: schemaVersion,
                detail: "this build reads up to v\(current); upgrade before reading this log"
            )
        }
        var data = payload
        if schemaVersion < current {
            data = try upcast(type: type, from: schemaVersion, to: current, payload: payload, upcasters: payloadType.upcasters)
        }
        // The encoder's own shape is read from the bytes; anything else goes to `JSONDecoder`.
        if readingBytes, let event = data.withUnsafeBytes({ payloadType.readEvent($0) }) { return event }
        do {
            return try payloadType.decodeEvent(data, with: decoder)
        } catch {
            throw EventDecodingError(.malformedPayload, type: type, schemaVersion: schemaVersion, detail: "\(error)")
        }
    }

    private static func upcast(
        type: String, from version: Int, to current: Int, payload: Data, upcasters: [Int: Upcaster]
    ) throws(EventDecodingError) -> Data {
        let object: [String: any Sendable]
        do {
            guard let decoded = try JSONSerialization.jsonObject(with: payload) as? [String: any Sendable] else {
                throw EventDecodingError(.malformedPayload, type: type, schemaVersion: version, detail: "payload is not a JSON object")
            }
            object = decoded
        } catch let error as EventDecodingError {
            throw error
        } catch {
            throw EventDecodingError(.malformedPayload, type: type, schemaVersion: version, detail: "\(error)")
        }
        var upgraded = object
        for step in version..<current {
            guard let upcaster = upcasters[step] else {
                throw EventDecodingError(.unsupportedVersion, type: type, schemaVersion: version, detail: "no upcaster from v\(step)")
            }
            upgraded = try upcaster(upgraded)
        }
        do {
            return try JSONSerialization.data(withJSONObject: upgraded)
        } catch {
            throw EventDecodingError(.malformedPayload, type: type, schemaVersion: version, detail: "\(error)")
        }
    }

    /// Rewrites the JSON object of version `n` into version `n + 1`.
    typealias Upcaster = @Sendable ([String: any Sendable]) throws(EventDecodingError) -> [String: any Sendable]

    /// The payload read by the fast path alone: nil for a miss (or an unknown type).
    static func readBytes(type: String, payload: Data) -> DomainEvent? {
        guard let payloadType = payloadTypes[type] else { return nil }
        return payload.withUnsafeBytes { payloadType.readEvent($0) }
    }
}
