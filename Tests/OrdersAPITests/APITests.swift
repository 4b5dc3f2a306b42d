import Foundation
import HTTPTypes
import Hummingbird
import LiveHTTP
import Logging
import NIOCore
import OrdersAPI
import OrdersProjection
import OrdersSearch
import OrdersStore
import OrdersTestSupport
import ProjectionTestSupport
import TestClocks
import Testing

/// The HTTP API, served on 127.0.0.1 and asked over HTTP.
@Suite(.timeLimit(.minutes(5))) struct APITests {
    struct Harness: Sendable {
        let store: TestStore
        let projector: Projector
        /// The runner of `POST /admin/reindex` (with an admin token).
        let reindex: ReindexRunner?
        /// What the router serves: "METHOD /path/{template}".
        let routes: [String]
    }

    /// The server as `orders serve` assembles it, over a test store and an embedded read side
    /// in its folder; the projector runs as one of the application's services, its time on a
    /// test clock (it hears of commits at once; its polls and retries wait for the test).
    static func with(
        adminToken: String? = nil, _ body: @escaping @Sendable (Harness, TestClient) async throws -> Void
    ) async throws {
        try await TestStore.with { t throws in
            let server = try await buildServer(
                store: t.store, bus: t.bus, keys: APIKeys(database: t.database), readSide: try ReadSide.embedded(in: t),
                configuration: ServerConfiguration(port: 0, authentication: .init(adminToken: adminToken)), registry: nil,
                clock: ManualClock(), wallClock: t.clock, logger: Logger(label: "api"))
            let harness = Harness(
                store: t, projector: server.projector, reindex: server.reindex,
                routes: server.routes.map { "\($0.method.rawValue) \($0.path.description)" })
            try await server.application.test { client in try await body(harness, client) }
        }
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    @discardableResult
    static func send(
        _ client: TestClient, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, headers: HTTPFields = [:],
        expect status: HTTPResponse.Status
    ) async throws -> [String: Any] {
        // A body is JSON unless the test says otherwise.
        var headers = headers
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            let text = String(buffer: response.body)
            #expect(response.status == status, "\(method) \(uri): \(text)")
            return text.isEmpty ? [:] : ((try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:])
        }
    }

    @Test func fromPostOrdersToASearchHitWithReadYourWrites() async throws {
        try await Self.with { harness, client in
            try await Self.send(client, .post, "/customers", #"{"customer_id":"c-1","name":"Zoë Müller","email":"zoe@example.de"}"#, expect: .created)
            try await Self.send(
                client, .post, "/products", #"{"product_id":"p-1","sku":"cafe-1","name":"Café Crème","price_minor":1250,"currency":"EUR"}"#,
                expect: .created)
            let created = try await Self.send(
                client, .post, "/orders", #"{"order_id":"o-1","customer_id":"c-1","shipping":{"city":"München","country":"de"},"currency":"EUR"}"#,
                expect: .created
            )
            #expect(created["id"] as? String == "o-1")
            try await Self.send(client, .post, "/orders/o-1/items", #"{"product_id":"p-1","quantity":2}"#, expect: .ok)
            try await Self.send(client, .post, "/orders/o-1/submit", expect: .ok)
            let paid = try await Self.send(client, .post, "/orders/o-1/pay", #"{"amount_minor":2500,"currency":"EUR"}"#, expect: .ok)
            let position = try #require(paid["position"] as? Int)
            // Read your write: a misspelled accent, a date range, and the position just returned.
            // The longest wait allowed: 5 s was not enough once on a machine loaded far past its
            // cores (the whole test took 35 s).
            let found = try await Self.send(
                client, .get, "/orders/search?q=muller&from=2026-01-01&tz=Europe/Berlin&min_position=\(position)&wait_ms=30000", expect: .ok)
            #expect(found["may_be_stale"] as? Bool == false)
            let hits = try #require(found["hits"] as? [[String: Any]])
            #expect(hits.count == 1)
            #expect((hits.first?["order"] as? [String: Any])?["status"] as? String == "paid")
            #expect(((hits.first?["highlights"] as? [String: [String]])?["customer.name"])?.first?.contains("<em>Müller</em>") == true)
            let document = try await Self.send(client, .get, "/orders/o-1?min_position=\(position)", expect: .ok)
            #expect(document["total_minor"] as? Int == 2500)
            #expect(document["version"] as? Int == position)
            let mine = try await Self.send(client, .get, "/customers/c-1/orders", expect: .ok)
            #expect((mine["orders"] as? [Any])?.count == 1)
        }
    }

    @Test func badInputGets4xxNamingTheFieldAndChangesNothing() async throws {
        try await Self.with { harness, client in
            let cases: [(HTTPRequest.Method, String, String?, HTTPResponse.Status, String?)] = [
                (.post, "/customers", #"{"name":"A","email":"a@example.com","colour":"red"}"#, .badRequest, "colour"),
                (.post, "/customers", #"{"name":"A"}"#, .badRequest, "email"),
                (.post, "/customers", #"{"name":"A","email":42}"#, .badRequest, "email"),
                (.post, "/customers", #"{"name":"  ","email":"a@example.com"}"#, .badRequest, "name"),
                (.post, "/customers", "not json", .badRequest, nil),
                (.post, "/customers", #"{"customer_id":"has space","name":"A","email":"a@example.com"}"#, .badRequest, "customer_id"),
                (.post, "/products", #"{"sku":"X","name":"Y","price_minor":-5,"currency":"EUR"}"#, .badRequest, "price_minor"),
                (.post, "/products", #"{"sku":"X","name":"Y","price_minor":5,"currency":"EURO"}"#, .badRequest, "currency"),
                (
                    .post, "/orders", #"{"customer_id":"nobody","shipping":{"city":"Berlin","country":"DE"},"currency":"EUR"}"#, .notFound,
                    "customer_id"
                ),
                (.post, "/orders", #"{"customer_id":"c","shipping":{"city":"Berlin"},"currency":"EUR"}"#, .badRequest, "shipping.country"),
                // The address's own checks name the field by its path in the body too.
                (.post, "/orders", #"{"customer_id":"c","shipping":{"city":" ","country":"DE"},"currency":"EUR"}"#, .badRequest, "shipping.city"),
                (
                    .post, "/orders", #"{"customer_id":"c","shipping":{"city":"Berlin","country":"DEU"},"currency":"EUR"}"#, .badRequest,
                    "shipping.country"
                ),
                (.post, "/orders/none/submit", nil, .notFound, "order_id"),
                (.get, "/orders/search?size=500", nil, .badRequest, "size"),
                (.get, "/orders/search?colour=red", nil, .badRequest, "colour"),
                (.get, "/orders/search?min_position=-3", nil, .badRequest, "min_position"),
                // A cursor is 1 to 512 characters, on both routes that take one.
                (.get, "/orders/search?after=", nil, .badRequest, "after"),
                (.get, "/customers/c-1/orders?after=", nil, .badRequest, "after"),
                (.get, "/customers/has%20space/orders", nil, .badRequest, "customer_id"),
                (.get, "/customers/c-1/orders?after=\(String(repeating: "x", count: 513))", nil, .badRequest, "after"),
                (.get, "/no/such/route", nil, .notFound, nil),
            ]
            for (method, uri, body, status, field) in cases {
                let answer = try await Self.send(client, method, uri, body, expect: status)
                let error = answer["error"] as? [String: Any]
                #expect(error?["message"] is String, "\(uri) \(body ?? "")")
                #expect(error?["field"] as? String == field, "\(uri) \(body ?? "")")
            }
            let huge = #"{"name":"A","email":"a@example.com","customer_id":"\#(String(repeating: "x", count: 70_000))"}"#
            try await Self.send(client, .post, "/customers", huge, expect: .contentTooLarge)
            #expect(try await harness.store.store.headPosition() == 0, "nothing was written")
        }
    }

    @Test func rulesConflictsAndPreconditions() async throws {
        try await Self.with { harness, client in
            try await Self.send(client, .post, "/customers", #"{"customer_id":"c-1","name":"A","email":"a@example.com"}"#, expect: .created)
            let taken = try await Self.send(client, .post, "/customers", #"{"name":"B","email":"A@example.com"}"#, expect: .conflict)
            #expect((taken["error"] as? [String: Any])?["field"] as? String == "email")
            try await Self.send(
                client, .post, "/orders", #"{"order_id":"o-1","customer_id":"c-1","shipping":{"city":"Berlin","country":"DE"},"currency":"EUR"}"#,
                expect: .created)
            let empty = try await Self.send(client, .post, "/orders/o-1/submit", expect: .unprocessableContent)
            #expect((empty["error"] as? [String: Any])?["code"] as? String == "empty_order")
            let stale = try await Self.send(
                client, .patch, "/customers/c-1", #"{"name":"New"}"#, headers: [.ifMatch: "\"7\""], expect: .preconditionFailed)
            #expect((stale["error"] as? [String: Any])?["code"] as? String == "concurrency_conflict")
            try await Self.send(client, .patch, "/customers/c-1", #"{"name":"New"}"#, headers: [.ifMatch: "\"1\""], expect: .ok)
            // A request carrying two changes, one malformed, changes nothing.
            let before = try await harness.store.store.headPosition()
            let partial = try await Self.send(client, .patch, "/customers/c-1", #"{"name":"Newer","email":"not-an-email"}"#, expect: .badRequest)
            #expect((partial["error"] as? [String: Any])?["field"] as? String == "email")
            #expect(try await harness.store.store.headPosition() == before)
        }
    }

    @Test func anIdempotencyKeyAppliesACommandOnce() async throws {
        try await Self.with { harness, client in
            let headers: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "req-123"]
            let first = try await Self.send(
                client, .post, "/customers", #"{"customer_id":"c-1","name":"A","email":"a@example.com"}"#, headers: headers, expect: .created)
            let again = try await Self.send(
                client, .post, "/customers", #"{"customer_id":"c-1","name":"A","email":"a@example.com"}"#, headers: headers, expect: .ok)
            #expect(first["position"] as? Int == again["position"] as? Int)
            #expect(try await harness.store.store.headPosition() == 1)
        }
    }

    @Test func aRetriedCreateWithoutAnIdReplaysTheFirst() async throws {
        try await Self.with { harness, client in
            // Given creates that leave the id to the server, each sent twice with its key
            let creates = [
                ("/customers", #"{"name":"A","email":"a@example.com"}"#),
                ("/products", #"{"sku":"S-1","name":"Tea","price_minor":100,"currency":"EUR"}"#),
            ]
            for (index, (path, body)) in creates.enumerated() {
                let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "create-\(index)"]
                let first = try await Self.send(client, .post, path, body, headers: key, expect: .created)
                // Then the retry answers the first outcome: the same id, nothing appended
                let again = try await Self.send(client, .post, path, body, headers: key, expect: .ok)
                #expect(again["id"] as? String == first["id"] as? String, "\(path)")
                #expect(again["position"] as? Int == first["position"] as? Int, "\(path)")
            }
            #expect(try await harness.store.store.headPosition() == 2, "one event per create")
            let order = #"{"customer_id":"c-1","shipping":{"city":"Berlin","country":"DE"},"currency":"EUR"}"#
            try await Self.send(client, .post, "/customers", #"{"customer_id":"c-1","name":"B","email":"b@example.com"}"#, expect: .created)
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "order-1"]
            let first = try await Self.send(client, .post, "/orders", order, headers: key, expect: .created)
            let again = try await Self.send(client, .post, "/orders", order, headers: key, expect: .ok)
            #expect(again["id"] as? String == first["id"] as? String)
            #expect(try await harness.store.store.headPosition() == 4)
        }
    }

    @Test func aPatchOfTwoFieldsWithAKeyAppliesBothAndItsRetryNeither() async throws {
        try await Self.with { harness, client in
            try await Self.send(client, .post, "/customers", #"{"customer_id":"c-1","name":"A","email":"a@example.com"}"#, expect: .created)
            try await Self.send(
                client, .post, "/products", #"{"product_id":"p-1","sku":"S-1","name":"Tea","price_minor":100,"currency":"EUR"}"#,
                expect: .created)
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "patch-1"]
            let other: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "patch-2"]
            for _ in 0..<2 {
                try await Self.send(client, .patch, "/customers/c-1", #"{"name":"B","email":"b@example.com"}"#, headers: key, expect: .ok)
                try await Self.send(
                    client, .patch, "/products/p-1", #"{"name":"Green tea","price_minor":120,"currency":"EUR"}"#, headers: other, expect: .ok)
            }
            let types = try await harness.store.store.readAll(after: 0, limit: 100).map(\.type)
            #expect(
                types == [
                    "customer.registered", "product.added", "customer.renamed", "customer.email_changed", "product.renamed", "product.repriced",
                ])
        }
    }

    @Test func adminStatusSaysWhenTheLastBackupWasTaken() async throws {
        try await Self.with(adminToken: "token") { harness, client in
            let admin: HTTPFields = [.authorization: "Bearer token"]
            let before = try await Self.send(client, .get, "/admin/status", headers: admin, expect: .ok)
            #expect(before.keys.contains("last_backup") && before["last_backup"] is NSNull, "none taken: null, not absent")
            try await Self.send(
                client, .post, "/customers", #"{"customer_id":"c-1","name":"A","email":"a@example.com"}"#, headers: admin, expect: .created)
            let path = harness.store.directory.appendingPathComponent("backups/one.sqlite").path
            try StoreBackup.backupRecorded(harness.store.database, to: path)
            let after = try await Self.send(client, .get, "/admin/status", headers: admin, expect: .ok)
            let last = try #require(after["last_backup"] as? [String: Any])
            #expect(last["path"] as? String == path)
            #expect((last["report"] as? [String: Any])?["head_position"] as? Int == 1)
        }
    }

    @Test func operationalRoutesAnswer() async throws {
        try await Self.with(adminToken: "token") { harness, client in
            #expect(try await Self.send(client, .get, "/health", expect: .ok)["status"] as? String == "ok")
            // Anyone learns whether the service is ready; the lag is the operators' to see.
            let ready = try await Self.send(client, .get, "/ready", expect: .ok)
            #expect(ready as? [String: String] == ["status": "ready"])
            let status = try await Self.send(client, .get, "/admin/status", headers: [.authorization: "Bearer token"], expect: .ok)
            #expect(status["lag_events"] as? Int == 0)
            // Metrics are for operators too, once credentials are set up.
            try await Self.send(client, .get, "/metrics", expect: .unauthorized)
            try await Self.send(client, .get, "/metrics", headers: [.authorization: "Bearer token"], expect: .ok)
        }
    }

    /// `ORDERS_ADMIN_TOKEN` is an admin key; without any credentials set up, the anonymous
    /// loopback caller is a writer, not an admin: the operator routes are refused (they were
    /// absent before keys and roles existed), and an unknown token is refused outright.
    @Test func adminRoutesNeedAnAdminAndTheAdminTokenIsOne() async throws {
        try await Self.with(adminToken: "s3cret-token") { harness, client in
            _ = try await harness.store.registerCustomer("c-1")
            let missing = try await Self.send(client, .get, "/admin/status", expect: .unauthorized)
            #expect((missing["error"] as? [String: Any])?["code"] as? String == "unauthorized")
            try await Self.send(client, .get, "/admin/status", headers: [.authorization: "Bearer s3cret-tokem"], expect: .unauthorized)
            try await Self.send(client, .get, "/admin/status", headers: [.authorization: "Basic s3cret-token"], expect: .unauthorized)
            let status = try await Self.send(client, .get, "/admin/status", headers: [.authorization: "Bearer s3cret-token"], expect: .ok)
            #expect((status["head_position"] as? Int ?? 0) >= 1)
            #expect((status["index"] as? [String: Any])?["backend"] as? String == "embedded")
            #expect(status["dead_letters"] as? [Any] != nil)
        }
        try await Self.with { _, client in
            let anonymous = try await Self.send(client, .get, "/admin/status", expect: .forbidden)
            #expect((anonymous["error"] as? [String: Any])?["code"] as? String == "forbidden")
            let unknown = try await Self.send(client, .get, "/admin/status", headers: [.authorization: "Bearer anything"], expect: .unauthorized)
            #expect((unknown["error"] as? [String: Any])?["code"] as? String == "unauthorized")
        }
    }

    @Test func adminReindexRunsInTheBackgroundAndReportsItsProgress() async throws {
        try await Self.with(adminToken: "token") { harness, client in
            let customer = try await harness.store.registerCustomer("c-1", name: "Zoë Müller")
            for number in 0..<5 { _ = try await harness.store.createOrder("o-\(number)", customer: customer) }
            #expect(await harness.projector.waitForPosition(try await harness.store.store.headPosition(), timeout: .seconds(10)))
            try await Self.send(client, .post, "/admin/reindex", expect: .unauthorized)
            let started = try await Self.send(client, .post, "/admin/reindex", headers: [.authorization: "Bearer token"], expect: .accepted)
            #expect(started["running"] as? Bool == true)
            await harness.reindex?.wait()
            let report = try await Self.send(client, .get, "/admin/reindex", headers: [.authorization: "Bearer token"], expect: .ok)
            #expect(report["running"] as? Bool == false)
            let summary = try #require(report["summary"] as? [String: Any], "\(report)")
            #expect(summary["target"] as? String == "read-2.sqlite" && summary["documents"] as? Int == 5 && summary["indexed"] as? Int == 5)
            #expect(report["job"] == nil, "the lock is released")
            let found = try await Self.send(client, .get, "/orders/search?q=muller", headers: [.authorization: "Bearer token"], expect: .ok)
            #expect((found["total"] as? [String: Any])?["value"] as? Int == 5, "searches go to the new generation")
        }
    }

    /// A reindex asked for while another is starting in this process (its job not recorded yet)
    /// is refused like one already running: 409, never a server error.
    @Test func aReindexAskedForWhileOneIsStartingIs409() async throws {
        try await TestStore.with { t throws in
            let readSide = try ReadSide.embedded(in: t)
            // The runner is not run, so the first reindex stays asked for and unrecorded.
            let reindex = ReindexRunner(
                reindexer: readSide.reindexer(store: t.store, clock: ManualClock(), wallClock: t.clock, logger: Logger(label: "reindex")))
            let keyRing = KeyRing(keys: APIKeys(database: t.database), wallClock: t.clock, logger: Logger(label: "keys"))
            let router = buildRouter(
                bus: t.bus, store: t.store, readModel: OrderReadModel(index: readSide.index, progress: readSide.projector(t)), registry: nil,
                authenticator: Authenticator(configuration: .init(adminToken: "token"), keyRing: keyRing, jwt: nil, loopback: true),
                rateLimiter: RateLimiter(limit: RateLimit()),
                admin: AdminConfiguration(reindex: reindex) { try await readSide.status(store: t.store, now: t.clock.now()) })
            try await Application(router: router).test { client in
                let admin: HTTPFields = [.authorization: "Bearer token"]
                try await Self.send(client, .post, "/admin/reindex", headers: admin, expect: .accepted)
                let second = try await Self.send(client, .post, "/admin/reindex", headers: admin, expect: .conflict)
                #expect((second["error"] as? [String: Any])?["code"] as? String == "reindex_running")
            }
        }
    }

    @Test func everyServedRouteIsDocumentedAndEveryDocumentedRouteIsServed() async throws {
        try await Self.with(adminToken: "token") { harness, client in
            let document = try await Self.send(client, .get, "/openapi.json", expect: .ok)
            #expect(document["openapi"] as? String == "3.0.3")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            #expect(paths.count == 29)
            for (path, operations) in paths {
                for method in operations.keys {
                    let uri = path.replacingOccurrences(of: "{id}", with: "x").replacingOccurrences(of: "{product_id}", with: "y")
                    let status = try await client.execute(
                        uri: uri, method: HTTPRequest.Method(rawValue: method.uppercased())!, body: ByteBuffer(string: "{}")
                    ) { response in
                        let code =
                            (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])?["error"]
                            as? [String: Any]
                        return (response.status, code?["code"] as? String)
                    }
                    #expect(
                        status.1 != "no_such_route" && status.0 != .methodNotAllowed, "\(method.uppercased()) \(path) is documented but not served")
                }
            }
            // Both ways, by the router's own list (with the admin token, so `/admin/...` counts).
            // A route's path is written as an OpenAPI template: `/orders/:id` as `/orders/{id}`.
            #expect(RouterPath("/orders/:id/items/:product_id").description == "/orders/{id}/items/{product_id}")
            let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
            let documented = Set(
                paths.flatMap { path, operations in operations.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" } })
            let served = Set(harness.routes)
            #expect(served.contains("GET /admin/status") && served.contains("PUT /orders/{id}/items/{product_id}"))
            #expect(served.subtracting(documented).sorted() == [], "served but not documented")
            #expect(documented.subtracting(served).sorted() == [], "documented but not served")
        }
    }
}
