import Elasticsearch
import Foundation
import Logging
import LoopbackHTTP
import OrdersDomain
import Synchronization
import TestClocks
import Testing

@testable import OrdersSearch

/// The Elasticsearch backend against loopback servers that answer like Elasticsearch: per-item
/// bulk outcomes, retries of only the failed items, bootstrap and drift, and (in
/// `RequestBodiesTests`) the schema of every body it sends.
@Suite(.timeLimit(.minutes(1))) struct ElasticsearchBackendTests {
    static let definitionPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("index-mappings/orders.json").path

    /// The transport's retries and the item retries back off on `clock`.
    static func backend(
        _ url: URL, retries: Int = 3,
        itemBackoff: Duration = .milliseconds(1), clock: any Clock<Duration> = ContinuousClock()
    ) throws -> ElasticsearchSearchIndex {
        var configuration = ElasticsearchConfiguration(nodes: [url], retry: RetryPolicy(maximumRetries: 1, baseDelay: .milliseconds(1)))
        configuration.requestTimeout = .seconds(10)
        var settings = ElasticsearchSearchIndex.Configuration()
        settings.itemRetries = RetryPolicy(maximumRetries: retries, baseDelay: itemBackoff, maximumDelay: itemBackoff * 5)
        settings.clock = clock
        return ElasticsearchSearchIndex(
            client: ElasticsearchClient(configuration: configuration, logger: Logger(label: "test"), clock: clock),
            definition: try IndexDefinition(contentsOf: definitionPath), configuration: settings, logger: Logger(label: "test"))
    }

    /// The `_id`s of a bulk body's action lines.
    static func ids(_ request: LoopbackServer.Request) -> [String] {
        String(decoding: request.body, as: UTF8.self).split(separator: "\n").compactMap { line in
            guard let json = try? JSONValue.parse(Array(line.utf8)), let action = json["index"] else { return nil }
            return action["_id"]?.string
        }
    }

    static func item(_ status: Int, _ error: String? = nil) -> String {
        let error = error.map { #","error":{"type":"\#($0)","reason":"because"}"# } ?? ""
        return #"{"index":{"status":\#(status)\#(error)}}"#
    }

    @Test func everyItemGetsItsOwnOutcomeAndOnlyOverloadedItemsAreSentAgain() async throws {
        let requests = Mutex<[LoopbackServer.Request]>([])
        let server = try LoopbackServer { request in
            let first = requests.withLock { list in
                list.append(request)
                return list.count == 1
            }
            let items = Self.ids(request).map { id -> String in
                switch id {
                case "d-201": Self.item(201)
                case "d-200": Self.item(200)
                case "d-409": Self.item(409, "version_conflict_engine_exception")
                case "d-429": first ? Self.item(429, "es_rejected_execution_exception") : Self.item(201)
                case "d-400": Self.item(400, "mapper_parsing_exception")
                case "d-503": first ? Self.item(503, "unavailable_shards_exception") : Self.item(200)
                default: Self.item(500, "unexpected")
                }
            }
            return .json(#"{"errors":true,"items":[\#(items.joined(separator: ","))]}"#)
        }
        defer { server.stop() }
        let index = try Self.backend(server.url)
        try await withRunningService(index.client) {
            let names = ["d-201", "d-200", "d-409", "d-429", "d-400", "d-503"]
            let documents = names.enumerated().map { SearchIndexBehaviour.document($0.element, version: Int64(10 + $0.offset)) }
            let outcomes = try await index.apply(documents)
            #expect(outcomes.count == 6)
            #expect(outcomes[0] == .applied && outcomes[1] == .applied && outcomes[2] == .stale && outcomes[3] == .applied)
            guard case .rejected(let reason) = outcomes[4] else {
                Issue.record("400 must be rejected, got \(outcomes[4])")
                return
            }
            #expect(reason.contains("mapper_parsing_exception") && reason.contains("because"))
            #expect(outcomes[5] == .applied)

            let sent = requests.withLock { $0 }
            #expect(sent.count == 2)
            #expect(sent.map { Self.ids($0) } == [names, ["d-429", "d-503"]], "only the overloaded items go again")
            let first = try #require(sent.first)
            #expect(first.path == "/orders/_bulk")
            #expect(first.query?.contains("filter_path=") == true)
            #expect(first.headers["content-type"]?.hasPrefix("application/x-ndjson") == true)
            #expect(first.body.last == UInt8(ascii: "\n"))
            let action = try JSONValue.parse(Array(String(decoding: first.body, as: UTF8.self).split(separator: "\n")[0].utf8))
            #expect(action["index"]?["version"] == .int(10) && action["index"]?["version_type"] == .string("external"))
            let source = try JSONValue.parse(Array(String(decoding: first.body, as: UTF8.self).split(separator: "\n")[1].utf8))
            #expect(source["product_names"] == ["Café Crème Espresso Beans"] && source["order_id"] == "d-201")
        }
    }

    @Test func itemsThatStayOverloadedAreHandedBackAsRetryable() async throws {
        let server = try LoopbackServer { request in
            .json(
                #"{"errors":true,"items":[\#(Self.ids(request).map { _ in Self.item(429, "es_rejected_execution_exception") }.joined(separator: ","))]}"#
            )
        }
        defer { server.stop() }
        let clock = ManualClock()
        let index = try Self.backend(server.url, retries: 2, clock: clock)
        try await withRunningService(index.client) {
            async let outcomes = index.apply([SearchIndexBehaviour.document("a"), SearchIndexBehaviour.document("b")])
            for _ in 0..<2 {
                await clock.sleepers(atLeast: 1)
                clock.advanceToNextDeadline()
            }
            let handedBack = try await outcomes
            #expect(handedBack.allSatisfy { if case .retryable(let reason) = $0 { reason.contains("429") } else { false } })
            #expect(server.handledRequests == 3, "the first request and two retries")
            #expect(clock.sleepsStarted == 2, "no backoff after the last retry")
        }
    }

    /// The item retries sleep on the configured clock: with the default 200 ms base (a first
    /// delay of 100–200 ms), an overloaded item goes again only once the clock has passed it.
    @Test func anOverloadedItemIsSentAgainOnlyOnceTheClockHasPassedItsBackoff() async throws {
        let server = try LoopbackServer(answers: [
            .json(#"{"errors":true,"items":[\#(Self.item(429, "es_rejected_execution_exception"))]}"#),
            .json(#"{"errors":false,"items":[\#(Self.item(201))]}"#),
        ])
        defer { server.stop() }
        let clock = ManualClock()
        let index = try Self.backend(server.url, itemBackoff: .milliseconds(200), clock: clock)
        try await withRunningService(index.client) {
            // Given an item answered 429: the writer sleeps on the clock before sending it again.
            async let outcomes = index.apply([SearchIndexBehaviour.document("a")])
            await clock.sleepers(atLeast: 1)
            #expect(server.handledRequests == 1)
            // When the clock is short of the shortest possible delay, nothing is sent.
            clock.advance(by: .milliseconds(99))
            #expect(clock.sleeperCount == 1, "still backing off at t+99ms")
            #expect(server.handledRequests == 1)
            // Then past the ceiling, the item goes again and is applied.
            clock.advance(by: .milliseconds(101))
            let applied = try await outcomes
            #expect(applied == [.applied])
            #expect(server.handledRequests == 2)
        }
    }

    @Test func aWholeRequestFailureMakesEveryDocumentRetryableAndAnAuthErrorIsThrown() async throws {
        let unavailable = try LoopbackServer { _ in .json(#"{"error":{"type":"x","reason":"down"},"status":503}"#, status: 503) }
        defer { unavailable.stop() }
        let index = try Self.backend(unavailable.url)
        try await withRunningService(index.client) {
            let outcomes = try await index.apply([SearchIndexBehaviour.document("a")])
            #expect(outcomes.count == 1)
            if case .retryable = outcomes[0] {} else { Issue.record("expected retryable, got \(outcomes[0])") }

            let refusing = try LoopbackServer { _ in
                .json(#"{"error":{"type":"security_exception","reason":"missing authentication credentials"},"status":401}"#, status: 401)
            }
            defer { refusing.stop() }
            let unauthorised = try Self.backend(refusing.url)
            try await withRunningService(unauthorised.client) {
                let error = await #expect(throws: ElasticsearchError.self) { try await unauthorised.apply([SearchIndexBehaviour.document("a")]) }
                #expect(error?.status == 401 && error?.errorType == "security_exception")
            }
        }
    }

    @Test func largeBatchesAreSplitByOperationsAndSentConcurrently() async throws {
        let requests = Mutex<[Int]>([])
        let server = try LoopbackServer { request in
            let ids = Self.ids(request)
            requests.withLock { $0.append(ids.count) }
            return .json(#"{"errors":false,"items":[\#(ids.map { _ in Self.item(201) }.joined(separator: ","))]}"#)
        }
        defer { server.stop() }
        var settings = ElasticsearchSearchIndex.Configuration()
        settings.bulkOperations = 40
        settings.concurrentRequests = 3
        let base = try Self.backend(server.url)
        let index = ElasticsearchSearchIndex(client: base.client, definition: base.definition, configuration: settings, logger: Logger(label: "t"))
        try await withRunningService(index.client) {
            let documents = (0..<250).map { SearchIndexBehaviour.document("o-\($0)", version: Int64($0 + 1)) }
            let outcomes = try await index.apply(documents)
            #expect(outcomes == Array(repeating: .applied, count: 250))
            #expect(requests.withLock { $0 }.sorted() == [10, 40, 40, 40, 40, 40, 40])
        }
    }

    @Test func aCustomersOrdersPageCarriesItsCursorIntoSearchAfter() async throws {
        let bodies = Mutex<[JSONValue]>([])
        let source = String(decoding: try ElasticsearchSearchIndex.encode(SearchIndexBehaviour.document("ord-2")), as: UTF8.self)
        let server = try LoopbackServer { request in
            bodies.withLock { $0.append((try? JSONValue.parse(request.body)) ?? .null) }
            // Two hits for a page of one: there is a next page, after the first hit's sort values.
            let hits = [("ord-2", 1_767_229_200_000), ("ord-1", 1_767_225_600_000)].map { id, millis in
                #"{"_index":"orders-1","_id":"\#(id)","_source":\#(source),"sort":[\#(millis),"\#(id)"]}"#
            }
            return .json(#"{"took":1,"timed_out":false,"hits":{"hits":[\#(hits.joined(separator: ","))]}}"#)
        }
        defer { server.stop() }
        let index = try Self.backend(server.url)
        try await withRunningService(index.client) {
            let first = try await index.orders(customerID: "c-1", size: 1, after: nil)
            #expect(first.orders.map(\.orderID) == ["ord-2"])
            let cursor = try #require(first.nextCursor)
            _ = try await index.orders(customerID: "c-1", size: 1, after: cursor)
            let sent = bodies.withLock { $0 }
            #expect(sent.count == 2)
            #expect(sent.first?["search_after"] == nil)
            #expect(sent.last?["search_after"] == [1_767_229_200_000, "ord-2"])
            #expect(sent.last?["query"]?["bool"]?["filter"] == [["term": ["customer.id": ["value": "c-1"]]]])
            // A cursor from a search with another sort is refused by name.
            let foreign = Cursor(sort: "-total", value: .integer(5), orderID: "x").encoded
            let error = await #expect(throws: DomainError.self) { try await index.orders(customerID: "c-1", size: 1, after: foreign) }
            #expect(error?.field == "after")
        }
    }

    /// A reader waiting for a batch written without `refresh=wait_for` has the alias refreshed.
    @Test func makingVisibleRefreshesTheAlias() async throws {
        let requests = Mutex<[String]>([])
        let server = try LoopbackServer { request in
            requests.withLock { $0.append("\(request.method) \(request.target)") }
            return .json(#"{"_shards":{"total":2,"successful":1,"failed":0}}"#)
        }
        defer { server.stop() }
        let index = try Self.backend(server.url)
        try await withRunningService(index.client) {
            try await index.makeVisible()
            #expect(requests.withLock { $0 } == ["POST /orders/_refresh"])
        }
    }

    /// The real bulk responses in shared/es-fixtures/bulk: what each item means for a document.
    @Test(.enabled(if: FixtureDirectory.enabled, Comment(rawValue: FixtureDirectory.skipMessage)))
    func realBulkResponsesMapToOutcomes() throws {
        let expected: [String: [String]] = [
            "resp_esdocs_bulk_curl_compact.json": ["applied"],
            "resp_goclient_bulk_response_1a.json": ["applied", "stale"],
            "resp_goclient_bulk_response_1b.json": ["applied", "rejected"],
            "resp_goclient_bulk_response_1c.json": ["applied", "applied"],
            "resp_goclient_bulk_response_2.json": ["applied", "stale", "rejected", "applied"],
            "resp_goclient_mock_item_400_mapper_parsing_exception.json": ["rejected"],
            "resp_rally-mock_item_429_cluster_block_exception.json": ["retryable"],
            "resp_rally-mock_mixed_409_and_429.json": ["stale", "stale", "stale", "stale", "stale", "stale", "retryable"],
            "resp_spec_BulkResponseExample1.json": ["applied", "rejected", "applied", "applied"],
            "resp_spec_BulkResponseExample2.json": ["rejected", "rejected", "applied"],
        ]
        for (file, kinds) in expected {
            let bytes = try Array(Data(contentsOf: FixtureDirectory.url.appendingPathComponent("bulk/\(file)")))
            let outcomes = try BulkResponse.parse(bytes).items.map { try ElasticsearchSearchIndex.outcome($0) }
            let names = outcomes.map { outcome in
                switch outcome {
                case .applied: "applied"
                case .stale: "stale"
                case .retryable: "retryable"
                case .rejected: "rejected"
                }
            }
            #expect(names == kinds, "\(file)")
        }
    }

    /// Every error `type` in shared/es-fixtures (bulk items and whole responses, `root_cause`
    /// and `caused_by` included) is one the classification knows by name, and means what it should.
    @Test(.enabled(if: FixtureDirectory.enabled, Comment(rawValue: FixtureDirectory.skipMessage)))
    func everyErrorTypeInTheFixturesIsClassified() throws {
        var types: [String: Set<String>] = [:]
        func collect(_ value: Any, file: String) {
            if let object = value as? [String: Any] {
                if let error = object["error"] as? [String: Any], let type = error["type"] as? String { types[type, default: []].insert(file) }
                for (key, nested) in object where key != "error" || nested is [String: Any] { collect(nested, file: file) }
                if let type = object["type"] as? String, type.hasSuffix("_exception") { types[type, default: []].insert(file) }
            } else if let array = value as? [Any] {
                for element in array { collect(element, file: file) }
            }
        }
        let files = try #require(FileManager.default.enumerator(atPath: FixtureDirectory.url.path)).compactMap { $0 as? String }
        for file in files where file.hasSuffix(".json") {
            guard let json = try? JSONSerialization.jsonObject(with: Data(contentsOf: FixtureDirectory.url.appendingPathComponent(file))) else {
                continue
            }
            collect(json, file: file)
        }
        // The fixtures do hold errors (a walk that finds nothing proves nothing)
        #expect(types.keys.contains("cluster_block_exception") && types.keys.contains("index_not_found_exception"))
        for (type, files) in types.sorted(by: { $0.key < $1.key }) {
            #expect(BulkItemFailure.knows(type), "\(type) (in \(files.sorted().joined(separator: ", "))) is not classified")
        }
        // What each means for a document, whatever status it comes with
        #expect(BulkItemFailure(type: "index_not_found_exception", status: 404) == .indexMissing)
        #expect(BulkItemFailure(type: "cluster_block_exception", status: 429) == .outage)
        #expect(BulkItemFailure(type: "cluster_block_exception", status: 403) == .outage)
        #expect(BulkItemFailure(type: "unavailable_shards_exception", status: 503) == .outage)
        #expect(BulkItemFailure(type: "es_rejected_execution_exception", status: 429) == .outage)
        #expect(BulkItemFailure(type: "circuit_breaking_exception", status: 429) == .outage)
        #expect(BulkItemFailure(type: "mapper_parsing_exception", status: 400) == .document)
        #expect(BulkItemFailure(type: "document_parsing_exception", status: 400) == .document)
        #expect(BulkItemFailure(type: "strict_dynamic_mapping_exception", status: 400) == .document)
        // An unknown type goes by its status
        #expect(BulkItemFailure(type: "brand_new_exception", status: 503) == .outage)
        #expect(BulkItemFailure(type: "brand_new_exception", status: 400) == .document)
        #expect(BulkItemFailure(type: nil, status: 429) == .outage)
        // A dead letter's reason reads back as what caused it; the fold's own reasons do not
        #expect(BulkItemFailure(deadLetterReason: "404 index_not_found_exception: no such index [orders]") == .indexMissing)
        #expect(BulkItemFailure(deadLetterReason: "400 mapper_parsing_exception: failed to parse") == .document)
        #expect(BulkItemFailure(deadLetterReason: "unknown event type order.teleported (schema 1)") == nil)
    }

    /// What `orders status` and the projector's logs say of a failure: its kind, status, type.
    @Test func aFailureIsDescribedByItsKindStatusAndType() {
        let down = ReadSideFailure(ElasticsearchError(.connect, method: "POST", path: "/orders/_bulk", node: "127.0.0.1:9200"))
        #expect(down.kind == "connect" && down.status == nil && down.reason.contains("/orders/_bulk"))
        let overloaded = ReadSideFailure(
            ElasticsearchError(.elasticsearch, method: "POST", path: "/orders/_bulk", status: 429, errorType: "es_rejected_execution_exception"))
        #expect(overloaded.kind == "elasticsearch" && overloaded.status == 429 && overloaded.type == "es_rejected_execution_exception")
        let missing = ReadSideFailure(SearchIndexMissing(reason: "404 index_not_found_exception: no such index [orders]"))
        #expect(missing.kind == "index_missing" && missing.status == 404 && missing.type == "index_not_found_exception")
        let refused = ReadSideFailure(refusedDocuments: 3, reason: "503 unavailable_shards_exception: primary shard is not active")
        #expect(refused.kind == "items_refused" && refused.status == 503 && refused.type == "unavailable_shards_exception")
        #expect(refused.reason == "3 document(s) refused for now, the first: primary shard is not active")
        #expect(ReadSideFailure(refusedDocuments: 1, reason: "not sent").status == nil)
    }

    @Test func aDeletedIndexIsMissingAndABlockedIndexIsAnOutageNotTheDocuments() async throws {
        // Given an alias that was deleted: with require_alias, every item answers 404 index_not_found
        let missing = try LoopbackServer { request in
            let items = Self.ids(request).map { _ in Self.item(404, "index_not_found_exception") }
            return .json(#"{"errors":true,"items":[\#(items.joined(separator: ","))]}"#)
        }
        defer { missing.stop() }
        let index = try Self.backend(missing.url)
        try await withRunningService(index.client) {
            // Then the write throws SearchIndexMissing (the projector recreates the index), no document is rejected
            await #expect(throws: SearchIndexMissing.self) {
                _ = try await index.apply([SearchIndexBehaviour.document("a"), SearchIndexBehaviour.document("b")])
            }
        }
        // Given an index under the flood-stage block (403 or 429 per item), then writable again
        let attempts = Mutex(0)
        let blocked = try LoopbackServer { request in
            let first = attempts.withLock { count in
                count += 1
                return count == 1
            }
            let items = Self.ids(request).enumerated().map { offset, _ in
                first ? Self.item(offset == 0 ? 403 : 429, "cluster_block_exception") : Self.item(201)
            }
            return .json(#"{"errors":true,"items":[\#(items.joined(separator: ","))]}"#)
        }
        defer { blocked.stop() }
        let writable = try Self.backend(blocked.url)
        try await withRunningService(writable.client) {
            // Then the items are retried, not rejected
            let outcomes = try await writable.apply([SearchIndexBehaviour.document("a"), SearchIndexBehaviour.document("b")])
            #expect(outcomes == [.applied, .applied])
            #expect(attempts.withLock { $0 } == 2)
        }
    }

    @Test func aBulkThatTimesOutIsSplitUntilTheSlowClusterTakesIt() async throws {
        // Given a cluster that answers bulks of more than 4 documents in twice the request timeout
        let sizes = Mutex<[Int]>([])
        let server = try LoopbackServer { request in
            let ids = Self.ids(request)
            sizes.withLock { $0.append(ids.count) }
            let items = ids.map { _ in Self.item(201) }.joined(separator: ",")
            var response = LoopbackServer.Response.json(#"{"errors":false,"items":[\#(items)]}"#)
            if ids.count > 4 { response.delay = .milliseconds(800) }
            return response
        }
        defer { server.stop() }
        var configuration = ElasticsearchConfiguration(nodes: [server.url], retry: RetryPolicy(maximumRetries: 0))
        configuration.requestTimeout = .milliseconds(400)
        var settings = ElasticsearchSearchIndex.Configuration()
        settings.bulkTimeoutPerMebibyte = .zero
        let index = ElasticsearchSearchIndex(
            client: ElasticsearchClient(configuration: configuration, logger: Logger(label: "test")),
            definition: try IndexDefinition(contentsOf: Self.definitionPath), configuration: settings, logger: Logger(label: "test"))
        try await withRunningService(index.client) {
            // When 16 documents are written
            let outcomes = try await index.apply((0..<16).map { SearchIndexBehaviour.document("d-\($0)") })
            // Then every one is applied, in requests halved down to what the cluster takes in time
            #expect(outcomes == Array(repeating: .applied, count: 16))
            let sent = sizes.withLock { $0 }
            #expect(sent.first == 16 && sent.contains(4) && !sent.contains { $0 < 4 }, "\(sent)")
            #expect(sent.filter { $0 == 4 }.count == 4, "\(sent)")
        }
        // And a larger request may take longer: the timeout grows with the body
        var growing = ElasticsearchSearchIndex.Configuration()
        growing.bulkTimeoutPerMebibyte = .seconds(10)
        let sized = ElasticsearchSearchIndex(
            client: ElasticsearchClient(configuration: configuration, logger: Logger(label: "test")),
            definition: try IndexDefinition(contentsOf: Self.definitionPath), configuration: growing, logger: Logger(label: "test"))
        #expect(sized.timeout(forBytes: 0) == .milliseconds(400))
        #expect(sized.timeout(forBytes: 5 << 20) == .milliseconds(50_400))
    }

    @Test func anAliasDeletedAloneIsRecreatedOnTheNextGenerationNotOnTheOrphanedIndex() async throws {
        // Given orders-1 without its alias (only the alias was deleted)
        let created = Mutex<[String]>([])
        let server = try LoopbackServer { request in
            if request.method == "PUT" {
                if request.path == "/orders-1" {
                    return .json(
                        #"{"error":{"type":"resource_already_exists_exception","reason":"index [orders-1] already exists"},"status":400}"#,
                        status: 400)
                }
                created.withLock { $0.append(request.path) }
                return .json(#"{"acknowledged":true,"shards_acknowledged":true,"index":"orders-2"}"#)
            }
            if request.path == "/_alias/orders" {
                return created.withLock { $0.isEmpty }
                    ? .json(#"{"error":"alias [orders] missing","status":404}"#, status: 404) : .json(#"{"orders-2":{"aliases":{"orders":{}}}}"#)
            }
            if request.path == "/orders-%2A/_settings" { return .json(#"{"orders-1":{"settings":{}}}"#) }
            if request.path == "/orders-2/_mapping" {
                return .json(#"{"orders-2":{"mappings":{"_meta":{"mapping_version":1},"properties":{}}}}"#)
            }
            if request.path == "/orders/_count" { return .json(#"{"count":0}"#) }
            return .json(#"{"error":"unexpected \#(request.method) \#(request.path)","status":400}"#, status: 400)
        }
        defer { server.stop() }
        let index = try Self.backend(server.url)
        try await withRunningService(index.client) {
            // When the projector prepares the index
            let fresh = try await index.prepare()
            // Then the next generation is created behind the alias, and it is fresh (projected from the first event)
            #expect(created.withLock { $0 } == ["/orders-2"])
            #expect(fresh)
            #expect(try await index.currentIndex() == "orders-2")
        }
    }

    /// Two event stores' read sides (two state files) naming one alias must not mix their
    /// orders: the live index records in its `_meta` the store it is built from.
    @Test func theIndexRecordsItsEventStoreAndRefusesAnother() async throws {
        // Given a cluster whose alias does not exist yet
        let meta = Mutex<[String: JSONValue]?>(nil)
        let puts = Mutex<[LoopbackServer.Request]>([])
        let server = try LoopbackServer { request in
            switch (request.method, request.path) {
            case ("GET", "/_alias/orders"):
                return meta.withLock { $0 == nil }
                    ? .json(#"{"error":"alias [orders] missing","status":404}"#, status: 404) : .json(#"{"orders-1":{"aliases":{"orders":{}}}}"#)
            case ("PUT", "/orders-1"):
                puts.withLock { $0.append(request) }
                let body = try? JSONValue.parse(request.body)
                meta.withLock { $0 = body?["mappings"]?["_meta"]?.object ?? [:] }
                return .json(#"{"acknowledged":true,"shards_acknowledged":true,"index":"orders-1"}"#)
            case ("PUT", "/orders-1/_mapping"):
                puts.withLock { $0.append(request) }
                let body = try? JSONValue.parse(request.body)
                meta.withLock { $0 = body?["_meta"]?.object ?? [:] }
                return .json(#"{"acknowledged":true}"#)
            case ("GET", "/orders-1/_mapping"):
                let current = JSONValue.object(meta.withLock { $0 } ?? [:])
                return .json(#"{"orders-1":{"mappings":{"_meta":\#(String(decoding: current.serialized, as: UTF8.self)),"properties":{}}}}"#)
            default:
                return .json(#"{"error":"unexpected \#(request.method) \#(request.path)","status":400}"#, status: 400)
            }
        }
        defer { server.stop() }
        let index = try Self.backend(server.url)
        try await withRunningService(index.client) {
            // When store A claims it before the index exists, then the projector creates it
            try await index.claim(forStore: "store-a")
            _ = try await index.prepare()
            // Then the new index names store A from its creation, beside the mapping version
            #expect(meta.withLock { $0 }?["event_store"] == "store-a")
            #expect(meta.withLock { $0 }?["mapping_version"] == .int(index.definition.mappingVersion))
            #expect(puts.withLock { $0.map(\.path) } == ["/orders-1"])
            // And store A claims it again without a write, while store B is refused
            try await index.claim(forStore: "store-a")
            #expect(puts.withLock { $0.count } == 1)
            let other = try Self.backend(server.url)
            try await withRunningService(other.client) {
                let refused = await #expect(throws: ReadSideOfAnotherStore.self) { try await other.claim(forStore: "store-b") }
                #expect(refused?.description.contains("store-a") == true)

                // And an index from before stores were recorded is adopted by the first claim,
                // keeping its mapping version
                meta.withLock { $0 = ["mapping_version": .int(index.definition.mappingVersion)] }
                try await other.claim(forStore: "store-b")
                #expect(puts.withLock { $0.map(\.path) } == ["/orders-1", "/orders-1/_mapping"])
                #expect(meta.withLock { $0 } == ["mapping_version": .int(index.definition.mappingVersion), "event_store": "store-b"])
            }
        }
    }

    @Test func bootstrapCreatesTheFirstIndexBehindTheAliasAndReportsDrift() async throws {
        let created = Mutex<[LoopbackServer.Request]>([])
        let liveVersion = Mutex<Int>(1)
        let server = try LoopbackServer { request in
            if request.method == "PUT" {
                created.withLock { $0.append(request) }
                return .json(#"{"acknowledged":true,"shards_acknowledged":true,"index":"orders-1"}"#)
            }
            if request.path == "/_alias/orders" {
                return created.withLock { $0.isEmpty }
                    ? .json(#"{"error":"alias [orders] missing","status":404}"#, status: 404) : .json(#"{"orders-1":{"aliases":{"orders":{}}}}"#)
            }
            if request.path == "/orders-1/_mapping" {
                return .json(#"{"orders-1":{"mappings":{"_meta":{"mapping_version":\#(liveVersion.withLock { $0 })},"properties":{}}}}"#)
            }
            return .json(#"{"error":"unexpected \#(request.method) \#(request.path)","status":400}"#, status: 400)
        }
        defer { server.stop() }
        let index = try Self.backend(server.url)
        try await withRunningService(index.client) {
            let state = try await index.bootstrap()
            #expect(state == .init(index: "orders-1", mappingVersion: 1, expectedMappingVersion: 1))
            #expect(state.drift == nil)
            let put = try #require(created.withLock { $0 }.first)
            #expect(put.path == "/orders-1")
            let body = try JSONValue.parse(put.body)
            #expect(body["aliases"] == ["orders": [:]])
            #expect(body["mappings"]?["dynamic"] == "strict")
            #expect(body["mappings"] == index.definition.body["mappings"])

            // A second start finds the alias and creates nothing; an older live mapping is drift.
            liveVersion.withLock { $0 = 0 }
            let drifted = try await index.bootstrap()
            #expect(created.withLock { $0.count } == 1)
            #expect(drifted.hasDrifted)
            #expect(drifted.drift?.contains("orders reindex") == true)
        }
    }
}
