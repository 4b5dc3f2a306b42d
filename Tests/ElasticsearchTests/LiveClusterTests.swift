import Elasticsearch
import Foundation
import Logging
import LoopbackHTTP
import Testing

/// Against a real Elasticsearch: runs when `ES_URL` is set (with `ES_USERNAME`/`ES_PASSWORD`,
/// `ES_API_KEY`, `ES_CA_FILE` as needed), on uniquely named indices it deletes afterwards.
enum LiveCluster {
    static let configuration: ElasticsearchConfiguration? = try? ElasticsearchConfiguration.fromEnvironment()
}

@Suite(.enabled(if: LiveCluster.configuration != nil, "ES_URL is not set: live Elasticsearch tests skipped"), .serialized)
struct LiveClusterTests {
    static var configuration: ElasticsearchConfiguration? { LiveCluster.configuration }

    static func withIndex(_ body: (ElasticsearchClient, String) async throws -> Void) async throws {
        let client = ElasticsearchClient(configuration: configuration!, logger: Logger(label: "live"))
        try await withRunningService(client) {
            let index = "es-client-test-\(UUID().uuidString.lowercased().prefix(8))"
            try await client.createIndex(
                index,
                body: [
                    "settings": ["number_of_shards": 1, "number_of_replicas": 0],
                    "mappings": ["properties": ["name": ["type": "text"], "status": ["type": "keyword"], "total": ["type": "long"]]],
                ]
            )
            do {
                try await body(client, index)
            } catch {
                _ = try? await client.deleteIndex(index)
                throw error
            }
            try await client.deleteIndex(index)
        }
    }

    @Test func infoAndHealth() async throws {
        let client = ElasticsearchClient(configuration: Self.configuration!, logger: Logger(label: "live"))
        try await withRunningService(client) {
            let info = try await client.info()
            #expect(!info.version.number.isEmpty)
            let health = try await client.health(waitForStatus: .yellow, timeout: "10s")
            #expect(health.status != .red)
        }
    }

    @Test func bulkWithExternalVersionsThenSearchCountAndGet() async throws {
        try await Self.withIndex { client, index in
            var body = BulkBody()
            body.index(Array(#"{"name":"Zoë Müller","status":"paid","total":1250}"#.utf8), id: "1", version: 5, versionType: .external)
            body.index(Array(#"{"name":"José Núñez","status":"draft","total":300}"#.utf8), id: "2", version: 5, versionType: .external)
            let first = try await client.bulk(body, index: index, refresh: .true)
            #expect(first.items.map(\.status) == [201, 201])
            // The same versions again are stale: 409 per item.
            let again = try await client.bulk(body, index: index)
            #expect(again.items.map(\.status) == [409, 409])
            #expect(again.items.first?.error?.type == "version_conflict_engine_exception")

            let paid = try await client.search(
                index, SearchRequest(query: .bool(filter: [.term("status", "paid")]), aggregations: ["by_status": .terms("status")]))
            #expect(paid.hits?.total == TotalHits(value: 1, isExact: true))
            #expect(paid.hits?.hits.first?.id == "1")
            #expect(try await client.count(index).count == 2)
            #expect(try await client.document(index, id: "1")?.version == 5)
            #expect(try await client.document(index, id: "missing") == nil)
            #expect(try await client.documents(index, ids: ["1", "missing"]).map(\.found) == [true, false])
        }
    }

    @Test func aliasesSwapAtomically() async throws {
        try await Self.withIndex { client, index in
            let alias = index + "-alias"
            try await client.updateAliases([.add(index: index, alias: alias)])
            #expect(try await client.aliases(named: alias).keys.contains(index))
            try await client.updateAliases([.remove(index: index, alias: alias)])
            #expect(try await client.aliases(named: alias).isEmpty)
            #expect(try await client.indexExists(index))
        }
    }
}
