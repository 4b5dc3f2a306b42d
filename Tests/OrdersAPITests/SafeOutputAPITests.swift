import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import OrdersAPI
import Testing

/// What the API lets out (issue 20): user text escaped wherever it may become HTML, pages that
/// tell browsers to run nothing and frame nothing.
@Suite(.timeLimit(.minutes(5))) struct SafeOutputAPITests {
    /// Status, headers and body text of a GET.
    static func get(
        _ client: any TestClientProtocol, _ uri: String, headers: HTTPFields = [:]
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
}
