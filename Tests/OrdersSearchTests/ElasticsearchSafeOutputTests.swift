import Elasticsearch
import Foundation
import Logging
import LoopbackHTTP
import Testing

@testable import OrdersSearch

/// What the Elasticsearch backend lets out: highlights Elasticsearch escapes (`encoder: html`),
/// passed on as it sent them, and descriptions of the read side without credentials.
@Suite(.timeLimit(.minutes(1))) struct ElasticsearchSafeOutputTests {
    /// A text search asks for HTML-encoded highlights with `<em>` marks: the stand-in stores
    /// nothing, so the request is what can be checked (its schema is checked with every other
    /// body in `ElasticsearchRequestBodyTests`).
    @Test func aTextSearchAsksForHTMLEncodedHighlights() async throws {
        let endpoint = try CapturingEndpoint()
        defer { endpoint.stop() }
        let index = try ElasticsearchBackendTests.backend(endpoint.url)
        try await withRunningService(index.client) {
            _ = try await index.search(try SearchOrdersQuery.parse([("q", "zeb")]))
            _ = try await index.search(try SearchOrdersQuery.parse([("status", "paid")]))
        }
        let bodies = try endpoint.requests.filter { $0.path.hasSuffix("/_search") }.map { try JSONValue.parse($0.body) }
        #expect(bodies.count == 2)
        let highlight = try #require(bodies.first?["highlight"])
        #expect(highlight["encoder"] == "html")
        #expect(highlight["pre_tags"] == ["<em>"] && highlight["post_tags"] == ["</em>"])
        #expect(bodies.last?["highlight"] == nil, "no text, no highlight")
    }

    /// A real highlight response (go-elasticsearch's xkcd fixture) carrying an order and the
    /// fragments Elasticsearch encodes for a hostile name: the fragments reach the caller exactly
    /// as sent, under the API's field names (escaped once, by Elasticsearch, never twice).
    @Test(.enabled(if: FixtureDirectory.enabled, Comment(rawValue: FixtureDirectory.skipMessage)))
    func encodedHighlightsArePassedOnAsElasticsearchSentThem() async throws {
        let fixture = try Data(contentsOf: FixtureDirectory.url.appendingPathComponent("search/resp_goclient_xkcd_match_query.json"))
        var response = try #require(try JSONSerialization.jsonObject(with: fixture) as? [String: Any])
        var hits = try #require(response["hits"] as? [String: Any])
        var first = try #require((hits["hits"] as? [[String: Any]])?.first)
        #expect(first["highlight"] as? [String: [String]] == ["title": ["<em>Numbers</em>"]], "the fixture as Elastic wrote it")
        let document = SearchIndexBehaviour.document("ord-xss-0001", customer: ("c-x1", "<img src=x onerror=alert(1)> Zeb", "x1@example.org"))
        let encoded = "&lt;img src=x onerror=alert(1)&gt; <em>Zeb</em>"
        first["_id"] = document.orderID
        first["_source"] = try JSONSerialization.jsonObject(with: Data(try ElasticsearchSearchIndex.encode(document)))
        first["highlight"] = ["customer.name": [encoded], "customer.name.prefix": ["&lt;img src=x onerror=alert(1)&gt; <em>Ze</em>b"]]
        first["sort"] = [699.8671, document.orderID]
        hits["hits"] = [first]
        hits["total"] = ["value": 1, "relation": "eq"]
        response["hits"] = hits
        let body = String(decoding: try JSONSerialization.data(withJSONObject: response), as: UTF8.self)
        let server = try LoopbackServer { _ in .json(body) }
        defer { server.stop() }
        let index = try ElasticsearchBackendTests.backend(server.url)
        let result = try await withRunningService(index.client) { try await index.search(try SearchOrdersQuery.parse([("q", "zeb")])) }
        #expect(result.hits.map(\.order.orderID) == ["ord-xss-0001"])
        #expect(result.hits.first?.highlights == ["customer.name": [encoded]])
    }

    /// Node URLs that carry credentials are shown without them wherever the read side
    /// describes itself: its location (logs, `orders project`) and `describe()` (`orders status`,
    /// `GET /admin/status`), reachable or not.
    @Test func theReadSideDescribesItsNodesWithoutCredentials() async throws {
        let refusing = try RefusingPort()
        let port = try #require(refusing.url.port)
        let node = try #require(URL(string: "http://elastic:S3cretPass@127.0.0.1:\(port)"))
        var connection = ElasticsearchConfiguration(nodes: [node], retry: RetryPolicy(maximumRetries: 0))
        connection.connectTimeout = .seconds(2)
        let definition = try IndexDefinition(contentsOf: ElasticsearchBackendTests.definitionPath)
        let opened = try ReadIndex.open(.elasticsearch(connection, definition: definition), logger: Logger(label: "test"))
        #expect(!opened.location.contains("S3cret") && opened.location.contains("127.0.0.1:\(port)"), "\(opened.location)")
        let index = ElasticsearchSearchIndex(
            client: ElasticsearchClient(configuration: connection, logger: Logger(label: "test")), definition: definition,
            logger: Logger(label: "test"))
        let description = try await withRunningService(index.client) { await index.describe() }
        let text = "\(description.location) \(description.problems)"
        #expect(!text.contains("S3cret") && description.location.contains("127.0.0.1:\(port)"), "\(text)")
        #expect(!description.problems.isEmpty, "unreachable, and said so")
    }
}
