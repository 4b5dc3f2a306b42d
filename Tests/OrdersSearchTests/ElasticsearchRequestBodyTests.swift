import Elasticsearch
import Foundation
import Logging
import LoopbackHTTP
import OrdersDomain
import Synchronization
import Testing

@testable import OrdersSearch

/// Every request body the Elasticsearch backend sends while the behavioural suite runs validates
/// against Elastic's official schema (shared/es-spec). The suite runs against a loopback server
/// that answers like Elasticsearch but stores nothing, so its expectations about results are
/// known issues here; what this test checks is what was sent.
@Suite struct ElasticsearchRequestBodyTests {
    @Test(.enabled(if: SpecValidator.enabled, Comment(rawValue: SpecValidator.skipMessage)))
    func everyBodyTheBackendSendsIsValid() async throws {
        let requests = Mutex<[LoopbackServer.Request]>([])
        let server = try LoopbackServer { request in
            let isFirstAliasLookup = requests.withLock { list in
                list.append(request)
                return request.path == "/_alias/orders" && list.filter { $0.path == "/_alias/orders" }.count == 1
            }
            if isFirstAliasLookup { return .json(#"{"error":"alias [orders] missing","status":404}"#, status: 404) }
            if request.path == "/_alias/orders" { return .json(#"{"orders-1":{"aliases":{"orders":{}}}}"#) }
            if request.path.hasSuffix("/_mapping") {
                return request.method == "PUT"
                    ? .json(#"{"acknowledged":true}"#) : .json(#"{"orders-1":{"mappings":{"_meta":{"mapping_version":1}}}}"#)
            }
            if request.path.hasPrefix("/orders/_doc/") { return .json(#"{"_index":"orders-1","_id":"x","found":false}"#, status: 404) }
            return .json(CapturingEndpoint.answer(request))
        }
        defer { server.stop() }
        let index = try ElasticsearchBackendTests.backend(server.url)
        try await withRunningService(index.client) {
            try await index.bootstrap()
            let behaviours = SearchIndexBehaviour.names.map { SearchIndexBehaviour.all[$0]! }
            for behaviour in behaviours {
                await withKnownIssue("the loopback server stores nothing", isIntermittent: true) { try await behaviour(TestedIndex(index)) }
            }
            // Pages after a cursor (the stand-in never returns one) and a batch someone waits for.
            for sort in SearchOrdersQuery.Sort.allCases {
                var query = try SearchOrdersQuery.parse([("sort", sort.rawValue), ("q", "müller")])
                let value: Cursor.Value = sort == .relevance ? .real(3.25) : .integer(1_767_225_600_000)
                query.after = Cursor(sort: sort.rawValue, value: value, orderID: "ord-1").encoded
                _ = try await index.search(query)
            }
            _ = try await index.orders(
                customerID: "c-1", size: 5, after: Cursor(sort: "customer", value: .integer(1_767_225_600_000), orderID: "ord-1").encoded)
            _ = try await index.apply([SearchIndexBehaviour.document("ord-1")], waitForVisibility: true)
            // The live index records the event store it is built from.
            try await index.claim(forStore: "2f6c1b1e-4d3a-4b7e-9a51-0c7d2e8f1a90")

            let sent = requests.withLock { $0 }
            let paths = Set(sent.map { "\($0.method) \($0.path)" })
            for expected in [
                "PUT /orders-1", "POST /orders/_bulk", "POST /orders/_search", "GET /orders/_doc/missing", "GET /orders-1/_mapping",
                "PUT /orders-1/_mapping",
            ] {
                #expect(paths.contains(expected), "\(expected) was sent")
            }
            #expect(sent.contains { $0.query?.contains("refresh=wait_for") == true }, "a waited-for batch asks for visibility")
            #expect(!sent.contains { String(decoding: $0.body, as: UTF8.self).contains("query_string\"") }, "never query_string")
            let bodies = sent.map { String(decoding: $0.body, as: UTF8.self) }
            for aggregation in ["date_histogram", "extended_bounds", "nested", "reverse_nested", "top_hits", "\"avg\"", "\"sum\""] {
                #expect(bodies.contains { $0.contains(aggregation) }, "the analytics panels sent \(aggregation)")
            }
            let withBodies = sent.filter { !$0.body.isEmpty }
            #expect(withBodies.count > 100)
            let (status, output) = try SpecValidator.validate(try withBodies.map(CapturingEndpoint.validatorLine))
            #expect(status == 0, "\(output)")
        }
    }
}
