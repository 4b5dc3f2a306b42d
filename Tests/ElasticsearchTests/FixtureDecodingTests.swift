import Elasticsearch
import Foundation
import Testing

/// Every real response in shared/es-fixtures for an endpoint the client implements decodes, and
/// the decoded values match the JSON they came from.
@Suite(.enabled(if: Fixtures.enabled, Fixtures.skipMessage))
struct FixtureDecodingTests {
    static func decode<T: Decodable>(_ type: T.Type, _ entry: Fixtures.Entry) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(try Fixtures.bytes(entry)))
        } catch {
            Issue.record("\(entry.file): \(error)")
            throw error
        }
    }

    @Test func info() throws {
        let entries = try Fixtures.entries(endpoint: "info")
        #expect(entries.count == 3)
        for entry in entries {
            let raw = try Fixtures.json(entry)
            let info = try Self.decode(ClusterInfo.self, entry)
            #expect(info.name == raw["name"]?.string)
            #expect(info.clusterName == raw["cluster_name"]?.string)
            #expect(info.version.number == raw["version"]?["number"]?.string, "\(entry.file)")
            #expect(info.version.buildFlavor == raw["version"]?["build_flavor"]?.string)
        }
    }

    @Test func clusterHealth() throws {
        for entry in try Fixtures.entries(endpoint: "cluster.health") {
            let raw = try Fixtures.json(entry)
            let health = try Self.decode(ClusterHealth.self, entry)
            #expect(health.status.rawValue == raw["status"]?.string)
            #expect(health.activeShardsPercent == raw["active_shards_percent_as_number"]?.double)
            #expect(health.numberOfNodes == raw["number_of_nodes"]?.int.map { Int($0) })
        }
    }

    @Test func count() throws {
        let entries = try Fixtures.entries(endpoint: "count")
        #expect(!entries.isEmpty)
        for entry in entries {
            let raw = try Fixtures.json(entry)
            let count = try Self.decode(CountResponse.self, entry)
            #expect(count.count == raw["count"]?.int.map { Int($0) })
            #expect(count.shards?.total == raw["_shards"]?["total"]?.int.map { Int($0) })
        }
    }

    @Test func getDocument() throws {
        for entry in try Fixtures.entries(endpoint: "get") {
            let raw = try Fixtures.json(entry)
            let document = try Self.decode(GetResult<JSONValue>.self, entry)
            #expect(document.id == raw["_id"]?.string, "\(entry.file)")
            #expect(document.found == (raw["found"]?.bool ?? false))
            #expect(document.source == raw["_source"], "\(entry.file)")
            #expect(document.seqNo == raw["_seq_no"]?.int)
            #expect(document.fields == raw["fields"]?.object)
            #expect(document.routing == raw["_routing"]?.string)
        }
    }

    @Test func multiGet() throws {
        let entries = try Fixtures.entries(endpoint: "mget")
        #expect(entries.count == 2)
        for entry in entries {
            let raw = try Fixtures.json(entry)
            let docs = try Self.decode(MultiGetResponse<JSONValue>.self, entry).docs
            let rawDocs = try #require(raw["docs"]?.array)
            #expect(docs.map(\.id) == rawDocs.map { $0["_id"]?.string ?? "" })
            #expect(docs.map(\.found) == rawDocs.map { $0["found"]?.bool ?? false })
            #expect(docs.map(\.source) == rawDocs.map { $0["_source"] })
        }
    }

    @Test func search() throws {
        let entries = try Fixtures.entries(endpoint: "search")
        #expect(entries.count == 29)
        var sawNumberTotal = false
        var sawObjectTotal = false
        var sawMixedSort = false
        for entry in entries {
            let raw = try Fixtures.json(entry)
            let response = try Self.decode(SearchResponse<JSONValue>.self, entry)
            #expect(response.took == raw["took"]?.int.map { Int($0) }, "\(entry.file)")
            #expect(response.pointInTimeID == raw["pit_id"]?.string)
            let rawHits = raw["hits"]?["hits"]?.array ?? []
            #expect((response.hits?.hits.count ?? 0) == rawHits.count, "\(entry.file)")
            switch raw["hits"]?["total"] {
            case .int(let number)?:
                sawNumberTotal = true
                #expect(response.hits?.total == TotalHits(value: Int(number), isExact: true))
            case .object(let total)?:
                sawObjectTotal = true
                #expect(response.hits?.total?.value == total["value"]?.int.map { Int($0) })
                #expect(response.hits?.total?.isExact == (total["relation"]?.string == "eq"))
            default:
                #expect(response.hits?.total == nil)
            }
            for (hit, rawHit) in zip(response.hits?.hits ?? [], rawHits) {
                #expect(hit.id == rawHit["_id"]?.string)
                #expect(hit.score == rawHit["_score"]?.double)
                #expect(hit.source == (rawHit["_source"] == .null ? nil : rawHit["_source"]))
                #expect(hit.sort == rawHit["sort"]?.array)
                if let sort = hit.sort, sort.contains(where: { $0.string != nil }), sort.contains(where: { $0.double != nil }) { sawMixedSort = true }
                #expect(hit.highlight?.mapValues { $0.map(JSONValue.string) } == rawHit["highlight"]?.object?.mapValues { $0.array ?? [] })
            }
            #expect(response.aggregations?.json == raw["aggregations"])
        }
        #expect(sawNumberTotal && sawObjectTotal && sawMixedSort, "the quirks in QUIRKS.md are exercised")
    }

    @Test func aggregationShapes() throws {
        func aggregations(_ suffix: String) throws -> AggregationResult {
            let entry = try #require(try Fixtures.entries(endpoint: "search").first { $0.file.hasSuffix(suffix) }, "\(suffix)")
            return try #require(try Self.decode(SearchResponse<JSONValue>.self, entry).aggregations)
        }
        // Keyed date_histogram: buckets as an object keyed by date.
        let keyed = try #require(try aggregations("agg_date_histogram_keyed_PARTIAL.txt")["sales_over_time"])
        #expect(keyed.buckets.map(\.keyAsString) == ["2015-01-01", "2015-02-01", "2015-03-01"])
        #expect(keyed.buckets.map(\.docCount) == [3, 2, 2])
        // Terms with sub-metrics.
        let genres = try #require(try aggregations("agg_terms_genre_PARTIAL.txt")["genres"])
        #expect(genres.buckets.map { $0.key.string } == ["electronic", "rock", "jazz"])
        #expect(genres.sumOtherDocCount == 0)
        // Single-bucket filter with its sub-aggregation beside doc_count.
        let filter = try #require(try aggregations("resp_esdocs_agg_filter_t_shirts.json")["t_shirts"])
        #expect(filter.docCount == 3)
        #expect(filter["avg_price"]?.value == 128.33333333333334)
        // typed_keys prefixes are looked through.
        let typed = try aggregations("resp_javaclient_issue-0087_typed_keys_filter_terms.json")
        #expect(typed.json.object?.keys.allSatisfy { $0.contains("#") } == true)
        #expect(typed.json.object?.keys.compactMap { $0.split(separator: "#").last.map(String.init) }.allSatisfy { typed[$0] != nil } == true)
        // Range buckets: open ends and float bounds.
        let ranges = try #require(try aggregations("agg_range_price_PARTIAL.txt")["price_ranges"])
        #expect(ranges.buckets.count == 3)
        #expect(ranges.buckets.first?.result.json["to"]?.double == 100.0)
        #expect(ranges.buckets.first?.result.json["from"] == nil)
    }

    @Test func bulk() throws {
        let entries = try Fixtures.entries(endpoint: "bulk")
        #expect(entries.count == 13)
        var sawStringError = false
        var saw429 = false
        for entry in entries {
            let raw = try Fixtures.json(entry)
            let response = try Self.decode(BulkResponse.self, entry)
            // The hot-path scanner the client uses reads every fixture exactly as the Decodable path.
            let scanned = try BulkResponse.parse(try Fixtures.bytes(entry))
            #expect(scanned.items == response.items, "\(entry.file)")
            #expect(scanned.errors == response.errors && scanned.took == response.took)
            #expect(response.errors == raw["errors"]?.bool, "\(entry.file)")
            let rawItems = raw["items"]?.array ?? []
            #expect(response.items.count == rawItems.count, "\(entry.file)")
            for (item, rawItem) in zip(response.items, rawItems) {
                let (action, body) = try #require(rawItem.object?.first)
                #expect(item.action.rawValue == action)
                #expect(item.status == body["status"]?.int.map { Int($0) })
                #expect(item.id == body["_id"]?.string)
                #expect(item.version == body["_version"]?.int)
                #expect(item.result == body["result"]?.string)
                if let error = body["error"] {
                    #expect(!item.succeeded)
                    if let text = error.string {
                        sawStringError = true
                        #expect(item.error?.reason == text)
                    } else {
                        #expect(item.error?.type == error["type"]?.string)
                        #expect(item.error?.reason == error["reason"]?.string)
                    }
                } else {
                    #expect(item.error == nil)
                }
                if item.status == 429 { saw429 = true }
            }
        }
        #expect(sawStringError && saw429)
    }

    @Test func acknowledgedAndAliases() throws {
        for entry in try Fixtures.entries(endpoint: "indices.create") {
            let raw = try Fixtures.json(entry)
            let created = try Self.decode(Acknowledged.self, entry)
            #expect(created.acknowledged == raw["acknowledged"]?.bool)
            #expect(created.index == raw["index"]?.string)
        }
        struct IndexAliases: Decodable {
            var aliases: [String: JSONValue]
        }
        let aliasEntries = try Fixtures.entries(endpoint: "indices.get_alias")
        #expect(aliasEntries.count == 4)
        for entry in aliasEntries {
            let raw = try Fixtures.json(entry)
            let aliases = try Self.decode([String: IndexAliases].self, entry)
            #expect(Set(aliases.keys) == Set(raw.object?.keys ?? [:].keys))
            for (index, value) in aliases { #expect(value.aliases == raw[index]?["aliases"]?.object) }
        }
    }

    @Test func updateByQuery() throws {
        let entries = try Fixtures.entries(endpoint: "update_by_query")
        #expect(entries.count == 2)
        for entry in entries {
            if entry.file.contains("MALFORMED") {
                #expect(throws: (any Error).self, "a malformed body must not decode") {
                    _ = try JSONDecoder().decode(UpdateByQueryResponse.self, from: Data(try Fixtures.bytes(entry)))
                }
                continue
            }
            let raw = try Fixtures.json(entry)
            let response = try Self.decode(UpdateByQueryResponse.self, entry)
            #expect(response.updated == raw["updated"]?.int.map { Int($0) })
            #expect(response.versionConflicts == raw["version_conflicts"]?.int.map { Int($0) })
            #expect(response.retries?.bulk == raw["retries"]?["bulk"]?.int.map { Int($0) })
            #expect(response.failures.count == (raw["failures"]?.array?.count ?? 0))
        }
        let deleted = try #require(try Fixtures.entries(endpoint: "delete_by_query").first)
        let response = try Self.decode(UpdateByQueryResponse.self, deleted)
        #expect(response.requestsPerSecond == nil, "-1.0 means unlimited")
        #expect(response.deleted == (try Fixtures.json(deleted))["deleted"]?.int.map { Int($0) })
    }

    @Test func pointInTime() throws {
        for entry in try Fixtures.entries(endpoint: "open_point_in_time") {
            let raw = try Fixtures.json(entry)
            #expect(try Self.decode(PointInTime.self, entry).id == raw["id"]?.string)
        }
        for entry in try Fixtures.entries(endpoint: "close_point_in_time") {
            let raw = try Fixtures.json(entry)
            let closed = try Self.decode(ClosedPointInTime.self, entry)
            #expect(closed.succeeded == raw["succeeded"]?.bool)
            #expect(closed.freed == raw["num_freed"]?.int.map { Int($0) })
        }
    }

    @Test func errorEnvelopes() throws {
        let entries = try Fixtures.entries(endpoint: "errors")
        #expect(entries.count == 7)
        for entry in entries {
            let raw = try Fixtures.json(entry)
            let error = ElasticsearchError(response: HTTPResponse(status: 400, body: try Fixtures.bytes(entry)), method: "POST", path: "/x")
            #expect(error.kind == .elasticsearch, "\(entry.file)")
            if let text = raw["error"]?.string {
                #expect(error.reason == text)
            } else {
                #expect(error.errorType == raw["error"]?["type"]?.string)
                #expect(error.reason == raw["error"]?["reason"]?.string)
                #expect(error.rootCause.map(\.type) == (raw["error"]?["root_cause"]?.array ?? []).compactMap { $0["type"]?.string })
            }
            #expect(error.description.contains("POST /x"))
        }
    }
}
