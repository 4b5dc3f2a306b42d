package import Foundation
package import GRDB
package import Logging
import OrdersSearch

/// A document the index refused, or an order event that cannot be projected: its order is
/// parked (left as it is) until an operator retries or discards the letter.
package struct DeadLetter: Sendable, Hashable, Encodable {
    package var id: Int64
    package var orderID: String
    /// The document version (event position) that was refused.
    package var position: Int64
    package var reason: String
    package var recordedAt: Date
    /// When an operator discarded it (the order stays parked as it is).
    package var discardedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, orderID = "order_id", position, reason, recordedAt = "recorded_at", discardedAt = "discarded_at"
    }
}

/// The dead letters of a read side's projection.
package struct DeadLetters: Sendable {
    package let writer: any DatabaseWriter

    package init(writer: any DatabaseWriter) { self.writer = writer }

    /// Records a letter (once per order and position).
    package func add(orderID: String, position: Int64, reason: String, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO dead_letters (order_id, position, reason, recorded_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (order_id, position) DO NOTHING
                    """,
                arguments: [orderID, position, reason, date.epochMilliseconds]
            )
        }
    }

    /// An order event that cannot be projected: its order gets a letter (and is parked there)
    /// and the error is logged; returns the order id. Any other event's failure is thrown: it
    /// is not one order's to park.
    package func add(_ failure: ProjectionError, at date: Date, logger: Logger) async throws -> String {
        guard let orderID = DocumentTransitions.orderID(failure.streamID) else { throw failure }
        try await add(orderID: orderID, position: failure.position, reason: failure.reason, at: date)
        logger.error(
            "event dead-lettered; order parked",
            metadata: ["order.id": "\(orderID)", "projection.position": "\(failure.position)", "error": "\(failure.reason)"])
        return orderID
    }

    /// Every letter, oldest first.
    package func all() async throws -> [DeadLetter] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, order_id, position, reason, recorded_at, discarded_at FROM dead_letters ORDER BY id").map { row in
                DeadLetter(
                    id: row[0], orderID: row[1], position: row[2], reason: row[3], recordedAt: Date(epochMilliseconds: row[4]),
                    discardedAt: (row[5] as Int64?).map(Date.init(epochMilliseconds:)))
            }
        }
    }

    /// How many letters there are.
    package func count() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM dead_letters") ?? 0 }
    }

    /// Removes an order's letters (it was retried and written): the projector unparks it.
    package func remove(orderID: String) async throws {
        try await writer.write { db in try db.execute(sql: "DELETE FROM dead_letters WHERE order_id = ?", arguments: [orderID]) }
    }

    /// Marks a letter discarded; false if there is no such open letter.
    package func discard(id: Int64, at date: Date) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE dead_letters SET discarded_at = ? WHERE id = ? AND discarded_at IS NULL", arguments: [date.epochMilliseconds, id])
            return db.changesCount == 1
        }
    }

    /// Removes the letters of the orders whose every letter the index caused, not the document
    /// (an outage or a missing index, which earlier versions dead-lettered): those orders are
    /// retried as if an operator had asked. An order with a discarded letter stays as it is.
    /// Returns the orders released.
    package func releaseIndexFailures() async throws -> Set<String> {
        let byOrder = Dictionary(grouping: try await all(), by: \.orderID)
        let released = byOrder.filter { _, letters in
            letters.allSatisfy { letter in
                letter.discardedAt == nil && BulkItemFailure(deadLetterReason: letter.reason).map { $0 != .document } == true
            }
        }.keys
        for orderID in released { try await remove(orderID: orderID) }
        return Set(released)
    }

    /// Orders with a letter: their documents are not written until it is resolved.
    package func parkedOrders() async throws -> Set<String> {
        try await writer.read { db in Set(try String.fetchAll(db, sql: "SELECT DISTINCT order_id FROM dead_letters")) }
    }
}
