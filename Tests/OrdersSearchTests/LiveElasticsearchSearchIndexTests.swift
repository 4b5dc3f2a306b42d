import Elasticsearch
import Foundation
import Logging
import LoopbackHTTP
import OrdersSearch
import Testing

/// The behavioural suite, unchanged, against a real Elasticsearch: runs when `ES_URL` is set
/// (with `ES_USERNAME`/`ES_PASSWORD`, `ES_API_KEY`, `ES_CA_FILE` as needed), each behaviour on
/// its own alias and index, deleted afterwards.
@Suite(.enabled(if: LiveElasticsearch.configuration != nil, "ES_URL is not set: the suite against Elasticsearch is skipped"), .serialized)
struct LiveElasticsearchSearchIndexTests {
    static func withIndex(_ body: (TestedIndex) async throws -> Void) async throws {
        let client = ElasticsearchClient(configuration: LiveElasticsearch.configuration!, logger: Logger(label: "live"))
        try await withRunningService(client) {
            var settings = ElasticsearchSearchIndex.Configuration()
            settings.alias = "orders-test-\(UUID().uuidString.lowercased().prefix(8))"
            let index = ElasticsearchSearchIndex(
                client: client, definition: try IndexDefinition(contentsOf: ElasticsearchBackendTests.definitionPath), configuration: settings,
                logger: Logger(label: "live"))
            let state = try await index.bootstrap()
            do {
                try await body(TestedIndex(reader: index, writer: VisibleWrites(inner: index)))
            } catch {
                _ = try? await client.deleteIndex(state.index)
                throw error
            }
            try await client.deleteIndex(state.index)
        }
    }

    @Test(arguments: SearchIndexBehaviour.names) func behaviour(_ name: String) async throws {
        try await Self.withIndex(SearchIndexBehaviour.all[name]!)
    }
}

enum LiveElasticsearch {
    static let configuration: ElasticsearchConfiguration? = try? ElasticsearchConfiguration.fromEnvironment()
}

/// Elasticsearch shows writes after a refresh; the suite reads right after writing, as a reader
/// passing `min_position` would, so its writes wait for visibility.
struct VisibleWrites: SearchIndexWriter {
    let inner: any SearchIndexWriter
    func apply(_ documents: [OrderDocument], waitForVisibility: Bool) async throws -> [ApplyOutcome] {
        try await inner.apply(documents, waitForVisibility: true)
    }
    func prepare() async throws -> Bool { try await inner.prepare() }
    func makeVisible() async throws { try await inner.makeVisible() }
}
