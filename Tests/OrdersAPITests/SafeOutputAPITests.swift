import Elasticsearch
import Foundation
import HTTPTypes
import Hummingbird
import LiveHTTP
import Logging
import LoopbackHTTP
import NIOCore
import OrdersAPI
import OrdersProjection
import OrdersSearch
import OrdersStore
import OrdersTestSupport
import ProjectionTestSupport
import TestClocks
import Testing

@testable import OrdersAPI

/// What the API lets out (issue 20): user text escaped wherever it may become HTML, pages that
/// tell browsers to run nothing and frame nothing, a read side that cannot answer reported as
/// such (503, not 500), and a readiness probe that says nothing about the infrastructure.
@Suite(.timeLimit(.minutes(5))) struct SafeOutputAPITests {
    static let definitionPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("index-mappings/orders.json").path

    /// The server over a test store and an Elasticsearch read side at `url` (a loopback
    /// stand-in), without a projector: only the query side and the operational routes matter.
    static func withElasticsearch(
        at url: URL, adminToken: String? = nil, _ body: @escaping @Sendable (TestClient) async throws -> Void
    ) async throws {
        try await TestStore.with { t throws in
            var connection = ElasticsearchConfiguration(
                nodes: [url], retry: RetryPolicy(maximumRetries: 1, baseDelay: .milliseconds(1), maximumDelay: .milliseconds(2)))
            connection.connectTimeout = .seconds(2)
            connection.requestTimeout = .seconds(10)
            let readSide = try ReadSide.open(
                ReadSideConfiguration(
                    index: .elasticsearch(connection, definition: try IndexDefinition(contentsOf: definitionPath)),
                    statePath: t.directory.appendingPathComponent("state.sqlite").path),
                logger: Logger(label: "read-side"))
            let server = try await buildServer(
                store: t.store, bus: t.bus, keys: APIKeys(database: t.database), readSide: readSide,
                configuration: ServerConfiguration(authentication: .init(adminToken: adminToken), runsProjector: false), registry: nil,
                clock: ManualClock(), wallClock: t.clock, logger: Logger(label: "api"))
            try await server.application.test { client in try await body(client) }
        }
    }

    /// Status, headers and body text of a GET.
    static func get(
        _ client: TestClient, _ uri: String, headers: HTTPFields = [:]
    ) async throws -> (
        HTTPResponse.Status, HTTPFields, String
    ) {
        try await client.execute(uri: uri, method: .get, headers: headers) { ($0.status, $0.headers, String(buffer: $0.body)) }
    }

    // MARK: Highlights

    /// The stored XSS of issue 20: a customer's name is markup until it is escaped; the search
    /// answer carries it as text with only the match marked.
    @Test func aHostileNameComesBackEscapedInSearchHighlights() async throws {
        try await APITests.with { harness, client in
            try await APITests.send(
                client, .post, "/customers", #"{"customer_id":"c-x","name":"<img src=x onerror=alert(1)> Zeb","email":"x@example.org"}"#,
                expect: .created)
            let created = try await APITests.send(
                client, .post, "/orders", #"{"order_id":"o-x","customer_id":"c-x","shipping":{"city":"Town","country":"DE"},"currency":"EUR"}"#,
                expect: .created)
            let position = try #require(created["position"] as? Int)
            let found = try await APITests.send(client, .get, "/orders/search?q=zeb&min_position=\(position)&wait_ms=30000", expect: .ok)
            let hits = try #require(found["hits"] as? [[String: Any]])
            #expect(hits.count == 1)
            let highlights = try #require(hits.first?["highlights"] as? [String: [String]])
            #expect(highlights["customer.name"] == ["&lt;img src=x onerror=alert(1)&gt; <em>Zeb</em>"])
            #expect(!"\(highlights)".contains("<img"))
        }
    }

    // MARK: Security headers

    /// Pages tell the browser to load and run nothing but their own inline style, never to be
    /// framed, never to guess a content type and never to send where they came from; JSON is
    /// never sniffed either.
    @Test func htmlPagesSendSecurityHeaders() async throws {
        try await APITests.with { harness, client in
            for (uri, expected) in [("/dashboard?refresh=0", HTTPResponse.Status.ok), ("/dashboard?interval=minute", .badRequest)] {
                let (status, headers, html) = try await Self.get(client, uri)
                #expect(status == expected, "\(uri): \(html)")
                let policy = try #require(headers[.contentSecurityPolicy], "\(uri)")
                let directives = Set(policy.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) })
                for directive in [
                    "default-src 'none'", "style-src 'unsafe-inline'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
                ] {
                    #expect(directives.contains(directive), "\(uri): \(policy)")
                }
                #expect(!policy.contains("script-src"), "no script runs")
                #expect(headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(uri)")
                #expect(headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                #expect(headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(uri)")
            }
            for uri in ["/health", "/orders/search", "/orders/missing", "/openapi.json"] {
                let (_, headers, _) = try await Self.get(client, uri)
                #expect(headers[.xContentTypeOptions] == "nosniff", "\(uri)")
            }
        }
    }

    // MARK: A read side that cannot answer

    /// Every read route, and what a 503 of each looks like: JSON routes answer the API's error
    /// shape, the dashboard its page.
    static let readRoutes = [
        "/orders/search?q=zeb", "/orders/o-1", "/customers/c-1/orders", "/analytics/averages", "/analytics/orders-over-time",
        "/dashboard",
    ]

    static func expectUnavailable(_ client: TestClient, because cause: String) async throws {
        for uri in readRoutes {
            let (status, headers, body) = try await get(client, uri)
            #expect(status == .serviceUnavailable, "\(cause): \(uri): \(status) \(body)")
            let retryAfter = headers[.retryAfter].flatMap { Int($0) }
            #expect(retryAfter.map { $0 >= 1 } == true, "\(cause): \(uri): Retry-After in whole seconds")
            #expect(!body.contains("127.0.0.1"), "\(cause): \(uri) names no node")
            if uri == "/dashboard" {
                #expect(headers[.contentType] == "text/html; charset=utf-8" && body.contains(#"class="error""#), "\(cause)")
            } else {
                let error = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["error"] as? [String: Any]
                #expect(error?["code"] as? String == "read_side_unavailable", "\(cause): \(uri): \(body)")
            }
        }
    }

    @Test func readRoutesAnswer503WithRetryAfterWhenElasticsearchIsUnreachable() async throws {
        let refusing = try RefusingPort()
        try await Self.withElasticsearch(at: refusing.url) { client in
            try await Self.expectUnavailable(client, because: "connection refused")
        }
    }

    @Test func readRoutesAnswer503WhenTheClusterIsOverloadedOrDown() async throws {
        for (status, type) in [(503, "cluster_block_exception"), (429, "es_rejected_execution_exception"), (502, "bad_gateway")] {
            let server = try LoopbackServer { _ in
                .json(#"{"error":{"root_cause":[],"type":"\#(type)","reason":"cannot answer now"},"status":\#(status)}"#, status: status)
            }
            defer { server.stop() }
            try await Self.withElasticsearch(at: server.url) { client in
                try await Self.expectUnavailable(client, because: "\(status)")
            }
        }
    }

    /// A request Elasticsearch refuses as malformed is the service's bug, not an outage: still a
    /// 500 that names nothing internal.
    @Test func aRequestElasticsearchRefusesIsStillAServerError() async throws {
        let server = try LoopbackServer { _ in
            .json(#"{"error":{"root_cause":[],"type":"illegal_argument_exception","reason":"no such field"},"status":400}"#, status: 400)
        }
        defer { server.stop() }
        try await Self.withElasticsearch(at: server.url) { client in
            let (status, headers, body) = try await Self.get(client, "/orders/search?q=zeb")
            #expect(status == .internalServerError, "\(body)")
            #expect(headers[.retryAfter] == nil)
            #expect(body.contains(#""code":"internal""#) && !body.contains("no such field"))
        }
    }

    // MARK: Readiness

    /// `/ready` says ready or not and nothing else: no positions, no counts, no hosts. The
    /// details are the admins' (`/admin/status`).
    @Test func readyTellsAnonymousCallersOnlyReadyOrNot() async throws {
        try await APITests.with { harness, client in
            let (status, _, body) = try await Self.get(client, "/ready")
            #expect(status == .ok)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect(object.keys.sorted() == ["status"] && object["status"] as? String == "ready", "\(body)")
        }
        let refusing = try RefusingPort()
        let port = try #require(refusing.url.port)
        try await Self.withElasticsearch(at: refusing.url, adminToken: "admin-token") { client in
            // The read side cannot answer: /ready/read says so, /ready (commands) stays ready
            let (status, _, body) = try await Self.get(client, "/ready/read")
            #expect(status == .serviceUnavailable)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect(object.keys.sorted() == ["status"] && object["status"] as? String == "unavailable", "\(body)")
            #expect(!body.contains("127.0.0.1") && !body.contains(String(port)), "\(body)")
            let (writeStatus, _, writeBody) = try await Self.get(client, "/ready")
            #expect(writeStatus == .ok && writeBody == #"{"status":"ready"}"#, "\(writeBody)")
            // The operator's view still says what is wrong.
            let (adminStatus, _, details) = try await Self.get(client, "/admin/status", headers: [.authorization: "Bearer admin-token"])
            #expect(adminStatus == .ok)
            #expect(details.contains("not reachable") && details.contains("127.0.0.1:\(port)"), "\(details)")
            // An admin asking gets the details there too: the read side's alone, or both sides.
            let (readStatus, _, readDetails) = try await Self.get(client, "/ready/read", headers: [.authorization: "Bearer admin-token"])
            #expect(
                readStatus == .serviceUnavailable && readDetails.contains("\"problem\"") && readDetails.contains("head_position"), "\(readDetails)")
            let (bothStatus, _, both) = try await Self.get(client, "/ready", headers: [.authorization: "Bearer admin-token"])
            let bothObject = try #require(try JSONSerialization.jsonObject(with: Data(both.utf8)) as? [String: Any])
            #expect(bothStatus == .ok && bothObject["status"] as? String == "ready", "\(both)")
            #expect((bothObject["read"] as? [String: Any])?["status"] as? String == "unavailable", "\(both)")
        }
    }

    /// The read side's detailed answer keeps what `/ready` used to say: positions, lag, the index's size, and what failed.
    @Test func theDetailedReadinessHasThePositionsAndTheProblem() async throws {
        try await TestStore.with { t throws in
            _ = try await t.registerCustomer("c-1")
            let readSide = try ReadSide.embedded(in: t)
            let projector = readSide.projector(t)
            let routes = OpsRoutes(
                store: t.store, readModel: OrderReadModel(index: readSide.index, progress: projector), registry: nil,
                writeProbe: WriteProbe(store: t.store))
            let readiness = try await routes.readReadiness()
            #expect(readiness.httpStatus == .ok)
            #expect(readiness.status == "ready" && readiness.headPosition == 1 && readiness.lagEvents == 1, "\(readiness)")
            #expect(readiness.indexedOrders == 0 && readiness.problem == nil)
        }
        let refusing = try RefusingPort()
        try await TestStore.with { t throws in
            let readSide = try ReadSide.open(
                ReadSideConfiguration(
                    index: .elasticsearch(
                        ElasticsearchConfiguration(nodes: [refusing.url], retry: RetryPolicy(maximumRetries: 0)),
                        definition: try IndexDefinition(contentsOf: Self.definitionPath)),
                    statePath: t.directory.appendingPathComponent("state.sqlite").path),
                logger: Logger(label: "read-side"))
            let routes = OpsRoutes(
                store: t.store, readModel: OrderReadModel(index: readSide.index, progress: readSide.projector(t)), registry: nil,
                writeProbe: WriteProbe(store: t.store))
            let readiness = try await readSide.withServices { try await routes.readReadiness() }
            #expect(readiness.httpStatus == .serviceUnavailable)
            #expect(readiness.status == "unavailable" && readiness.headPosition == 0)
            #expect(readiness.problem?.contains("not reachable") == true, "\(readiness)")
        }
    }
}
