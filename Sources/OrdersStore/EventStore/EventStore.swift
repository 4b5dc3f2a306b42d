package import Foundation
package import GRDB
import OrdersDomain
import Synchronization

/// The event log: appends with optimistic concurrency and unique-key claims, and ordered reads.
///
/// **Group commit.** SQLite has one writer. Appends from concurrent callers are queued; the first
/// one to find the writer idle schedules a write on GRDB's serial writer queue, which takes every
/// queued append (up to `maximumGroupCommit`) and commits them in one `IMMEDIATE` transaction,
/// each inside its own savepoint. A request that fails its checks (version conflict, taken email)
/// rolls back its savepoint only and gets its own error; the others commit. A caller is answered
/// only after the transaction committed, so an acknowledged append is as durable as the
/// configured `synchronous` level makes it. Under load this shares one fsync between many
/// commands; a lone command pays one transaction as before.
///
/// **Positions** are assigned inside that transaction as `max(position) + 1, + 2, ...`, so they
/// are gap-free in commit order: a reader that has seen position N has seen every event below N.
package final class EventStore: Sendable {
    package let writer: any DatabaseWriter
    private let maximumGroupCommit: Int
    private let queue = Mutex(PendingAppends())

    private struct PendingAppends: ~Copyable {
        var requests: [(AppendRequest, AppendTicket)] = []
        var writing = false
    }

    /// Why the last append could not be written because the store could not write (disk full,
    /// read-only), until an append or a probe write succeeds.
    private let writeFailure = Mutex<String?>(nil)

    /// Why the store could not write the last time an append tried (nil once a write succeeded
    /// since): `/ready` reports it.
    package var lastWriteFailure: String? { writeFailure.withLock { $0 } }

    private func noteWriteOutcome(_ results: [Result<AppendResult, EventStoreError>]) {
        var unavailable: EventStoreError?
        for result in results {
            switch result {
            case .success:
                writeFailure.withLock { $0 = nil }
                return
            case .failure(let error):
                if error.code == .storeUnavailable { unavailable = error }
            }
        }
        if let unavailable { writeFailure.withLock { $0 = unavailable.message } }
    }

    /// Subscribers to "new events were committed" (the in-process projector).
    private let subscribers = Mutex<[Int: AsyncStream<Int64>.Continuation]>([:])
    private let nextSubscriber = Mutex(0)

    /// A stream of the head position after each commit that appended events. Only the newest
    /// value is kept for a slow reader. Writers in other processes are not seen: poll as well.
    package func commits() -> AsyncStream<Int64> {
        let id = nextSubscriber.withLock { next in
            next += 1
            return next
        }
        let (stream, continuation) = AsyncStream<Int64>.makeStream(bufferingPolicy: .bufferingNewest(1))
        continuation.onTermination = { [weak self] _ in self?.subscribers.withLock { _ = $0.removeValue(forKey: id) } }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    package init(writer: any DatabaseWriter, maximumGroupCommit: Int = 256, hold: StoreHold? = nil) {
        precondition(maximumGroupCommit > 0)
        self.writer = writer
        self.maximumGroupCommit = maximumGroupCommit
        self.hold = hold
    }

    /// The store's hold (`StoreHold`) lives as long as this event store: a process using the
    /// store keeps it from being restored over.
    private let hold: StoreHold?

    package convenience init(database: StoreDatabase) {
        self.init(writer: database.writer, maximumGroupCommit: database.configuration.maximumGroupCommit, hold: database.hold)
    }

    // MARK: Appending

    /// Appends the request's events at the end of its stream if the stream is still at
    /// `expectedVersion` and every claimed unique key is free (or already this stream's).
    /// On failure nothing of the request is written.
    package func append(_ request: AppendRequest) async throws(EventStoreError) -> AppendResult {
        precondition(!request.events.isEmpty, "an append must carry at least one event")
        let ticket = AppendTicket()
        let startWriter = queue.withLock { pending in
            pending.requests.append((request, ticket))
            if pending.writing { return false }
            pending.writing = true
            return true
        }
        if startWriter { scheduleWrite() }
        return try await ticket.result().get()
    }

    private func scheduleWrite() {
        writer.asyncWriteWithoutTransaction { [self] db in
            let batch = queue.withLock { pending in
                let count = min(pending.requests.count, maximumGroupCommit)
                let batch = Array(pending.requests.prefix(count))
                pending.requests.removeFirst(count)
                return batch
            }
            let results = Self.commit(batch.map(\.0), in: db)
            noteWriteOutcome(results)
            for ((_, ticket), result) in zip(batch, results) { ticket.complete(result) }
            if let head = results.compactMap({ try? $0.get() }).filter({ !$0.replayed }).map(\.position).max() {
                for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(head) }
            }
            let more = queue.withLock { pending in
                if pending.requests.isEmpty {
                    pending.writing = false
                    return false
                }
                return true
            }
            if more { scheduleWrite() }
        }
    }

    /// Commits a batch in one transaction; one result per request, in order.
    private static func commit(_ batch: [AppendRequest], in db: Database) -> [Result<AppendResult, EventStoreError>] {
        var results: [Result<AppendResult, EventStoreError>] = []
        results.reserveCapacity(batch.count)
        do {
            try db.inTransaction(.immediate) {
                var head = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(position) FROM events")) ?? 0
                // One savepoint per request, through cached statements (GRDB's `inSavepoint`
                // prepares its SQL each time, which shows on this path).
                let savepoint = try db.cachedStatement(sql: "SAVEPOINT append")
                let release = try db.cachedStatement(sql: "RELEASE SAVEPOINT append")
                let rollback = try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT append")
                for request in batch {
                    try savepoint.execute()
                    do {
                        let result = try appendOne(request, in: db, head: &head)
                        try release.execute()
                        results.append(.success(result))
                    } catch let failure {
                        // Undo this request only; `head` was not advanced for it.
                        do {
                            try rollback.execute()
                            try release.execute()
                        } catch {
                            // SQLite rolled the whole transaction back itself (a full disk, an I/O
                            // error): the batch fails for the request's reason, not the rollback's.
                            throw failure
                        }
                        if let failure = failure as? EventStoreError {
                            results.append(.failure(failure))
                        } else {
                            results.append(.failure(.database(failure, while: "appending to stream \(request.streamID)")))
                        }
                    }
                }
                return .commit
            }
        } catch {
            // The transaction did not commit: nothing of this batch is stored.
            let failure = EventStoreError.database(error, while: "committing \(batch.count) append(s)")
            return batch.map { _ in .failure(failure) }
        }
        return results
    }

    private static func appendOne(_ request: AppendRequest, in db: Database, head: inout Int64) throws -> AppendResult {
        if let commandID = request.metadata.commandID,
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT stream_id, stream_version, position FROM processed_commands WHERE command_id = ?"),
                arguments: [commandID]
            )
        {
            let streamID: String = row[0]
            guard streamID == request.streamID else {
                throw EventStoreError(
                    .concurrencyConflict, "command id \(commandID) was already used for stream \(streamID)", streamID: request.streamID
                )
            }
            return AppendResult(streamVersion: row[1], position: row[2], replayed: true)
        }

        let versionOf = try db.cachedStatement(sql: "SELECT max(stream_version) FROM events WHERE stream_id = ?")
        let current = try Int.fetchOne(versionOf, arguments: [request.streamID]) ?? 0
        guard current == request.expectedVersion else {
            throw EventStoreError.conflict(streamID: request.streamID, expected: request.expectedVersion, actual: current)
        }
        for (streamID, expected) in request.readVersions {
            let actual = try Int.fetchOne(versionOf, arguments: [streamID]) ?? 0
            guard actual == expected else { throw EventStoreError.conflict(streamID: streamID, expected: expected, actual: actual) }
        }

        for key in request.releases {
            try db.cachedStatement(sql: "DELETE FROM unique_keys WHERE scope = ? AND key = ? AND stream_id = ?")
                .execute(arguments: [key.scope, key.value, request.streamID])
        }
        for key in request.claims {
            // Usually free: one insert. Only when it is held already, look up by whom.
            try db.cachedStatement(sql: "INSERT INTO unique_keys (scope, key, stream_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                .execute(arguments: [key.scope, key.value, request.streamID])
            if db.changesCount == 0 {
                let holder = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT stream_id FROM unique_keys WHERE scope = ? AND key = ?"), arguments: [key.scope, key.value]
                )
                guard holder == request.streamID else { throw EventStoreError.uniqueKeyTaken(key, streamID: request.streamID) }
            }
        }

        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO events (position, stream_id, stream_version, type, schema_version, payload, command_id, correlation_id, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        let recordedAt = RecordedEvent.milliseconds(request.metadata.recordedAt)
        var position = head
        var version = current
        for event in request.events {
            position += 1
            version += 1
            try insert.execute(arguments: [
                position, request.streamID, version, event.type, event.schemaVersion,
                String(decoding: event.payload, as: UTF8.self), request.metadata.commandID, request.metadata.correlationID, recordedAt,
            ])
        }
        if let commandID = request.metadata.commandID {
            try db.cachedStatement(sql: "INSERT INTO processed_commands (command_id, stream_id, stream_version, position) VALUES (?, ?, ?, ?)")
                .execute(arguments: [commandID, request.streamID, version, position])
        }
        head = position
        return AppendResult(streamVersion: version, position: position)
    }

    // MARK: Reading

    /// Every event of one stream, in version order.
    package func readStream(_ streamID: String) async throws(EventStoreError) -> [RecordedEvent] {
        try await read("reading stream \(streamID)") { db in
            try RecordedEvent.fetchAll(
                db.cachedStatement(
                    sql: "SELECT \(RecordedEvent.selection) FROM events WHERE stream_id = ? ORDER BY stream_version"
                ),
                arguments: [streamID]
            )
        }
    }

    /// At most `limit` events with `position > after`, in position order.
    package func readAll(after position: Int64, limit: Int) async throws(EventStoreError) -> [RecordedEvent] {
        precondition(limit > 0, "limit must be positive")
        return try await read("reading events after \(position)") { db in
            try RecordedEvent.fetchAll(
                db.cachedStatement(
                    sql: "SELECT \(RecordedEvent.selection) FROM events WHERE position > ? ORDER BY position LIMIT ?"
                ),
                arguments: [position, limit]
            )
        }
    }

    /// The outcome of a command id appended before, if any.
    package func processedCommand(_ commandID: String) async throws(EventStoreError) -> (streamID: String, result: AppendResult)? {
        try await read("looking up command \(commandID)") { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT stream_id, stream_version, position FROM processed_commands WHERE command_id = ?"),
                arguments: [commandID]
            ).map { row in (streamID: row[0] as String, result: AppendResult(streamVersion: row[1], position: row[2], replayed: true)) }
        }
    }

    /// The position of the newest event, 0 for an empty log.
    package func headPosition() async throws(EventStoreError) -> Int64 {
        try await read("reading the head position") { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(position) FROM events")) ?? 0
        }
    }

    /// The fingerprint of the event at `position` (`RecordedEvent.fingerprint`), nil when there
    /// is none.
    package func fingerprint(at position: Int64) async throws(EventStoreError) -> String? {
        try await read("reading the event at position \(position)") { db in
            try RecordedEvent.fetchOne(
                db.cachedStatement(sql: "SELECT \(RecordedEvent.selection) FROM events WHERE position = ?"), arguments: [position]
            )?.fingerprint
        }
    }

    /// The store's id, chosen at random when it was created: what a read side records of the
    /// log it is built from, so that it never serves another store's orders.
    package func identity() async throws(EventStoreError) -> String {
        try await read("reading the store's identity") { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT store_id FROM store_identity WHERE id = 1")) ?? ""
        }
    }

    /// Writes a row beside the log (never an event) to learn whether the store can write now;
    /// throws `storeUnavailable` (disk full, read-only) or `database` when it cannot.
    package func probeWrite(at date: Date) async throws(EventStoreError) {
        do {
            try await writer.write { db in
                try db.execute(
                    sql: "INSERT INTO write_probe (id, probed_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at",
                    arguments: [Int64((date.timeIntervalSince1970 * 1000).rounded())])
            }
        } catch {
            throw .database(error, while: "probing whether the store can write")
        }
        writeFailure.withLock { $0 = nil }
    }

    func read<T: Sendable>(_ action: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(EventStoreError) -> T {
        do {
            return try await writer.read(body)
        } catch {
            throw .database(error, while: action)
        }
    }
}
