import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import LiveHTTP
import Logging
import OrdersAPI
import OrdersProjection
import OrdersStore
import OrdersTestSupport
import ProjectionTestSupport
import TestClocks
import Testing

/// A store that cannot write (disk full, read-only file system): commands answer 503
/// `store_unavailable` and change nothing, `/ready` fails until writes succeed again, and the
/// read side's readiness is its own.
@Suite(.timeLimit(.minutes(5))) struct StoreUnavailableTests {
    /// Limits the store's file to the pages it has now, as a full disk does (SQLite answers
    /// SQLITE_FULL to a write that needs another page), or lifts the limit.
    static func fillDisk(_ t: TestStore, _ full: Bool) async throws {
        try await t.store.writer.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            try db.execute(sql: "PRAGMA max_page_count = \(full ? pages : 1_073_741_823)")
        }
    }

    /// The server as `orders serve` assembles it over `t`, with an admin token, its time on `clock`.
    static func withServer(_ t: TestStore, clock: ManualClock, _ body: @escaping @Sendable (TestClient) async throws -> Void) async throws {
        let server = try await buildServer(
            store: t.store, bus: t.bus, keys: APIKeys(database: t.database), readSide: try ReadSide.embedded(in: t),
            configuration: ServerConfiguration(authentication: .init(adminToken: "admin")), registry: nil, clock: clock, wallClock: t.clock,
            logger: Logger(label: "api"))
        try await server.application.test(body)
    }

    static func status(
        _ client: TestClient, _ method: HTTPRequest.Method, _ uri: String, body: String? = nil
    ) async throws -> (
        HTTPResponse.Status, HTTPFields, String
    ) {
        try await client.execute(
            uri: uri, method: method, headers: [.authorization: "Bearer admin", .contentType: "application/json"],
            body: body.map { ByteBuffer(string: $0) }
        ) { ($0.status, $0.headers, String(buffer: $0.body)) }
    }

    /// A projection that halts (here: a read side past the log, as a store restored over it
    /// leaves it) stops the projection, not the server: commands go on, `/ready` stays ready,
    /// and `/ready/read` says why the read side is not.
    @Test func aHaltedProjectionKeepsCommandsServedAndReadyReadSaysWhy() async throws {
        try await TestStore.with { t throws in
            let readSide = try ReadSide.embedded(in: t)
            #expect(try await readSide.state.checkpoints.move(readSide.checkpointName, from: 0, to: 50))
            let server = try await buildServer(
                store: t.store, bus: t.bus, keys: APIKeys(database: t.database), readSide: readSide,
                configuration: ServerConfiguration(port: 0, authentication: .init(adminToken: "admin")), registry: nil, clock: ManualClock(),
                wallClock: t.clock, logger: Logger(label: "api"))
            let projector = server.projector
            try await server.application.test { client in
                // (bounded only so that a server that stopped instead fails here, not at the limit)
                let deadline = ContinuousClock.now + .seconds(30)
                while await projector.halted == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
                try #require(await projector.halted != nil, "the projection halted and the server goes on")
                let (created, _, _) = try await Self.status(client, .post, "/customers", body: #"{"name":"A","email":"a@example.com"}"#)
                #expect(created == .created)
                #expect(try await Self.status(client, .get, "/ready").0 == .ok)
                let (read, _, body) = try await Self.status(client, .get, "/ready/read")
                #expect(read == .serviceUnavailable)
                #expect(body.contains("the projection halted") && body.contains("ahead of the event log"), "\(body)")
            }
        }
    }

    @Test func aFullDiskMakesCommandsAnswer503AndReadyFailUntilWritesSucceed() async throws {
        try await TestStore.with { t throws in
            let clock = ManualClock()
            try await Self.withServer(t, clock: clock) { client in
                #expect(try await Self.status(client, .get, "/ready").0 == .ok)
                // Given a disk that fills up
                try await Self.fillDisk(t, true)
                // When commands keep coming: the first that needs space is refused, and nothing of it is written
                var refused: (HTTPResponse.Status, HTTPFields, String)?
                for n in 0..<500 where refused == nil {
                    let before = try await t.store.headPosition()
                    let answer = try await Self.status(
                        client, .post, "/customers",
                        body: #"{"customer_id":"c-\#(n)","name":"\#(String(repeating: "Zoë Müller ", count: 18))","email":"c\#(n)@example.com"}"#)
                    if answer.0 != .created {
                        refused = answer
                        #expect(try await t.store.headPosition() == before, "a refused command writes nothing")
                    }
                }
                let (status, headers, body) = try #require(refused, "the disk never filled up")
                // Then it answers 503 store_unavailable with Retry-After, in words
                #expect(status == .serviceUnavailable, "\(body)")
                #expect(headers[.retryAfter] == "5")
                #expect(body.contains(#""code":"store_unavailable""#), "\(body)")
                // And /ready fails, saying why to an admin, while /ready/read (queries) stays ready
                let (ready, _, readyBody) = try await Self.status(client, .get, "/ready")
                #expect(ready == .serviceUnavailable && readyBody.contains("the disk is full"), "\(readyBody)")
                #expect(try await Self.status(client, .get, "/ready/read").0 == .ok)
                #expect(try await Self.status(client, .get, "/orders/search").0 == .ok)

                // When space is freed, /ready holds its answer a few seconds, then probes and is ready again
                try await Self.fillDisk(t, false)
                #expect(try await Self.status(client, .get, "/ready").0 == .serviceUnavailable)
                clock.advance(by: .seconds(5))
                #expect(try await Self.status(client, .get, "/ready").0 == .ok)
                #expect(try await Self.status(client, .post, "/customers", body: #"{"name":"Ada","email":"ada@example.com"}"#).0 == .created)
            }
        }
    }

    @Test func aReadOnlyStoreFailsReadyWithoutAnyCommand() async throws {
        try await TestStore.with { t throws in
            let clock = ManualClock()
            try await Self.withServer(t, clock: clock) { client in
                #expect(try await Self.status(client, .get, "/ready").0 == .ok)
                // Given a store that turns read-only (as a file system remounted read-only)
                try await t.store.writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = 1") }
                // Then, once the last answer is a second old, /ready probes and fails
                #expect(try await Self.status(client, .get, "/ready").0 == .ok, "the last probe's answer holds for a second")
                clock.advance(by: .seconds(1))
                let (status, _, body) = try await Self.status(client, .get, "/ready")
                #expect(status == .serviceUnavailable && body.contains("read-only"), "\(body)")
                try await t.store.writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = 0") }
                clock.advance(by: .seconds(1))
                #expect(try await Self.status(client, .get, "/ready").0 == .ok)
            }
        }
    }

    @Test func diskAndFileSystemFailuresAreSaidInWords() {
        #expect(EventStoreError.unavailability(DatabaseError(resultCode: .SQLITE_FULL)) == "the disk is full")
        #expect(EventStoreError.unavailability(DatabaseError(resultCode: .SQLITE_READONLY))?.contains("read-only") == true)
        #expect(EventStoreError.unavailability(DatabaseError(resultCode: .SQLITE_IOERR))?.contains("disk I/O error") == true)
        #expect(EventStoreError.unavailability(DatabaseError(resultCode: .SQLITE_CONSTRAINT)) == nil)
        // A start on a full disk says so
        let start = StoreOpenError(
            path: "/data/orders.sqlite", error: DatabaseError(resultCode: .SQLITE_IOERR, message: "disk I/O error"), freeBytes: 0)
        #expect(
            start.description.hasPrefix(
                "cannot open the order store at /data/orders.sqlite: a disk I/O error (is the disk full or failing?), 0 bytes free"))
    }
}
