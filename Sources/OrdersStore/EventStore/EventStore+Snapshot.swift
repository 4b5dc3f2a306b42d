import Foundation
import GRDB
import OrdersDomain
import RowScanning

/// Reads for rebuilding a read side from the log as of one position (a reindex). Events are
/// immutable and positions gap-free, so "every event at or below P" is a consistent snapshot
/// that a long job can read in many short transactions and resume after an interruption.
extension EventStore {
    /// One stream's events at or below a position.
    package struct StreamEvents: Sendable {
        package var streamID: String
        package var events: [RecordedEvent]
    }

    /// At most `limit` streams whose id starts with `prefix` and sorts after `afterStreamID`
    /// (from the first one when nil), in stream-id order, each with its events at positions
    /// `≤ through` in version order. Streams with no event that old are left out.
    ///
    /// This is the read of a whole-log fold (a reindex reads every event through it), so it
    /// reads what a fold needs and no more: `commandID` and `correlationID` are left nil. Rows
    /// are stepped in place; a stream's id and each event type become a `String` once per call,
    /// not once per event, and payloads are slices of one `Data` per call (so their indices do
    /// not start at 0).
    package func readStreams(
        prefix: String, after afterStreamID: String?, through position: Int64, limit: Int
    ) async throws(EventStoreError) -> [StreamEvents] {
        precondition(limit > 0, "limit must be positive")
        let lower = afterStreamID ?? prefix
        let upper = Self.upperBound(ofPrefix: prefix)
        return try await read("reading \(prefix) streams after \(lower) through position \(position)") { db in
            var streams: [StreamEvents] = []
            var types = TextIDs()
            var streamBytes: [UInt8] = []
            // Every payload of the call in one buffer, handed out as slices of one `Data`: two
            // allocations per call instead of two per event (freed by another thread, at that).
            var payloads: [UInt8] = []
            var payloadRanges: [Range<Int>] = []
            // The (stream_id, stream_version) unique index yields the rows already in order.
            try RowScan.step(
                db,
                sql: """
                    SELECT position, stream_id, stream_version, type, schema_version, payload, recorded_at FROM events
                    WHERE stream_id > ? AND stream_id < ? AND position <= ?
                    ORDER BY stream_id, stream_version
                    """,
                arguments: [lower, upper, position]
            ) { row in
                let streamID = row.bytes(1)
                let sameStream = !streams.isEmpty && streamBytes.withUnsafeBytes { RowScan.same($0, streamID) }
                if !sameStream {
                    if streams.count == limit { return false }
                    streamBytes = Array(streamID)
                    streams.append(StreamEvents(streamID: String(decoding: streamID, as: UTF8.self), events: []))
                }
                let type = types.id(row, 3)
                let start = payloads.count
                payloads.append(contentsOf: row.bytes(5))
                payloadRanges.append(start..<payloads.count)
                streams[streams.count - 1].events.append(
                    RecordedEvent(
                        position: row.int64(0), streamID: streams[streams.count - 1].streamID, streamVersion: Int(row.int64(2)),
                        type: types[type], schemaVersion: Int(row.int64(4)), payload: Data(), commandID: nil, correlationID: nil,
                        recordedAt: Date(timeIntervalSince1970: Double(row.int64(6)) / 1000)
                    ))
                return true
            }
            let shared = Data(payloads)
            var next = 0
            for stream in streams.indices {
                for event in streams[stream].events.indices {
                    streams[stream].events[event].payload = shared[payloadRanges[next]]
                    next += 1
                }
            }
            return streams
        }
    }

    /// A page of the orders `reference` reaches at positions `≤ through`, after position
    /// `after`, in position order: each order stream (`order-<id>`) with the position of the
    /// event that makes it reached: its creation for the customer, the product's addition (an
    /// order the product was added to twice appears twice). One range of one partial index
    /// (`events_by_order_customer`, `events_by_order_product`) per page, so a customer with a
    /// million orders is read a page at a time.
    package func orderStreams(
        reachedBy reference: OrderReference, after: Int64, through position: Int64, limit: Int
    ) async throws(EventStoreError) -> [(streamID: String, position: Int64)] {
        try await read("finding the orders of \(reference) after position \(after)") { db in
            try Row.fetchAll(db.cachedStatement(sql: reference.sql), arguments: [reference.id, after, position, limit]).map {
                (streamID: $0[0] as String, position: $0[1] as Int64)
            }
        }
    }

    /// The events at positions `≤ through` of each of `streamIDs`, in version order, in one
    /// read: the orders a batch of the live projection folds again. Streams without such an
    /// event are left out; the order of the streams is unspecified.
    package func readStreams(_ streamIDs: Set<String>, through position: Int64) async throws(EventStoreError) -> [StreamEvents] {
        guard !streamIDs.isEmpty else { return [] }
        return try await read("reading \(streamIDs.count) streams through position \(position)") { db in
            let statement = try db.cachedStatement(
                sql: "SELECT \(RecordedEvent.selection) FROM events WHERE stream_id = ? AND position <= ? ORDER BY stream_version")
            var streams: [StreamEvents] = []
            streams.reserveCapacity(streamIDs.count)
            for streamID in streamIDs {
                let events = try RecordedEvent.fetchAll(statement, arguments: [streamID, position])
                if !events.isEmpty { streams.append(StreamEvents(streamID: streamID, events: events)) }
            }
            return streams
        }
    }

    /// The number of orders created at positions `≤ through`.
    package func orderCount(through position: Int64) async throws(EventStoreError) -> Int {
        try await read("counting orders through position \(position)") { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM events WHERE type = ? AND position <= ?",
                arguments: [EventCodec.TypeName.orderCreated, position]) ?? 0
        }
    }

    /// The smallest string greater than every string starting with `prefix`.
    static func upperBound(ofPrefix prefix: String) -> String {
        var scalars = Array(prefix.unicodeScalars)
        guard let last = scalars.popLast(), let next = Unicode.Scalar(last.value + 1) else { return prefix + "\u{10FFFF}" }
        return String(String.UnicodeScalarView(scalars + [next]))
    }
}

/// A customer or product whose change reaches orders: the orders created for the customer, the
/// orders the product was added to.
package enum OrderReference: Sendable, Hashable, CustomStringConvertible {
    case customer(String)
    case product(String)

    package var id: String {
        switch self {
        case .customer(let id), .product(let id): id
        }
    }

    package var description: String {
        switch self {
        case .customer(let id): "customer \(id)"
        case .product(let id): "product \(id)"
        }
    }

    /// The type names are literals, as in the indexes' `WHERE`: SQLite uses a partial index only
    /// for a query whose terms imply it (`EventStoreTests` checks the plans).
    package var sql: String {
        switch self {
        case .customer:
            """
            SELECT stream_id, position FROM events
            WHERE type = 'order.created' AND json_extract(payload, '$.customer_id') = ? AND position > ? AND position <= ?
            ORDER BY position LIMIT ?
            """
        case .product:
            """
            SELECT stream_id, position FROM events
            WHERE type = 'order.item_added' AND json_extract(payload, '$.product_id') = ? AND position > ? AND position <= ?
            ORDER BY position LIMIT ?
            """
        }
    }
}
