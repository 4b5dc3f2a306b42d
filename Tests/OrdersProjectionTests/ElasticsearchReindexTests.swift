import Elasticsearch
import Foundation
import Logging
import LoopbackHTTP
import OrdersProjection
import OrdersSearch
import OrdersStore
import OrdersTestSupport
import ProjectionTestSupport
import Synchronization
import Testing

/// The Elasticsearch side of a reindex, against a loopback server that answers the endpoints a
/// reindex uses and keeps just enough (the alias, the ids bulk-loaded per index) to answer
/// counts. It is not Elasticsearch; what is checked is the sequence and bodies sent, each body
/// validated against Elastic's official schema (shared/es-spec).
@Suite struct ElasticsearchReindexTests {
    /// What the stand-in keeps.
    struct Cluster {
        var live = "orders-1"
        var indices: Set<String> = ["orders-1"]
        var ids: [String: Set<String>] = [:]
        var requests: [LoopbackServer.Request] = []
        /// Each index's mapping `_meta`, as JSON.
        var meta: [String: String] = [:]
    }

    static let definitionPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("index-mappings/orders.json").path

    static func answer(_ request: LoopbackServer.Request, _ cluster: inout Cluster) -> LoopbackServer.Response {
        cluster.requests.append(request)
        let path = request.path
        let segments = path.split(separator: "/").map(String.init)
        switch (request.method, segments.last ?? "") {
        case ("GET", "orders") where segments.first == "_alias":
            return .json(#"{"\#(cluster.live)":{"aliases":{"orders":{}}}}"#)
        case ("GET", "_settings"):
            return .json("{" + cluster.indices.sorted().map { #""\#($0)":{"settings":{}}"# }.joined(separator: ",") + "}")
        case ("PUT", _) where segments.count == 1:
            cluster.indices.insert(segments[0])
            return .json(#"{"acknowledged":true,"shards_acknowledged":true,"index":"\#(segments[0])"}"#)
        case ("GET", "_mapping"):
            return .json(#"{"\#(segments[0])":{"mappings":{"_meta":\#(cluster.meta[segments[0]] ?? #"{"mapping_version":1}"#)}}}"#)
        case ("PUT", "_mapping"):
            let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
            let meta = (body?["_meta"]).flatMap { try? JSONSerialization.data(withJSONObject: $0, options: .sortedKeys) }
            cluster.meta[segments[0]] = meta.map { String(decoding: $0, as: UTF8.self) }
            return .json(#"{"acknowledged":true}"#)
        case ("POST", "_bulk"):
            for line in String(decoding: request.body, as: UTF8.self).split(separator: "\n") where line.hasPrefix(#"{"index""#) {
                if let range = line.range(of: #""_id":""#) {
                    let id = line[range.upperBound...].prefix { $0 != "\"" }
                    cluster.ids[segments[0], default: []].insert(String(id))
                }
            }
            return .json(CapturingEndpoint.answer(request))
        case ("POST", "_count"):
            return .json(#"{"count":\#(cluster.ids[segments[0]]?.count ?? 0)}"#)
        case ("POST", "_aliases"):
            let body = String(decoding: request.body, as: UTF8.self)
            if let range = body.range(of: #"{"add":{"alias":"orders","index":""#) {
                cluster.live = String(body[range.upperBound...].prefix { $0 != "\"" })
            }
            return .json(#"{"acknowledged":true}"#)
        case ("DELETE", _):
            cluster.indices.remove(segments[0])
            return .json(#"{"acknowledged":true}"#)
        default:
            return .json(CapturingEndpoint.answer(request))
        }
    }

    /// Elasticsearch down when a command starts: binding the read side does not fail on it (the
    /// service starts, its writes go on), and the projector, which claims the index when it
    /// starts, fails as unreachable, to be retried, never as another store's.
    @Test func aReadSideOnAnUnreachableClusterBindsAndItsProjectorClaimsItLater() async throws {
        try await TestStore.with { store in
            _ = try await store.registerCustomer("c-1")
            let down = try RefusingPort()
            let read = try ReadSide.open(
                ReadSideConfiguration(
                    index: .elasticsearch(
                        ElasticsearchConfiguration(nodes: [down.url], retry: RetryPolicy(maximumRetries: 0)),
                        definition: try IndexDefinition(contentsOf: Self.definitionPath)),
                    statePath: store.directory.appendingPathComponent("state.sqlite").path),
                logger: Logger(label: "test"))
            try await read.withServices {
                try await read.bind(to: store.store)
                let projector = read.projector(store, configuration: ReadSide.fastProjection)
                let error = await #expect(throws: (any Error).self) { try await projector.catchUp() }
                #expect(!(error is ReadSideOfAnotherStore) && !(error is ProjectionError), "\(String(describing: error))")
                #expect("\(String(describing: error))".contains("connect"), "\(String(describing: error))")
            }
        }
    }

    @Test(.enabled(if: SpecValidator.enabled, Comment(rawValue: SpecValidator.skipMessage)))
    func aReindexCreatesLoadsRestoresSwapsAndRetiresWithValidBodies() async throws {
        try await TestStore.with { store in
            let shop = try await BusyShop.open(store)
            for number in 0..<30 { try await shop.step(number) }
            let cluster = Mutex(Cluster())
            let server = try LoopbackServer { request in cluster.withLock { Self.answer(request, &$0) } }
            defer { server.stop() }
            // The read side as `orders reindex --es-url` opens it.
            let read = try ReadSide.open(
                ReadSideConfiguration(
                    index: .elasticsearch(
                        ElasticsearchConfiguration(nodes: [server.url], retry: RetryPolicy(maximumRetries: 1, baseDelay: .milliseconds(1))),
                        definition: try IndexDefinition(contentsOf: Self.definitionPath)),
                    statePath: store.directory.appendingPathComponent("state.sqlite").path),
                logger: Logger(label: "test"))
            #expect(read.checkpointName == "elasticsearch:orders")
            var options = ReindexOptions()
            options.batchOrders = 8
            let reindexer = read.reindexer(store: store.store, options: options, logger: Logger(label: "test"))
            try await read.withServices {
                let plan = try await reindexer.plan()
                #expect(plan.live == "orders-1" && plan.target == "orders-2" && plan.retire == ["orders-1"] && plan.orders == 30)

                let summary = try await reindexer.run()
                #expect(summary.documents == 30 && summary.indexed == 30 && summary.retired == ["orders-1"])
                let (live, indices, sent) = cluster.withLock { ($0.live, $0.indices, $0.requests) }
                #expect(live == "orders-2" && indices == ["orders-2"])

                let calls = sent.map { "\($0.method) \($0.path)" }
                func position(_ call: String) -> Int? { calls.firstIndex(of: call) }
                let create = try #require(position("PUT /orders-2"))
                let firstBulk = try #require(position("POST /orders-2/_bulk"))
                let restore = try #require(position("PUT /orders-2/_settings"))
                let refresh = try #require(position("POST /orders-2/_refresh"))
                let count = try #require(position("POST /orders-2/_count"))
                let swap = try #require(position("POST /_aliases"))
                let retire = try #require(position("DELETE /orders-1"))
                #expect(create < firstBulk && firstBulk < restore && restore < refresh && refresh < count && count < swap && swap < retire)

                let creation = try JSONSerialization.jsonObject(with: Data(sent[create].body)) as? [String: Any]
                let settings = creation?["settings"] as? [String: Any]
                #expect(settings?["refresh_interval"] as? String == "-1" && settings?["number_of_replicas"] as? Int == 0)
                #expect(creation?["aliases"] == nil, "the new index gets the alias only at the swap")
                let restored = String(decoding: sent[restore].body, as: UTF8.self)
                #expect(restored.contains(#""refresh_interval":"1s""#), "\(restored)")
                let aliases = String(decoding: sent[swap].body, as: UTF8.self)
                #expect(
                    aliases.contains(#""remove":{"alias":"orders","index":"orders-1"}"#)
                        && aliases.contains(#""add":{"alias":"orders","index":"orders-2"}"#))
                for bulk in sent where bulk.path == "/orders-2/_bulk" {
                    #expect(bulk.query?.contains("require_alias") != true && bulk.query?.contains("refresh") != true)
                    #expect(String(decoding: bulk.body, as: UTF8.self).contains(#""version_type":"external""#))
                }

                // The new generation names the event store it is built from, as soon as it exists.
                let identity = try await store.store.identity()
                #expect(cluster.withLock { $0.meta["orders-2"] }?.contains(#""event_store":"\#(identity)""#) == true)
                #expect(try #require(position("PUT /orders-2/_mapping")) < firstBulk)
                let (status, output) = try SpecValidator.validate(try sent.filter { !$0.body.isEmpty }.map(CapturingEndpoint.validatorLine))
                #expect(status == 0, "\(output)")
            }
        }
    }
}
