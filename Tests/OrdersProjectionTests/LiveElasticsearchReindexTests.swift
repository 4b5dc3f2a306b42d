import Elasticsearch
import Foundation
import Logging
import LoopbackHTTP
import OrdersProjection
import OrdersSearch
import OrdersStore
import OrdersTestSupport
import ProjectionTestSupport
import TestClocks
import Testing

/// A reindex against a real Elasticsearch while a writer and the live projector run: runs when
/// `ES_URL` is set (with `ES_USERNAME`/`ES_PASSWORD`, `ES_API_KEY`, `ES_CA_FILE` as needed), on
/// its own alias, whose indices are deleted afterwards.
@Suite(.enabled(if: (try? ElasticsearchConfiguration.fromEnvironment()) != nil, "ES_URL is not set: the reindex against Elasticsearch is skipped"))
struct LiveElasticsearchReindexTests {
    @Test func reindexWhileAWriterKeepsWritingLosesNothing() async throws {
        try await TestStore.with { store in
            let logger = Logger(label: "live")
            var settings = ElasticsearchSearchIndex.Configuration()
            settings.alias = "orders-reindex-test-\(UUID().uuidString.lowercased().prefix(8))"
            // The read side as `orders serve --es-url` opens it, on an alias of its own.
            let read = try ReadSide.open(
                ReadSideConfiguration(
                    index: .elasticsearch(
                        try ElasticsearchConfiguration.fromEnvironment()!, index: settings,
                        definition: try IndexDefinition(contentsOf: ElasticsearchReindexTests.definitionPath)),
                    statePath: store.directory.appendingPathComponent("state.sqlite").path),
                logger: logger)
            try await read.withServices {
                do {
                    try await run(read, store: store, alias: settings.alias, logger: logger)
                } catch {
                    await deleteIndices(read)
                    throw error
                }
                await deleteIndices(read)
            }
        }
    }

    /// Deletes every generation of the test's alias, the live one too.
    func deleteIndices(_ read: ReadSide) async {
        let client = ElasticsearchClient(configuration: try! ElasticsearchConfiguration.fromEnvironment()!, logger: Logger(label: "cleanup"))
        try? await withRunningService(client) {
            for index in (try? await read.generations.list()) ?? [] { _ = try? await client.deleteIndex(index) }
        }
    }

    func run(_ read: ReadSide, store: TestStore, alias: String, logger: Logger) async throws {
        let shop = try await BusyShop.open(store)
        for number in 0..<40 { try await shop.step(number) }
        // The live projector hears of commits at once; its polls never come (a test clock).
        let projector = read.projector(store, configuration: ProjectorConfiguration(), clock: ManualClock())
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await projector.run() }
            defer { group.cancelAll() }
            #expect(await projector.waitForPosition(try await store.store.headPosition(), timeout: .seconds(30)))
            let steps = StepCounter(next: 40)
            let writer = Task {
                while !Task.isCancelled {
                    try await shop.step(steps.take())
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            let summary = try await read.reindexer(store: store.store, logger: logger).run()
            writer.cancel()
            _ = await writer.result
            #expect(await projector.waitForPosition(try await store.store.headPosition(), timeout: .seconds(30)))
            #expect(try await read.generations.live() == summary.target && summary.target == "\(alias)-2")
            #expect(try await read.generations.list() == [summary.target])
            try await read.index.makeVisible()
            let expected = try await foldOfLog(store)
            #expect(try await read.index.stats().documents == expected.count)
            for (id, document) in expected { #expect(try await read.index.order(id: id) == document, "order \(id)") }
        }
    }
}
