package import Elasticsearch
import Foundation
package import Logging
import Metrics
import OrdersDomain
import Synchronization

/// The read side on Elasticsearch, through the libcurl client. Indices are `<alias>-<n>` behind
/// the alias (default `orders`); every read and write goes through the alias.
///
/// Writes are `_bulk` `index` actions with `version_type=external` and the document's `version`
/// (the global position of its newest event), so replays and races never regress a document:
/// 2xx is applied, 409 is stale (already there), 429/5xx items are retried alone with jittered
/// backoff, any other 4xx is rejected (the projector dead-letters it).
package final class ElasticsearchSearchIndex: SearchIndex {
    package struct Configuration: Sendable {
        /// The alias every read and write uses; indices are named `<alias>-<n>`.
        package var alias = "orders"
        /// One `_bulk` request carries at most this many documents...
        package var bulkOperations = 1000
        /// ...and about this many bytes.
        package var bulkBytes = 5 << 20
        /// A bulk request may take the client's `requestTimeout` plus this much per MiB of body
        /// (a slow cluster takes longer over larger requests). Default 10 s.
        package var bulkTimeoutPerMebibyte: Duration = .seconds(10)
        /// Bulk requests in flight at once for one `apply` (more documents wait: backpressure).
        package var concurrentRequests = 2
        /// Retries of items answered 429/5xx within one `apply`, before they are handed back as
        /// retryable (the projector then retries them with its own backoff).
        package var itemRetries = RetryPolicy(maximumRetries: 3, baseDelay: .milliseconds(200), maximumDelay: .seconds(5))
        /// What the item retries sleep on between rounds. Default `ContinuousClock()`.
        package var clock: any Clock<Duration> = ContinuousClock()
        /// Read and write this concrete index instead of the alias (a reindex filling the next
        /// generation). Nil: everything goes through the alias.
        package var index: String?

        package init() {}
    }

    package let client: ElasticsearchClient
    package let definition: IndexDefinition
    package let configuration: Configuration
    let logger: Logger
    let metrics = BulkMetrics()
    /// The event store this index is built from, once `claim(forStore:)` told it: an index
    /// created afterwards records it in its `_meta` from the start.
    private let owner = Mutex<String?>(nil)

    /// What the bulk writer reports to the metrics backend (`/metrics` when serving).
    struct BulkMetrics {
        let documents = Counter(label: "orders_es_bulk_documents_total")
        let bytes = Counter(label: "orders_es_bulk_bytes_total")
        let requests = Counter(label: "orders_es_bulk_requests_total")
        let itemRetries = Counter(label: "orders_es_bulk_item_retries_total")
        let rejected = Counter(label: "orders_es_bulk_failures_total", dimensions: [("kind", "rejected")])
        let retryable = Counter(label: "orders_es_bulk_failures_total", dimensions: [("kind", "retryable")])
        let requestFailures = Counter(label: "orders_es_bulk_failures_total", dimensions: [("kind", "request")])
        let duration = Metrics.Timer(label: "orders_es_bulk_duration_seconds", preferredDisplayUnit: .seconds)
    }

    package init(client: ElasticsearchClient, definition: IndexDefinition, configuration: Configuration = .init(), logger: Logger) {
        self.client = client
        self.definition = definition
        self.configuration = configuration
        self.logger = logger
    }

    package var alias: String { configuration.alias }

    /// Where reads and writes go: the alias, or the concrete index configured.
    package var target: String { configuration.index ?? configuration.alias }

    // MARK: Bootstrap

    /// What the alias points at, and whether it was built from the current definition.
    package struct IndexState: Sendable, Hashable {
        /// The index behind the alias.
        package var index: String
        /// `_meta.mapping_version` of that index (nil if it has none).
        package var mappingVersion: Int64?
        /// The version `index-mappings/` defines.
        package var expectedMappingVersion: Int64

        package var hasDrifted: Bool { mappingVersion != expectedMappingVersion }

        /// A sentence for `/ready`, logs and `orders status`.
        package var drift: String? {
            guard hasDrifted else { return nil }
            return "index \(index) has mapping version \(mappingVersion.map(String.init) ?? "none"), index-mappings/ defines "
                + "\(expectedMappingVersion): run `orders reindex` to rebuild it"
        }
    }

    /// Creates `<alias>-1` with the alias when the alias does not exist; reports the live index's
    /// mapping version against the file (and logs a drift).
    @discardableResult
    package func bootstrap() async throws -> IndexState {
        try await bootstrapReportingCreation().state
    }

    func bootstrapReportingCreation() async throws -> (state: IndexState, created: Bool) {
        var created = false
        if try await currentIndex() == nil {
            var body = definition.body.object ?? [:]
            body["aliases"] = .object([alias: .object([:])])
            if let owner = owner.withLock({ $0 }) {
                var mappings = body["mappings"]?.object ?? [:]
                var meta = mappings["_meta"]?.object ?? [:]
                meta[Self.eventStoreKey] = .string(owner)
                mappings["_meta"] = .object(meta)
                body["mappings"] = .object(mappings)
            }
            var index = "\(alias)-1"
            while !created {
                do {
                    try await client.createIndex(index, body: .object(body))
                    created = true
                    logger.notice("created an index behind the alias", metadata: ["es.index": "\(index)", "es.alias": "\(alias)"])
                } catch {
                    guard error.errorType == "resource_already_exists_exception" else { throw error }
                    // Another process may have created it meanwhile: the alias comes with it.
                    if try await currentIndex() != nil { break }
                    // Or only the alias was deleted and the name is taken by an index without
                    // it: create the next generation instead (never adopt an index whose
                    // contents nothing vouches for).
                    let taken = try await ElasticsearchGenerations(
                        client: client, definition: definition, configuration: configuration, logger: logger
                    )
                    .list()
                    let naming = GenerationNaming(base: alias)
                    let next = naming.name((taken.compactMap(naming.number(of:)).max() ?? 0) + 1)
                    guard next != index else { throw error }
                    index = next
                }
            }
        }
        let state = try await indexState()
        if let drift = state.drift { logger.warning("mapping drift", metadata: ["es.index": "\(state.index)", "problem": "\(drift)"]) }
        return (state, created)
    }

    /// Where the index's `_meta` names the event store it is built from.
    static let eventStoreKey = "event_store"

    /// Records in the live index's `_meta` the event store it is built from (an index from
    /// before this was recorded takes the first store that claims it), or checks that it is that
    /// one: two stores' read sides (two state files) naming one alias would mix their orders.
    /// An alias that does not exist yet gets the store in its `_meta` when it is created; a
    /// reindex's new generation is claimed as soon as it is created.
    package func claim(forStore storeID: String) async throws {
        owner.withLock { $0 = storeID }
        // A generation being built is named; the live one is behind the alias.
        var named = configuration.index
        if named == nil { named = try await currentIndex() }
        guard let index = named else { return }
        let mapping = try await client.mapping(index)
        var meta = mapping[index]?["_meta"]?.object ?? [:]
        if let recorded = meta[Self.eventStoreKey]?.string {
            guard recorded == storeID else {
                throw ReadSideOfAnotherStore(location: "index \(index) (alias \(alias))", recorded: recorded, store: storeID)
            }
            return
        }
        // `_meta` is replaced whole: the mapping version goes with it.
        meta[Self.eventStoreKey] = .string(storeID)
        try await client.putMapping(index, body: ["_meta": .object(meta)])
        logger.notice("recorded the event store in the index", metadata: ["es.index": "\(index)", "store.id": "\(storeID)"])
    }

    /// Bootstraps the alias; fresh when the index was just created or holds no document.
    package func prepare() async throws -> Bool {
        let (_, created) = try await bootstrapReportingCreation()
        if created { return true }
        return try await stats().documents == 0
    }

    package func problems() async throws -> [String] {
        try await reading { try await indexState() }.drift.map { [$0] } ?? []
    }

    /// The alias and nodes, the index behind the alias, its mapping version and document count.
    package func describe() async -> IndexDescription {
        let nodes = client.transport.configuration.redactedNodes.joined(separator: ",")
        var description = IndexDescription(backend: "elasticsearch", location: "alias \(alias) at \(nodes)")
        do {
            let state = try await indexState()
            description.name = state.index
            description.mappingVersion = state.mappingVersion
            description.expectedMappingVersion = state.expectedMappingVersion
            description.documents = try await stats().documents
            description.problems = state.drift.map { [$0] } ?? []
        } catch {
            description.problems.append("not reachable: \(error)")
        }
        return description
    }

    /// `POST /<target>/_refresh`.
    package func makeVisible() async throws {
        _ = try await client.refresh(target)
    }

    /// The index the alias points at (nil when the alias does not exist).
    package func currentIndex() async throws -> String? { try await Self.index(behind: alias, client: client) }

    /// The index an alias points at (nil when the alias does not exist).
    static func index(behind alias: String, client: ElasticsearchClient) async throws -> String? {
        do {
            return try await client.aliases(named: alias).keys.sorted().last
        } catch {
            guard error.status == 404 else { throw error }
            return nil
        }
    }

    package func indexState() async throws -> IndexState {
        guard let index = try await currentIndex() else {
            throw ElasticsearchIndexError(reason: "the alias '\(alias)' does not exist (start the service or run `orders project` once)")
        }
        let mapping = try await client.mapping(index)
        let version = mapping[index]?["_meta"]?["mapping_version"]?.int
        return IndexState(index: index, mappingVersion: version, expectedMappingVersion: definition.mappingVersion)
    }

    // MARK: Writes

    package func apply(_ documents: [OrderDocument], waitForVisibility: Bool) async throws -> [ApplyOutcome] {
        guard !documents.isEmpty else { return [] }
        let encoded = try documents.map { try Self.encode($0) }
        // What a bulk action line needs of each document (the chunks' tasks get these, not copies
        // of the documents).
        let keys = documents.map { BulkKey(id: $0.orderID, version: $0.version) }
        // Requests by operations and bytes.
        var chunks: [Range<Int>] = []
        var start = 0
        var bytes = 0
        for (offset, source) in encoded.enumerated() {
            if offset > start, offset - start >= configuration.bulkOperations || bytes + source.count > configuration.bulkBytes {
                chunks.append(start..<offset)
                start = offset
                bytes = 0
            }
            bytes += source.count + 100
        }
        chunks.append(start..<encoded.count)

        var outcomes = [ApplyOutcome](repeating: .retryable("not sent"), count: documents.count)
        try await withThrowingTaskGroup(of: (Range<Int>, [ApplyOutcome]).self) { group in
            var next = 0
            func startNext() {
                guard next < chunks.count else { return }
                let range = chunks[next]
                next += 1
                group.addTask {
                    (range, try await self.send(keys[range], sources: encoded[range], waitForVisibility: waitForVisibility))
                }
            }
            for _ in 0..<configuration.concurrentRequests { startNext() }
            while let (range, result) = try await group.next() {
                outcomes.replaceSubrange(range, with: result)
                startNext()
            }
        }
        return outcomes
    }

    /// A document's `_id` and external version.
    struct BulkKey: Sendable {
        var id: String
        var version: Int64
    }

    /// One bulk request, then the items answered 429/5xx again (only those) with backoff.
    func send(_ keys: ArraySlice<BulkKey>, sources: ArraySlice<[UInt8]>, waitForVisibility: Bool) async throws -> [ApplyOutcome] {
        let keys = Array(keys)
        let sources = Array(sources)
        var outcomes = [ApplyOutcome](repeating: .retryable("not sent"), count: keys.count)
        var pending = Array(keys.indices)
        var random = SystemRandomNumberGenerator()
        var body = BulkBody(reservingCapacity: sources.reduce(0) { $0 + $1.count + 100 })
        for retry in 0...configuration.itemRetries.maximumRetries {
            if retry > 0 { try await configuration.clock.sleep(for: configuration.itemRetries.delay(beforeRetry: retry - 1, using: &random)) }
            body.removeAll()
            for index in pending {
                body.index(sources[index], id: keys[index].id, version: keys[index].version, versionType: .external)
            }
            let response: BulkResponse
            let started = ContinuousClock.now
            metrics.requests.increment()
            metrics.documents.increment(by: pending.count)
            metrics.bytes.increment(by: body.bytes.count)
            if retry > 0 { metrics.itemRetries.increment(by: pending.count) }
            defer { metrics.duration.record(duration: ContinuousClock.now - started) }
            do {
                response = try await client.bulk(
                    body, index: target, refresh: waitForVisibility ? .waitFor : nil, filterPath: Self.filterPath,
                    requireAlias: configuration.index == nil, idempotent: true, timeout: timeout(forBytes: body.bytes.count)
                )
            } catch {
                // The transport already retried the whole request; the projector tries again later.
                metrics.requestFailures.increment()
                if error.errorType == "index_not_found_exception" { throw SearchIndexMissing(reason: "\(error)") }
                if error.kind == .timeout, pending.count > 1 {
                    // Too slow for this many at once: each half goes on its own (and halves
                    // again if need be, down to one document), so a slow cluster still progresses.
                    logger.warning(
                        "a bulk request timed out: sending its documents again in halves",
                        metadata: ["es.bulk.documents": "\(pending.count)", "es.bulk.bytes": "\(body.bytes.count)", "error": "\(error)"])
                    let half = pending.count / 2
                    for part in [Array(pending[..<half]), Array(pending[half...])] {
                        let answers = try await send(
                            ArraySlice(part.map { keys[$0] }), sources: ArraySlice(part.map { sources[$0] }), waitForVisibility: waitForVisibility)
                        for (index, outcome) in zip(part, answers) { outcomes[index] = outcome }
                    }
                    return outcomes
                }
                guard error.isRetryable else { throw error }
                for index in pending { outcomes[index] = .retryable("\(error)") }
                return outcomes
            }
            guard response.items.count == pending.count else {
                throw ElasticsearchIndexError(reason: "_bulk answered \(response.items.count) items for \(pending.count) documents")
            }
            var again: [Int] = []
            for (index, item) in zip(pending, response.items) {
                let outcome = try Self.outcome(item)
                outcomes[index] = outcome
                if case .retryable = outcome { again.append(index) }
            }
            pending = again
            if pending.isEmpty { break }
            logger.warning("retrying bulk items", metadata: ["es.retry.items": "\(pending.count)", "es.retry": "\(retry + 1)"])
        }
        for outcome in outcomes {
            switch outcome {
            case .rejected: metrics.rejected.increment()
            case .retryable: metrics.retryable.increment()
            case .applied, .stale: break
            }
        }
        return outcomes
    }

    /// The longest a bulk request of `bytes` may take: the client's request timeout, plus
    /// `bulkTimeoutPerMebibyte` per MiB.
    func timeout(forBytes bytes: Int) -> Duration {
        client.transport.configuration.requestTimeout + configuration.bulkTimeoutPerMebibyte * (Double(bytes) / Double(1 << 20))
    }

    /// Trimmed responses that still have one entry per item, in order.
    static let filterPath = "errors,items.*.status,items.*.error.type,items.*.error.reason"

    /// What one bulk item's answer means for its document (`BulkItemFailure` classifies
    /// failures by their error type). Throws `SearchIndexMissing` when the item says the index
    /// or alias does not exist: no document of the request was stored.
    static func outcome(_ item: BulkItem) throws(SearchIndexMissing) -> ApplyOutcome {
        let status = item.status ?? (item.error == nil ? 200 : 500)
        switch status {
        case 200..<300: return .applied
        case 409: return .stale  // version_conflict_engine_exception: this version or a newer one is stored
        default:
            let reason = BulkItemFailure.reason(status: status, type: item.error?.type, reason: item.error?.reason)
            switch BulkItemFailure(type: item.error?.type, status: status) {
            case .document: return .rejected(reason)
            case .outage: return .retryable(reason)
            case .indexMissing: throw SearchIndexMissing(reason: reason)
            }
        }
    }

    /// The document as stored: the `OrderDocument` fields, dates as epoch milliseconds, plus the
    /// root-level `product_names` and `skus` that keep product search (and highlights) simple.
    static func encode(_ document: OrderDocument) throws -> [UInt8] { DocumentJSON.encode(document) }

    /// The same JSON through `JSONEncoder`: what `DocumentJSON` is tested against.
    static func encodeWithFoundation(_ document: OrderDocument) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(Source(document: document)))
    }

    private struct Source: Encodable {
        let document: OrderDocument
        enum Keys: String, CodingKey { case productNames = "product_names", skus }
        func encode(to encoder: any Encoder) throws {
            try document.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(document.items.map(\.name), forKey: .productNames)
            try container.encode(document.items.map(\.sku), forKey: .skus)
        }
    }

    static func decode(_ source: JSONValue) throws -> OrderDocument {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try decoder.decode(OrderDocument.self, from: Data(source.serialized))
    }

    // MARK: Reads (a cluster that cannot answer: `ReadSideUnavailable`)

    package func search(_ query: SearchOrdersQuery) async throws -> SearchOrdersResult {
        let body = ElasticsearchSearchBody(query)
        let cursor = try query.after.map { try Cursor(decoding: $0, sort: body.sort.rawValue) }
        let response = try await reading { try await client.search(target, body.request(after: cursor)) }
        var counts: [OrderStatus: Int] = [:]
        for bucket in response.aggregations?[ElasticsearchSearchBody.statusAggregation]?.buckets ?? [] {
            if let name = bucket.key.string, let status = OrderStatus(rawValue: name) { counts[status] = bucket.docCount }
        }
        let hits = response.hits?.hits ?? []
        let shown = hits.prefix(query.size)
        var results: [SearchOrdersResult.Hit] = []
        for hit in shown {
            guard let source = hit.source else { continue }
            var highlights: [String: [String]] = [:]
            for (field, fragments) in (hit.highlight ?? [:]).sorted(by: { $0.key < $1.key }) {
                let base = field.hasSuffix(".prefix") ? String(field.dropLast(".prefix".count)) : field
                guard let name = ElasticsearchSearchBody.highlightNames[base], highlights[name] == nil || !field.hasSuffix(".prefix") else {
                    continue
                }
                highlights[name] = fragments
            }
            results.append(.init(order: OrderSummary(try Self.decode(source)), highlights: highlights))
        }
        let next = hits.count > query.size ? body.cursor(sortValues: shown.last?.sort)?.encoded : nil
        let total = response.hits?.total ?? TotalHits(value: results.count, isExact: true)
        return SearchOrdersResult(total: total.value, totalIsExact: total.isExact, hits: results, statusCounts: counts, nextCursor: next)
    }

    package func order(id: String) async throws -> OrderDocument? {
        guard let found = try await reading({ try await client.document(target, id: id) }), let source = found.source else { return nil }
        return try Self.decode(source)
    }

    package func orders(customerID: String, size: Int, after: String?) async throws -> (orders: [OrderSummary], nextCursor: String?) {
        let position = try after.map { try Cursor(decoding: $0, sort: "customer") }
        var request = SearchRequest(
            query: .bool(filter: [.term("customer.id", .string(customerID))]), size: size + 1,
            sort: [.field("created_at", .desc), .field("order_id", .desc)], trackTotalHits: .off
        )
        if let position, case .integer(let value) = position.value { request.searchAfter = [.int(value), .string(position.orderID)] }
        let hits = try await reading { try await client.search(target, request) }.hits?.hits ?? []
        let page = try hits.prefix(size).compactMap { hit in try hit.source.map { OrderSummary(try Self.decode($0)) } }
        let next =
            hits.count > size ? ElasticsearchSearchBody.cursor(sort: "customer", score: false, sortValues: hits[size - 1].sort)?.encoded : nil
        return (page, next)
    }

    package func stats() async throws -> IndexStats {
        let request = SearchRequest(size: 0, aggregations: ["highest_version": .max("version")], trackTotalHits: .exact)
        let response = try await reading { try await client.search(target, request) }
        return IndexStats(
            documents: response.hits?.total?.value ?? 0, highestVersion: Int64(response.aggregations?["highest_version"]?.value ?? 0))
    }
}

package struct ElasticsearchIndexError: Error, Sendable, CustomStringConvertible {
    package var reason: String
    package var description: String { "elasticsearch index: \(reason)" }
}
