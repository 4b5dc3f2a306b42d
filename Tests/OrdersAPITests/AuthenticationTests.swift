import Foundation
import GRDB
import HTTPTypes
import JWTKit
import LiveHTTP
import Logging
import NIOCore
import OrdersAPI
import OrdersDomain
import OrdersProjection
import OrdersStore
import OrdersTestSupport
import ProjectionTestSupport
import TestClocks
import Testing

/// Who may call what: API keys, JWTs, the admin token, customer-scoped tokens, revocation, and
/// the safe default (no credentials only on loopback without any set up).
@Suite(.timeLimit(.minutes(5))) struct AuthenticationTests {
    static let secret = "a-shared-secret-of-at-least-32-bytes!"
    static let jwt = JWTConfiguration(hs256Secret: secret, issuer: "https://id.example.com", audience: "orders")

    /// The claims a test token carries.
    struct TestClaims: JWTPayload {
        var sub: SubjectClaim
        var iss: IssuerClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var role: String
        var customer_id: String?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// A token signed with `secret` (the server's, unless given another), expiring `expiresIn`
    /// after the test store's clock.
    static func token(
        _ t: TestStore, role: String = "writer", customer: String? = nil, issuer: String = "https://id.example.com",
        audience: String = "orders", expiresIn: TimeInterval = 3600, secret: String = secret
    ) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(
            TestClaims(
                sub: "user-1", iss: .init(value: issuer), aud: .init(value: [audience]),
                exp: .init(value: t.clock.now().addingTimeInterval(expiresIn)),
                role: role, customer_id: customer))
    }

    struct Harness: Sendable {
        let store: TestStore
        let keys: APIKeys
        let projector: Projector
    }

    /// A server on loopback with JWTs configured, over a store holding customers c-1 and c-2,
    /// product p-1, and orders o-1 (c-1) and o-2 (c-2), projected.
    static func with(
        adminToken: String? = nil, _ body: @escaping @Sendable (Harness, TestClient) async throws -> Void
    ) async throws {
        try await TestStore.with { t in
            let c1 = try await t.registerCustomer("c-1", name: "Ana Alves")
            let c2 = try await t.registerCustomer("c-2", name: "Bo Berg")
            try await t.addProduct("p-1")
            _ = try await t.createOrder("o-1", customer: c1)
            _ = try await t.createOrder("o-2", customer: c2)
            let keys = APIKeys(database: t.database)
            let server = try await buildServer(
                store: t.store, bus: t.bus, keys: keys, readSide: try ReadSide.embedded(in: t),
                configuration: ServerConfiguration(authentication: .init(adminToken: adminToken, jwt: jwt)), registry: nil, clock: ManualClock(),
                wallClock: t.clock, logger: Logger(label: "api"))
            let harness = Harness(store: t, keys: keys, projector: server.projector)
            try await server.application.test { client in
                #expect(await harness.projector.waitForPosition(try await t.store.headPosition(), timeout: .seconds(30)))
                try await body(harness, client)
            }
        }
    }

    static func status(
        _ client: TestClient, _ method: HTTPRequest.Method, _ uri: String, _ body: String?, _ token: String?
    ) async throws
        -> HTTPResponse.Status
    {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { $0.status }
    }

    /// One request of the matrix, and what each caller gets.
    struct Row {
        var method: HTTPRequest.Method
        var uri: String
        var body: String?
        /// anonymous, reader, writer, admin, customer c-1 (writer), bad credentials
        var expected: [HTTPResponse.Status]
    }

    static let rows: [Row] = [
        .init(method: .get, uri: "/health", expected: [.ok, .ok, .ok, .ok, .ok, .unauthorized]),
        .init(method: .get, uri: "/openapi.json", expected: [.ok, .ok, .ok, .ok, .ok, .unauthorized]),
        .init(method: .get, uri: "/metrics", expected: [.unauthorized, .ok, .ok, .ok, .notFound, .unauthorized]),
        .init(method: .get, uri: "/orders/search?q=alves", expected: [.unauthorized, .ok, .ok, .ok, .ok, .unauthorized]),
        .init(method: .get, uri: "/orders/o-1", expected: [.unauthorized, .ok, .ok, .ok, .ok, .unauthorized]),
        .init(method: .get, uri: "/orders/o-2", expected: [.unauthorized, .ok, .ok, .ok, .notFound, .unauthorized]),
        .init(method: .get, uri: "/customers/c-1/orders", expected: [.unauthorized, .ok, .ok, .ok, .ok, .unauthorized]),
        .init(method: .get, uri: "/customers/c-2/orders", expected: [.unauthorized, .ok, .ok, .ok, .notFound, .unauthorized]),
        .init(method: .get, uri: "/analytics/status-breakdown", expected: [.unauthorized, .ok, .ok, .ok, .notFound, .unauthorized]),
        .init(method: .get, uri: "/dashboard", expected: [.unauthorized, .ok, .ok, .ok, .notFound, .unauthorized]),
        .init(
            method: .post, uri: "/customers", body: #"{"customer_id":"c-9","name":"N","email":"n@example.com"}"#,
            expected: [.unauthorized, .forbidden, .created, .conflict, .notFound, .unauthorized]),
        .init(
            method: .post, uri: "/orders", body: #"{"order_id":"o-9","customer_id":"c-1","shipping":{"city":"X","country":"DE"},"currency":"EUR"}"#,
            expected: [.unauthorized, .forbidden, .created, .conflict, .conflict, .unauthorized]),
        .init(
            method: .post, uri: "/orders", body: #"{"order_id":"o-8","customer_id":"c-2","shipping":{"city":"X","country":"DE"},"currency":"EUR"}"#,
            expected: [.unauthorized, .forbidden, .created, .conflict, .notFound, .unauthorized]),
        .init(
            method: .post, uri: "/orders/o-1/items", body: #"{"product_id":"p-1","quantity":1}"#,
            expected: [.unauthorized, .forbidden, .ok, .unprocessableContent, .unprocessableContent, .unauthorized]),
        .init(
            method: .post, uri: "/orders/o-2/cancel", body: #"{"reason":"r"}"#,
            expected: [.unauthorized, .forbidden, .ok, .unprocessableContent, .notFound, .unauthorized]),
        .init(method: .get, uri: "/admin/status", expected: [.unauthorized, .forbidden, .forbidden, .ok, .notFound, .unauthorized]),
    ]

    /// Every route answers each caller as the matrix says (the writer goes first, so an admin's
    /// second create is a 409 and a second item or cancel a 422: past authorization, business rules). Bad credentials are a revoked key, an expired token, a
    /// token signed with another secret, for another audience, for another issuer.
    @Test func everyRouteAnswersEachCallerAsTheMatrixSays() async throws {
        try await Self.with { h, client in
            let reader = try await h.keys.create(name: "reader", role: .reader, now: h.store.clock.now()).secret
            let writer = try await h.keys.create(name: "writer", role: .writer, now: h.store.clock.now()).secret
            let admin = try await h.keys.create(name: "admin", role: .admin, now: h.store.clock.now()).secret
            let revoked = try await h.keys.create(name: "gone", role: .admin, now: h.store.clock.now()).secret
            #expect(try await h.keys.revoke(name: "gone", now: h.store.clock.now()))
            let customer = try await Self.token(h.store, role: "writer", customer: "c-1")
            let bad = [
                revoked, try await Self.token(h.store, expiresIn: -60), try await Self.token(h.store, secret: String(repeating: "x", count: 40)),
                try await Self.token(h.store, audience: "another"), try await Self.token(h.store, issuer: "https://evil.example.com"),
                "not-a-token", "orders_0123456789ab_" + String(repeating: "A", count: 43),
            ]
            for row in Self.rows {
                let callers: [String?] = [nil, reader, writer, admin, customer]
                for (caller, expected) in zip(callers, row.expected) {
                    let got = try await Self.status(client, row.method, row.uri, row.body, caller)
                    #expect(
                        got == expected,
                        "\(row.method) \(row.uri) as \(["anonymous", "reader", "writer", "admin", "customer"][callers.firstIndex(of: caller)!])")
                }
                for credentials in bad {
                    let got = try await Self.status(client, row.method, row.uri, row.body, credentials)
                    #expect(got == row.expected[5], "\(row.method) \(row.uri) with \(credentials.prefix(24))…")
                }
            }
        }
    }

    /// A customer's search finds its own orders only, whatever it asks for.
    @Test func aCustomerScopedSearchFindsOnlyItsOwnOrders() async throws {
        try await Self.with { h, client in
            let customer = try await Self.token(h.store, role: "reader", customer: "c-2")
            let response = try await APITests.send(client, .get, "/orders/search", headers: [.authorization: "Bearer \(customer)"], expect: .ok)
            let ids = (response["hits"] as? [[String: Any]])?.compactMap { ($0["order"] as? [String: Any])?["order_id"] as? String }
            #expect(ids == ["o-2"])
            try await APITests.send(
                client, .get, "/orders/search?customer_id=c-1", headers: [.authorization: "Bearer \(customer)"], expect: .notFound)
            // A reader's customer token cannot write even its own orders.
            try await APITests.send(
                client, .post, "/orders/o-2/submit", headers: [.authorization: "Bearer \(customer)"], expect: .forbidden)
        }
    }

    /// A key revoked by `orders keys revoke` (another process, another connection) is refused
    /// from the next request on; the first key made turns anonymous access off at once.
    @Test func revocationAndTheFirstKeyCountFromTheNextRequest() async throws {
        try await TestStore.with { t in
            let server = try await buildServer(
                store: t.store, bus: t.bus, keys: APIKeys(database: t.database), readSide: try ReadSide.embedded(in: t),
                configuration: ServerConfiguration(), registry: nil, clock: ManualClock(), wallClock: t.clock, logger: Logger(label: "api"))
            try await server.application.test { client in
                try await APITests.send(client, .get, "/orders/search", expect: .ok)
                // Another process: its own connection to the same store.
                let other = try StoreDatabase.open(StoreConfiguration(path: t.database.configuration.path, durability: .normal))
                let key = try await APIKeys(database: other).create(name: "shop", role: .reader, now: t.clock.now()).secret
                try await APITests.send(client, .get, "/orders/search", expect: .unauthorized)
                try await APITests.send(client, .get, "/orders/search", headers: [.authorization: "Bearer \(key)"], expect: .ok)
                #expect(try await APIKeys(database: other).revoke(name: "shop", now: t.clock.now()))
                try await APITests.send(client, .get, "/orders/search", headers: [.authorization: "Bearer \(key)"], expect: .unauthorized)
            }
        }
    }

    /// The store holds a key's hash, never the key; the list shows no secret; last use is recorded.
    @Test func keysAreStoredHashedAndTheirLastUseIsRecorded() async throws {
        try await TestStore.with { t in
            let keys = APIKeys(database: t.database)
            let (key, secret) = try await keys.create(name: "storefront", role: .writer, now: t.clock.now())
            let stored = try await t.database.writer.read { db in try Data.fetchOne(db, sql: "SELECT secret_sha256 FROM api_keys") }
            let parsed = try #require(APIKeys.parse(secret))
            #expect(stored.map(Array.init) == APIKeys.sha256(parsed.secret))
            let everything = try await t.database.writer.read { db in
                try String.fetchAll(db, sql: "SELECT quote(secret_sha256) || id || name FROM api_keys")
            }
            #expect(!everything.joined().contains(parsed.secret))
            let listed = String(decoding: try JSONEncoder().encode(try await keys.list()), as: UTF8.self)
            #expect(!listed.contains(parsed.secret) && listed.contains("storefront"))
            await #expect(throws: APIKeyError.self) { try await keys.create(name: "storefront", role: .reader, now: t.clock.now()) }
            await #expect(throws: APIKeyError.self) { try await keys.create(name: "has space", role: .reader, now: t.clock.now()) }

            let ring = KeyRing(keys: keys, wallClock: t.clock, logger: Logger(label: "keys"))
            #expect(try await ring.identity(forKey: secret) == Identity(kind: .apiKey, name: "storefront", role: .writer))
            #expect(try await ring.identity(forKey: secret.dropLast() + "x") == nil, "a wrong secret")
            await ring.flushUse()
            #expect(try await keys.list().first?.lastUsedAt == t.clock.now())
            #expect(key.lastUsedAt == nil)
        }
    }

    /// Listening beyond loopback without any authentication refuses to start; a key or
    /// `--allow-anonymous` lets it.
    @Test func aNonLoopbackAddressNeedsAuthenticationOrAnExplicitOptOut() async throws {
        try await TestStore.with { t in
            func build(_ authentication: AuthenticationConfiguration) async throws -> OrdersServer {
                try await buildServer(
                    store: t.store, bus: t.bus, keys: APIKeys(database: t.database), readSide: try ReadSide.embedded(in: t),
                    configuration: ServerConfiguration(host: "0.0.0.0", port: 0, authentication: authentication), registry: nil, clock: ManualClock(),
                    logger: Logger(label: "api"))
            }
            let error = await #expect(throws: ServerConfigurationError.self) { try await build(.init()) }
            #expect(error?.description.contains("--allow-anonymous") == true)
            _ = try await build(.init(allowAnonymous: true))
            _ = try await build(.init(adminToken: "an-admin-token"))
            _ = try await APIKeys(database: t.database).create(name: "k", role: .reader, now: t.clock.now())
            _ = try await build(.init())
        }
    }
}
