package import Foundation
package import GRDB
package import OrdersDomain

/// An event as stored in the log, with its position and metadata. The payload is kept as stored
/// (JSON, possibly an old schema version); `decode()` upcasts it to the current domain event.
package struct RecordedEvent: Sendable, Hashable {
    /// Global, gap-free position in commit order.
    package var position: Int64
    package var streamID: String
    /// 1-based version within the stream.
    package var streamVersion: Int
    package var type: String
    package var schemaVersion: Int
    package var payload: Data
    package var commandID: String?
    package var correlationID: String?
    package var recordedAt: Date

    package init(
        position: Int64, streamID: String, streamVersion: Int, type: String, schemaVersion: Int, payload: Data,
        commandID: String?, correlationID: String?, recordedAt: Date
    ) {
        self.position = position
        self.streamID = streamID
        self.streamVersion = streamVersion
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.commandID = commandID
        self.correlationID = correlationID
        self.recordedAt = recordedAt
    }

    /// The domain event, upcast to its current schema. Throws an `EventStoreError` naming this
    /// event's position and stream if it cannot be read (unknown type, future version, bad JSON).
    package func decode() throws(EventStoreError) -> DomainEvent {
        do {
            return try EventCodec.decode(type: type, schemaVersion: schemaVersion, payload: payload)
        } catch {
            throw EventStoreError(
                .undecodableEvent, "event at position \(position) (stream \(streamID) v\(streamVersion)) cannot be read: \(error)",
                streamID: streamID
            )
        }
    }

    enum Columns {
        static let position = Column("position")
        static let streamID = Column("stream_id")
        static let streamVersion = Column("stream_version")
        static let type = Column("type")
        static let schemaVersion = Column("schema_version")
        static let payload = Column("payload")
        static let commandID = Column("command_id")
        static let correlationID = Column("correlation_id")
        static let recordedAt = Column("recorded_at")
    }

    /// Milliseconds since 1970, as stored in `recorded_at`.
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// What names this event beside its position (its stream, stream version and time): a read
    /// side records it with its checkpoint, and finds out at its next start whether the log under
    /// it is still the one it projected (a store restored from a backup and written to since is
    /// not).
    package var fingerprint: String { "\(streamID) v\(streamVersion) at \(Self.milliseconds(recordedAt))" }
}

extension RecordedEvent: FetchableRecord {
    package init(row: Row) throws {
        self.init(
            position: row[0], streamID: row[1], streamVersion: row[2], type: row[3], schemaVersion: row[4],
            payload: row[5], commandID: row[6], correlationID: row[7],
            recordedAt: Date(timeIntervalSince1970: Double(row[8] as Int64) / 1000)
        )
    }

    /// The column list matching `init(row:)`.
    static let selection =
        "position, stream_id, stream_version, type, schema_version, payload, command_id, correlation_id, recorded_at"
}
