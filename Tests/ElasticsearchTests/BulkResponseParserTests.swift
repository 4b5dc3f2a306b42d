import Elasticsearch
import Foundation
import Testing

@Suite struct BulkResponseParserTests {
    @Test func readsEveryFieldAndSkipsUnknownOnes() throws {
        let body = #"""
             { "took" : 30, "errors" : true, "ingest_took": 0, "items" : [
              {"index":{"_index":"o","_id":"a\"b","_version":2,"result":"updated","forced_refresh":false,"_shards":{"total":2,"successful":1,"failed":0},"_seq_no":12345678901,"_primary_term":1,"status":200}},
              {"create":{"_index":"o","_id":"c","status":409,"error":{"type":"version_conflict_engine_exception","reason":"[c]: version conflict, current version [9] is higher or equal to the one provided [4]","shard":"0","index_uuid":"u"}}},
              {"delete":{"_index":"o","_id":"d","_version":3.0,"result":"not_found","status":404}},
              {"update":{"_id":null,"status":400,"error":"DocumentMissingException[[o][1] [d]: document missing]"}}
            ] }
            """#
        let response = try BulkResponse.parse(Array(body.utf8))
        #expect(response.took == 30)
        #expect(response.errors == true)
        #expect(response.items.map(\.action) == [.index, .create, .delete, .update])
        #expect(response.items[0].id == "a\"b")
        #expect(response.items[0].seqNo == 12_345_678_901)
        #expect(response.items[0].result == "updated")
        #expect(response.items[1].error?.type == "version_conflict_engine_exception")
        #expect(response.items[1].error?.details["shard"] == "0")
        #expect(response.items[2].version == 3)
        #expect(response.items[3].id == nil)
        #expect(response.items[3].error?.reason?.hasPrefix("DocumentMissingException") == true)
        #expect(response.items.map(\.succeeded) == [true, false, false, false])
        let decoded = try JSONDecoder().decode(BulkResponse.self, from: Data(body.utf8))
        #expect(decoded.items == response.items)
    }

    @Test func aTrimmedResponseWithoutTookOrErrorsReads() throws {
        let response = try BulkResponse.parse(
            Array(
                #"{"items":[{"index":{"status":201}},{"index":{"status":429,"error":{"type":"es_rejected_execution_exception","reason":"busy"}}}]}"#
                    .utf8))
        #expect(response.took == nil && response.errors == nil)
        #expect(response.items.map(\.status) == [201, 429])
    }

    @Test(arguments: [
        "", "{", #"{"items":[{"index":{"status":201}}"#, #"{"items":[{"bogus":{}}]}"#, #"{"took":1.5}"#,
        #"{"items":[{"index":{"status":"201"}}]}"#, #"{"took":1} extra"#, #"{"took":99999999999999999999}"#,
        #"{"items":[{"index":{"_id":"unterminated}}]}"#,
    ])
    func malformedBodiesAreRejected(body: String) {
        #expect(throws: (any Error).self, "\(body)") { try BulkResponse.parse(Array(body.utf8)) }
    }
}
