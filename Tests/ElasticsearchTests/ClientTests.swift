import Elasticsearch
import Foundation
import Logging
import LoopbackHTTP
import Testing

/// How the typed APIs read statuses and bodies, against scripted loopback answers.
@Suite struct ClientTests {
    static func with(_ handler: @escaping LoopbackServer.Handler, _ body: (ElasticsearchClient) async throws -> Void) async throws {
        let server = try LoopbackServer(handler: handler)
        defer { server.stop() }
        var configuration = ElasticsearchConfiguration(nodes: [server.url])
        configuration.retry = .none
        let client = ElasticsearchClient(configuration: configuration, logger: Logger(label: "test"))
        try await withRunningService(client) {
            try await body(client)
        }
    }

    @Test func aMissingDocumentIsNilNotAnError() async throws {
        try await Self.with({ request in
            request.path == "/orders/_doc/o%201"
                ? .json(#"{"_index":"orders","_id":"o 1","found":false}"#, status: 404) : .json(#"{"error":"wrong path"}"#, status: 400)
        }) { client throws in
            #expect(try await client.document("orders", id: "o 1") == nil)
        }
    }

    @Test func aMissingIndexIsAnErrorWithElasticsearchsReason() async throws {
        let body =
            #"{"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [orders]"}],"type":"index_not_found_exception","reason":"no such index [orders]","index":"orders"},"status":404}"#
        try await Self.with({ _ in .json(body, status: 404) }) { client throws in
            let error = await #expect(throws: ElasticsearchError.self) { try await client.document("orders", id: "1") }
            #expect(error?.kind == .elasticsearch)
            #expect(error?.status == 404)
            #expect(error?.errorType == "index_not_found_exception")
            #expect(error?.rootCause.first?.reason == "no such index [orders]")
            #expect(error?.description == "elasticsearch elasticsearch 404 index_not_found_exception: no such index [orders] (GET /orders/_doc/1)")
            let search = await #expect(throws: ElasticsearchError.self) { try await client.search("orders", SearchRequest(query: .matchAll)) }
            #expect(search?.path == "/orders/_search")
        }
    }

    @Test func existsReadsTheStatus() async throws {
        try await Self.with({ request in .json("", status: request.path == "/present" ? 200 : 404) }) { client throws in
            #expect(try await client.indexExists("present"))
            #expect(try await client.indexExists("absent") == false)
        }
    }

    @Test func aHealthWaitThatTimesOutIsAnAnswer() async throws {
        let health =
            #"{"cluster_name":"c","status":"yellow","timed_out":true,"number_of_nodes":1,"number_of_data_nodes":1,"active_primary_shards":1,"active_shards":1,"relocating_shards":0,"initializing_shards":0,"unassigned_shards":1,"active_shards_percent_as_number":50.0}"#
        try await Self.with({ request in
            request.target == "/_cluster/health?wait_for_status=green&timeout=1s" ? .json(health, status: 408) : .json("{}", status: 400)
        }) { client throws in
            let answer = try await client.health(waitForStatus: .green, timeout: "1s")
            #expect(answer.timedOut && answer.status == .yellow && answer.activeShardsPercent == 50)
        }
    }

    @Test func anUndecodableBodyIsADecodingError() async throws {
        try await Self.with({ _ in .json(#"{"unexpected":true}"#) }) { client throws in
            let error = await #expect(throws: ElasticsearchError.self) { try await client.info() }
            #expect(error?.kind == .decoding)
            #expect(error?.path == "/")
        }
    }

    @Test func aliasesOfAnAbsentAliasAreEmpty() async throws {
        try await Self.with({ request in
            request.path == "/_alias/orders"
                ? .json(#"{"orders-2":{"aliases":{"orders":{"is_write_index":true}}}}"#)
                : .json(#"{"error":"alias [nope] missing","status":404}"#, status: 404)
        }) { client throws in
            #expect(try await client.aliases(named: "orders") == ["orders-2": ["orders": ["is_write_index": true]]])
            #expect(try await client.aliases(named: "nope").isEmpty)
        }
    }

    @Test func bulkItemsComeBackInRequestOrderWithTheirOutcomes() async throws {
        let answer = #"""
            {"took":3,"errors":true,"items":[
            {"index":{"_index":"orders","_id":"a","_version":5,"result":"created","status":201,"_seq_no":0,"_primary_term":1}},
            {"index":{"_index":"orders","_id":"b","status":409,"error":{"type":"version_conflict_engine_exception","reason":"[b]: version conflict, current version [9] is higher or equal to the one provided [4]","index_uuid":"u","shard":"0","index":"orders"}}},
            {"index":{"_index":"orders","_id":"c","status":429,"error":{"type":"es_rejected_execution_exception","reason":"rejected execution"}}},
            {"index":{"_index":"orders","_id":"d","status":400,"error":{"type":"document_parsing_exception","reason":"[1:10] failed to parse field [total_minor] of type [long]"}}}]}
            """#
        try await Self.with({ _ in .json(answer) }) { client throws in
            var body = BulkBody()
            for id in ["a", "b", "c", "d"] { body.index(Array("{}".utf8), id: id, version: 4, versionType: .external) }
            let response = try await client.bulk(body, index: "orders")
            #expect(response.errors == true)
            #expect(response.items.map(\.id) == ["a", "b", "c", "d"])
            #expect(response.items.map(\.status) == [201, 409, 429, 400])
            #expect(response.items.map(\.succeeded) == [true, false, false, false])
            #expect(response.items[1].error?.type == "version_conflict_engine_exception")
            #expect(response.items[3].error?.reason?.hasPrefix("[1:10]") == true)
        }
    }
}
