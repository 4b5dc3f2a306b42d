import Elasticsearch
import Foundation
import Logging
import LoopbackHTTP
import OrdersProjection
import OrdersSearch
import OrdersStore
import OrdersTestSupport
import Testing

/// A reindex against a real Elasticsearch while a writer and the live projector run: runs when
/// `ES_URL` is set (with `ES_USERNAME`/`ES_PASSWORD`, `ES_API_KEY`, `ES_CA_FILE` as needed), on
/// its own alias, whose indices are deleted afterwards.
@Suite(.enabled(if: (try? ElasticsearchConfiguration.fromEnvironment()) != nil, "ES_URL is not set: the reindex against Elasticsearch is skipped"))
struct LiveElasticsearchReindexTests {
    @Test func reindexWhileAWriterKeepsWritingLosesNothing() async throws {
        let logger = Logger(label: "live")
        let client = ElasticsearchClient(configuration: try ElasticsearchConfiguration.fromEnvironment()!, logger: logger)
        try await withRunningService(client) {
            var settings = ElasticsearchSearchIndex.Configuration()
            settings.alias = "orders-reindex-test-\(UUID().uuidString.lowercased().prefix(8))"
            let definition = try IndexDefinition(contentsOf: ElasticsearchReindexTests.definitionPath)
            let live = ElasticsearchSearchIndex(client: client, definition: definition, configuration: settings, logger: logger)
            let generations = ElasticsearchGenerations(client: client, definition: definition, configuration: settings, logger: logger)
            func deleteIndices() async {
                for index in (try? await generations.list()) ?? [] { _ = try? await client.deleteIndex(index) }
            }
            do {
                try await run(live: live, generations: generations, alias: settings.alias, logger: logger)
            } catch {
                await deleteIndices()
                throw error
            }
            await deleteIndices()
        }
    }

    func run(live: ElasticsearchSearchIndex, generations: ElasticsearchGenerations, alias: String, logger: Logger) async throws {
        try await TestStore.with { store in
            let shop = try await BusyShop.open(store)
            for number in 0..<40 { try await shop.step(number) }
            let state = try ProjectionStateStore(path: store.directory.appendingPathComponent("state.sqlite").path)
            let projector = Projector(
                store: store.store, index: live, state: state, configuration: ProjectorConfiguration(checkpointName: "live"), logger: logger)
            try await live.bootstrap()
            let projecting = Task { try await projector.run(pollInterval: .milliseconds(50)) }
            defer { projecting.cancel() }
            #expect(await projector.waitForPosition(try await store.store.headPosition(), timeout: .seconds(30)))
            let steps = StepCounter(next: 40)
            let writer = Task {
                while !Task.isCancelled {
                    try await shop.step(steps.take())
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            let summary = try await Reindexer(store: store.store, generations: generations, state: state, readSide: "live", logger: logger).run()
            writer.cancel()
            _ = await writer.result
            #expect(await projector.waitForPosition(try await store.store.headPosition(), timeout: .seconds(30)))
            #expect(try await generations.live() == summary.target && summary.target == "\(alias)-2")
            #expect(try await generations.list() == [summary.target])
            _ = try await live.client.refresh(summary.target)
            let expected = try await foldOfLog(store)
            #expect(try await live.stats().documents == expected.count)
            for (id, document) in expected { #expect(try await live.order(id: id) == document, "order \(id)") }
        }
    }
}
