import Foundation
import HTTPTypes
import Hummingbird
import LiveHTTP
import NIOCore
import OrdersProjection
import OrdersStore
import OrdersTestSupport
import Testing

/// Input the API refuses, each with a 4xx naming the field or parameter, changing nothing; and
/// the HTTP semantics around it.
@Suite(.timeLimit(.minutes(5))) struct StrictInputTests {
    static let json: HTTPFields = [.contentType: "application/json"]

    /// A customer `c-1`, a product `p-1` and an open order `o-1`: every body below would be
    /// accepted but for the one defect it carries.
    static func withOrder(_ body: @escaping @Sendable (APITests.Harness, TestClient) async throws -> Void) async throws {
        try await APITests.with { harness, client in
            let customer = try await harness.store.registerCustomer("c-1")
            try await harness.store.addProduct("p-1")
            try await harness.store.createOrder("o-1", customer: customer)
            try await body(harness, client)
        }
    }

    /// Sends each request and expects its refusal: the status, the error code when given, the
    /// field, and no event appended.
    static func expectRefused(
        _ cases: [(HTTPRequest.Method, String, String?, HTTPFields, HTTPResponse.Status, String?, String?)], harness: APITests.Harness,
        client: TestClient, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let before = try await harness.store.store.headPosition()
        for (method, uri, body, headers, status, code, field) in cases {
            let answer = try await APITests.send(client, method, uri, body, headers: headers, expect: status)
            let error = answer["error"] as? [String: Any]
            let shown = "\(method) \(uri) \(body ?? "")"
            #expect(error?["message"] is String, "\(shown)", sourceLocation: sourceLocation)
            if let code { #expect(error?["code"] as? String == code, "\(shown)", sourceLocation: sourceLocation) }
            #expect(error?["field"] as? String == field, "\(shown)", sourceLocation: sourceLocation)
        }
        #expect(try await harness.store.store.headPosition() == before, "nothing was written", sourceLocation: sourceLocation)
    }

    @Test func duplicateKeysAreRefusedAtAnyDepthNamingTheKey() async throws {
        try await Self.withOrder { harness, client in
            try await Self.expectRefused(
                [
                    (.post, "/orders/o-1/items", #"{"product_id":"p-1","quantity":3,"quantity":7}"#, Self.json, .badRequest, nil, "quantity"),
                    (.put, "/orders/o-1/items/p-1", #"{"quantity":3,"quantity":3}"#, Self.json, .badRequest, nil, "quantity"),
                    // The same key spelled with an escape is the same key.
                    (.post, "/orders/o-1/cancel", #"{"reason":"a","re\u0061son":"b"}"#, Self.json, .badRequest, nil, "reason"),
                    (
                        .post, "/orders",
                        #"{"customer_id":"c-1","shipping":{"city":"Berlin","city":"Paris","country":"DE"},"currency":"EUR"}"#, Self.json,
                        .badRequest, nil, "shipping.city"
                    ),
                ], harness: harness, client: client)
        }
    }

    @Test func unknownFieldsAreRefusedAtAnyDepthNamedWithTheirPath() async throws {
        try await Self.withOrder { harness, client in
            try await Self.expectRefused(
                [
                    (
                        .post, "/orders", #"{"customer_id":"c-1","shipping":{"city":"Berlin","country":"DE","evil":1},"currency":"EUR"}"#,
                        Self.json, .badRequest, "invalid_argument", "shipping.evil"
                    ),
                    (.post, "/orders/o-1/items", #"{"product_id":"p-1","quantity":1,"colour":"red"}"#, Self.json, .badRequest, nil, "colour"),
                ], harness: harness, client: client)
        }
    }

    @Test func integerFieldsTakeOnlyWholeNumbersInTheirRange() async throws {
        try await Self.withOrder { harness, client in
            var cases: [(HTTPRequest.Method, String, String?, HTTPFields, HTTPResponse.Status, String?, String?)] = []
            for quantity in ["2.5", "2.0", "1e2", "1E2", "-1", "0", "1001", "99999999999999999999", "-0.5", #""3""#, "true", "null", "[3]", "{}"] {
                cases.append((.post, "/orders/o-1/items", #"{"product_id":"p-1","quantity":\#(quantity)}"#, Self.json, .badRequest, nil, "quantity"))
                cases.append((.put, "/orders/o-1/items/p-1", #"{"quantity":\#(quantity)}"#, Self.json, .badRequest, nil, "quantity"))
            }
            for price in ["1e3", "12.5", "9223372036854775808", "1000000000001", "-1"] {
                cases.append(
                    (
                        .post, "/products", #"{"sku":"X-1","name":"Y","price_minor":\#(price),"currency":"EUR"}"#, Self.json, .badRequest, nil,
                        "price_minor"
                    ))
                cases.append((.patch, "/products/p-1", #"{"price_minor":\#(price),"currency":"EUR"}"#, Self.json, .badRequest, nil, "price_minor"))
                cases.append((.post, "/orders/o-1/pay", #"{"amount_minor":\#(price),"currency":"EUR"}"#, Self.json, .badRequest, nil, "amount_minor"))
            }
            try await Self.expectRefused(cases, harness: harness, client: client)
            // The range's ends are accepted.
            try await APITests.send(client, .post, "/orders/o-1/items", #"{"product_id":"p-1","quantity":1000}"#, headers: Self.json, expect: .ok)
            try await APITests.send(client, .put, "/orders/o-1/items/p-1", #"{"quantity":1}"#, headers: Self.json, expect: .ok)
            try await APITests.send(
                client, .post, "/products", #"{"sku":"X-2","name":"Y","price_minor":1000000000000,"currency":"EUR"}"#, headers: Self.json,
                expect: .created)
        }
    }

    @Test func malformedJSONIsABadRequestThatChangesNothing() async throws {
        try await Self.withOrder { harness, client in
            let deep = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
            var cases: [(HTTPRequest.Method, String, String?, HTTPFields, HTTPResponse.Status, String?, String?)] = []
            for body in [
                #"{"reason":"x"} {"reason":"y"}"#, #"{"reason":"x"}x"#, #"{"reason":"x",}"#, #"{"reason":'x'}"#, "{\"reason\":\"a\u{01}b\"}",
                #"{"reason":"\x"}"#, #"{"reason":"x"#, "[]", #""x""#, "", "{\"reason\":\(deep)}", #"{"reason":nul}"#, "\u{FEFF}{}",
            ] {
                cases.append((.post, "/orders/o-1/cancel", body, Self.json, .badRequest, "invalid_argument", nil))
            }
            for quantity in ["01", "-", "1.", ".5", "+1", "0x10", "1e", "Infinity", "NaN"] {
                let body = #"{"product_id":"p-1","quantity":\#(quantity)}"#
                cases.append((.post, "/orders/o-1/items", body, Self.json, .badRequest, "invalid_argument", nil))
            }
            try await Self.expectRefused(cases, harness: harness, client: client)
            // Bytes that are not UTF-8.
            let before = try await harness.store.store.headPosition()
            var latin1 = ByteBuffer(string: #"{"reason":""#)
            latin1.writeBytes([0xE9, 0x22, 0x7D])
            try await client.execute(uri: "/orders/o-1/cancel", method: .post, headers: Self.json, body: latin1) { response in
                #expect(response.status == .badRequest)
            }
            #expect(try await harness.store.store.headPosition() == before)
        }
    }

    @Test func aCommandBodyThatIsNotJSONIsAnUnsupportedMediaType() async throws {
        try await Self.withOrder { harness, client in
            let reason = #"{"reason":"changed my mind"}"#
            var cases: [(HTTPRequest.Method, String, String?, HTTPFields, HTTPResponse.Status, String?, String?)] = []
            // A cross-site form can send these three without a preflight.
            for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1"] {
                cases.append(
                    (.post, "/orders/o-1/cancel", reason, [.contentType: type], .unsupportedMediaType, "unsupported_media_type", "Content-Type"))
                cases.append(
                    (.post, "/orders/o-1/submit", "{}", [.contentType: type], .unsupportedMediaType, "unsupported_media_type", "Content-Type"))
            }
            cases.append((.patch, "/customers/c-1", #"{"name":"B"}"#, [.contentType: "text/plain"], .unsupportedMediaType, nil, "Content-Type"))
            cases.append(
                (.put, "/orders/o-1/items/p-1", #"{"quantity":2}"#, [.contentType: "text/plain"], .unsupportedMediaType, nil, "Content-Type"))
            cases.append((.delete, "/orders/o-1/items/p-1", "x", [.contentType: "text/plain"], .unsupportedMediaType, nil, "Content-Type"))
            try await Self.expectRefused(cases, harness: harness, client: client)
            // A body without a type is not JSON either.
            try await client.execute(uri: "/orders/o-1/cancel", method: .post, body: ByteBuffer(string: reason)) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            #expect(try await harness.store.store.headPosition() == 3)
            // JSON, with or without its charset, in any case; a route without a body needs none.
            try await APITests.send(
                client, .post, "/orders/o-1/items", #"{"product_id":"p-1","quantity":1}"#, headers: [.contentType: "Application/JSON; Charset=UTF-8"],
                expect: .ok)
            try await APITests.send(client, .post, "/orders/o-1/submit", expect: .ok)
            try await APITests.send(
                client, .post, "/orders/o-1/cancel", reason, headers: [.contentType: "application/json; charset=utf-8"], expect: .ok)
        }
    }

    @Test func overTheNetworkAnEmptyBodyNeedsNoTypeAndAnyOtherIsRefused() async throws {
        try await APITests.with { harness, client in
            let customer = try await harness.store.registerCustomer("c-1")
            try await harness.store.createOrder("o-1", customer: customer)
            // The client sends a POST without a body as an empty chunked one.
            try await client.execute(uri: "/orders/o-1/cancel", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "x")) {
                #expect($0.status == .unsupportedMediaType)
            }
            try await client.execute(uri: "/orders/o-1/submit", method: .post) { #expect($0.status == .unprocessableContent, "an empty order") }
            #expect(try await harness.store.store.headPosition() == 2)
        }
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        try await APITests.with(adminToken: "token") { harness, client in
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.get, "/orders", "POST"), (.delete, "/orders/o-1", "GET, HEAD"), (.post, "/health", "GET, HEAD"),
                (.put, "/orders/search", "GET, HEAD"), (.get, "/orders/o-1/items/p-1", "DELETE, PUT"), (.head, "/customers", "POST"),
                (.delete, "/admin/reindex", "GET, HEAD, POST"),
            ]
            for (method, uri, allow) in cases {
                try await client.execute(uri: uri, method: method, headers: Self.json, body: ByteBuffer(string: "{}")) { response in
                    #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                    #expect(response.headers[.allow] == allow, "\(method) \(uri)")
                    if method != .head {
                        let error = try APITests.json(response.body)["error"] as? [String: Any]
                        #expect(error?["code"] as? String == "method_not_allowed", "\(method) \(uri)")
                    }
                }
            }
            let unknown = try await APITests.send(client, .get, "/no/such/route", expect: .notFound)
            #expect((unknown["error"] as? [String: Any])?["code"] as? String == "no_such_route")
            #expect(try await harness.store.store.headPosition() == 0)
        }
    }

    @Test func everyGetAnswersHeadWithItsStatusAndHeadersAndNoBody() async throws {
        try await Self.withOrder { harness, client in
            // The order is projected first, so GET and HEAD see the same read side.
            #expect(await harness.projector.waitForPosition(try await harness.store.store.headPosition(), timeout: .seconds(10)))
            var uris = harness.routes.filter { $0.hasPrefix("GET ") }.map {
                String($0.dropFirst(4)).replacingOccurrences(of: "{id}", with: "o-1").replacingOccurrences(of: "{product_id}", with: "p-1")
            }
            uris += ["/orders/nobody", "/orders/search?size=0", "/dashboard?refresh=0"]
            #expect(uris.count > 10)
            for uri in uris {
                let get = try await client.execute(uri: uri, method: .get) { $0 }
                try await client.execute(uri: uri, method: .head) { head in
                    #expect(head.status == get.status, "HEAD \(uri)")
                    #expect(head.headers[.contentType] == get.headers[.contentType], "HEAD \(uri)")
                    #expect(head.body.readableBytes == 0, "HEAD \(uri)")
                    #expect(head.headers[.contentLength] == get.headers[.contentLength], "HEAD \(uri)")
                }
            }
        }
    }

    @Test func headOverTheNetworkSendsNoBody() async throws {
        try await APITests.with { _, client in
            let get = try await client.execute(uri: "/health", method: .get) { $0 }
            try await client.execute(uri: "/health", method: .head) { head in
                #expect(head.status == .ok)
                #expect(head.headers[.contentLength] == get.headers[.contentLength])
                #expect(head.body.readableBytes == 0)
            }
            try await client.execute(uri: "/orders/nobody", method: .head) { head in
                #expect(head.status == .notFound)
                #expect(head.body.readableBytes == 0)
            }
            // The connection is still in step: the next answer is its own.
            try await client.execute(uri: "/health", method: .get) { #expect(String(buffer: $0.body) == #"{"status":"ok"}"#) }
        }
    }

    @Test func every401ChallengesForABearerToken() async throws {
        try await APITests.with(adminToken: "token") { _, client in
            for (method, uri, headers) in [
                (HTTPRequest.Method.get, "/admin/status", HTTPFields()), (.post, "/admin/reindex", [.authorization: "Bearer wrong"]),
                (.head, "/admin/status", [.authorization: "Basic token"]),
            ] {
                try await client.execute(uri: uri, method: method, headers: headers) { response in
                    #expect(response.status == .unauthorized, "\(method) \(uri)")
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(method) \(uri)")
                }
            }
        }
    }

    @Test func impossibleDatesAreRefusedByParameter() async throws {
        try await APITests.with { harness, client in
            for value in ["2026-02-30T10:00:00Z", "2026-02-30", "2026-13-01", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z", "2025-02-29"] {
                for uri in ["/orders/search?from=\(value)", "/analytics/averages?from=\(value)", "/analytics/orders-over-time?to=\(value)"] {
                    let answer = try await APITests.send(client, .get, uri, expect: .badRequest)
                    let field = uri.contains("to=") ? "to" : "from"
                    #expect((answer["error"] as? [String: Any])?["field"] as? String == field, "\(uri)")
                }
            }
        }
    }

    /// Parameters each well-formed that together ask for what cannot be answered are 422, not
    /// 400: a range that selects nothing or holds more than 1,000 intervals, a cursor the service
    /// never gave. (400 means a value breaks the OpenAPI document; these the schemas cannot state.)
    @Test func wellFormedQueriesThatCannotBeAnsweredAre422NamingTheParameter() async throws {
        try await Self.withOrder { harness, client in
            let cursor = "djEKY3JlYXRlZF9hdAox"  // base64url, but of no cursor
            try await Self.expectRefused(
                [
                    (.get, "/orders/search?from=2026-02-02&to=2026-02-01", nil, [:], .unprocessableContent, "invalid_range", "to"),
                    (.get, "/orders/search?min_total=10&max_total=9", nil, [:], .unprocessableContent, "invalid_range", "max_total"),
                    (.get, "/orders/search?after=\(cursor)", nil, [:], .unprocessableContent, "invalid_cursor", "after"),
                    (.get, "/customers/c-1/orders?after=\(cursor)", nil, [:], .unprocessableContent, "invalid_cursor", "after"),
                    (.get, "/analytics/averages?from=2026-02-02&to=2026-02-01", nil, [:], .unprocessableContent, "invalid_range", "to"),
                    (
                        .get, "/analytics/orders-over-time?from=2020-01-01&to=2026-01-01&interval=hour", nil, [:], .unprocessableContent,
                        "invalid_range", "interval"
                    ),
                ], harness: harness, client: client)
            // The dashboard says so on its page.
            for uri in ["/dashboard?from=2026-02-02&to=2026-02-01", "/dashboard?from=0001-01-01&to=9999-12-31"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .unprocessableContent, "\(uri)")
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(uri)")
                }
            }
        }
    }
}
