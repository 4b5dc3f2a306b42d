import Elasticsearch
import Foundation
import Logging
import LoopbackHTTP
import Testing

/// The bodies the client builds are valid Elasticsearch requests: captured from the client's own
/// traffic and checked against Elastic's official schema by shared/es-spec/validate.py.
@Suite struct RequestBodyTests {
    static let indexDefinition: JSONValue = [
        "settings": [
            "number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s",
            "analysis": [
                "analyzer": ["folded": ["type": "custom", "tokenizer": "standard", "filter": ["lowercase", "asciifolding"]]],
                "normalizer": ["keyword_folded": ["type": "custom", "filter": ["lowercase", "asciifolding"]]],
            ],
        ],
        "mappings": [
            "dynamic": "strict",
            "_meta": ["mapping_version": 1],
            "properties": [
                "name": ["type": "text", "analyzer": "folded", "fields": ["keyword": ["type": "keyword", "normalizer": "keyword_folded"]]],
                "created_at": ["type": "date"],
                "total_minor": ["type": "long"],
                "items": ["type": "nested", "properties": ["sku": ["type": "keyword"], "quantity": ["type": "integer"]]],
            ],
        ],
    ]

    /// Every body-carrying API, called through the real client against a capturing endpoint.
    static func captureTraffic() async throws -> [LoopbackServer.Request] {
        let endpoint = try CapturingEndpoint()
        defer { endpoint.stop() }
        let client = ElasticsearchClient(configuration: ElasticsearchConfiguration(nodes: [endpoint.url]), logger: Logger(label: "test"))
        return try await withRunningService(client) {
            try await client.createIndex("orders-1", body: indexDefinition)
            try await client.updateSettings("orders-1", refreshInterval: "-1", numberOfReplicas: 0)
            try await client.updateSettings("orders-1", refreshInterval: "1s")
            try await client.updateAliases([
                .add(index: "orders-2", alias: "orders", isWriteIndex: true), .remove(index: "orders-1", alias: "orders"),
                .add(index: "orders-2", alias: "orders-paid", filter: .term("status", "paid"), routing: "r1"), .removeIndex(index: "orders-0"),
            ])

            var bulk = BulkBody()
            bulk.index(
                Array(#"{"name":"Zoë \"Z\" Müller\n","total_minor":1250}"#.utf8), id: "o-1", index: "orders", version: 42, versionType: .external)
            bulk.create(Array(#"{"name":"x"}"#.utf8), id: "o-2", index: "orders", routing: "c-1")
            bulk.update(Array(#"{"doc":{"name":"y"}}"#.utf8), id: "o-3", index: "orders", retryOnConflict: 3)
            bulk.index(Array(#"{"name":"z"}"#.utf8), id: "o-4", ifSeqNo: 7, ifPrimaryTerm: 1)
            bulk.delete(id: "o-5", index: "orders", version: 43, versionType: .externalGTE)
            _ = try await client.bulk(bulk, index: "orders", refresh: .waitFor, filterPath: "items.*.error,items.*.status")
            _ = try await client.bulk(bulk)

            let text = Query.bool(
                must: [
                    .simpleQueryString(
                        "müller \"café crème\" espr*", fields: ["name^3", "items.name"], defaultOperator: .and, flags: "PHRASE|PREFIX")
                ],
                should: [.term("order_id", "o-1", boost: 10), .matchPhrase("notes", "leave at door", slop: 1)],
                filter: [
                    .range("created_at", gte: "2026-01-01", lt: "2026-02-01", timeZone: "Europe/Berlin"),
                    .terms("status", ["paid", "shipped"]), .range("total_minor", gte: 100, lte: 100_000),
                    .nested(path: "items", .match("items.sku", "SKU-1", operator: .and), scoreMode: .max), .exists("notes"),
                ],
                mustNot: [.ids(["o-9"]), .prefix("currency", "X")], minimumShouldMatch: 0
            )
            _ = try await client.search(
                "orders",
                SearchRequest(
                    query: text, size: 20,
                    sort: [.score(), .field("created_at", .desc, missing: "_last"), .field("order_id", .asc, unmappedType: "keyword")],
                    searchAfter: [1.5, 1_768_471_200_000, "o-1"],
                    highlight: .init(
                        fields: ["name", "items.name"], preTags: ["<em>"], postTags: ["</em>"], fragmentSize: 80, numberOfFragments: 2,
                        requireFieldMatch: false, encoder: .html),
                    aggregations: [
                        "by_status": .terms("status", size: 10, order: [("_count", .desc), ("_key", .asc)]),
                        "per_day": .dateHistogram(
                            "created_at", calendarInterval: .day, timeZone: "Europe/Berlin", minDocCount: 0,
                            extendedBounds: ("2026-01-01", "2026-01-31")
                        )
                        .aggregating(["revenue": .sum("total_minor"), "average": .avg("total_minor")]),
                        "items": .nested(path: "items").aggregating([
                            "skus": .terms("items.sku", size: 5).aggregating(["quantity": .sum("items.quantity")])
                        ]),
                        "paid": .filter(.term("status", "paid")).aggregating(["customers": .cardinality("customer_id")]),
                    ],
                    sourceIncludes: ["order_id", "status"], trackTotalHits: .exact, timeout: "2s"
                )
            )
            _ = try await client.search(
                nil,
                SearchRequest(
                    query: .multiMatch("anna", fields: ["name", "email"], type: .boolPrefix, operator: .and), size: 5, pointInTime: ("pit-1", "1m"))
            )
            _ = try await client.search("orders", SearchRequest(query: .matchAll, size: 0, trackTotalHits: .upTo(10_000)), typedKeys: true)
            _ = try await client.count("orders", query: .term("status", "paid"))
            _ = try await client.documents("orders", ids: ["o-1", "o-2"])
            _ = try await client.updateByQuery(
                "orders", query: .term("customer_id", "c-1"),
                script: ["source": "ctx._source.name = params.name", "params": ["name": "Zoë"], "lang": "painless"])
            _ = try await client.openPointInTime("orders", keepAlive: "1m")
            try await client.closePointInTime("pit-1")
            return endpoint.requests
        }
    }

    @Test func bulkBodiesAreNDJSONWithTheFinalNewline() async throws {
        var bulk = BulkBody()
        bulk.index(Array(#"{"a":1}"#.utf8), id: "x\"y", index: "orders", version: 7, versionType: .external, routing: "r")
        bulk.delete(id: "z")
        let text = String(decoding: bulk.bytes, as: UTF8.self)
        #expect(
            text == #"{"index":{"_index":"orders","_id":"x\"y","routing":"r","version":7,"version_type":"external"}}"# + "\n" + #"{"a":1}"# + "\n"
                + #"{"delete":{"_id":"z"}}"# + "\n")
        #expect(bulk.count == 2)
        bulk.removeAll()
        #expect(bulk.isEmpty && bulk.bytes.isEmpty)
    }

    @Test func capturedRequestsAreWhatTheClientSent() async throws {
        let requests = try await Self.captureTraffic()
        #expect(requests.count == 14)
        let bulk = try #require(requests.first { $0.target.hasPrefix("/orders/_bulk") })
        #expect(bulk.target == "/orders/_bulk?refresh=wait_for&filter_path=items.%2A.error%2Citems.%2A.status")
        #expect(bulk.headers["content-type"] == "application/x-ndjson")
        #expect(bulk.body.last == UInt8(ascii: "\n"))
        #expect(
            !requests.contains {
                String(decoding: $0.body, as: UTF8.self).contains("query_string\"")
                    && !String(decoding: $0.body, as: UTF8.self).contains("simple_query_string")
            })
    }

    @Test(.enabled(if: SpecValidator.enabled, Comment(rawValue: SpecValidator.skipMessage)))
    func everyBodyValidatesAgainstTheOfficialSchema() async throws {
        let requests = try await Self.captureTraffic().filter { !$0.body.isEmpty }
        #expect(requests.count == 13, "every request but opening a point in time has a body")
        let lines = try requests.map(CapturingEndpoint.validatorLine)
        let (status, output) = try SpecValidator.validate(lines)
        #expect(status == 0, "validate.py: \(output)")
        #expect(output.contains("\(lines.count) requests, 0 invalid, 0 unmatched"), "\(output)")
    }

    /// The check can fail: a misspelled key is caught.
    @Test(.enabled(if: SpecValidator.enabled, Comment(rawValue: SpecValidator.skipMessage)))
    func theSchemaCheckCatchesAMisspelledKey() throws {
        let bad = #"{"method":"POST","path":"/orders/_search","body":{"query":{"bool":{"filtre":[]}}}}"#
        let (status, output) = try SpecValidator.validate([bad])
        #expect(status != 0)
        #expect(output.contains("1 invalid"))
    }
}
