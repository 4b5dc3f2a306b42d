package import Foundation
import Synchronization

/// A loopback server that records every request and answers each Elasticsearch endpoint with a
/// minimal, well-formed body of the right shape, so a client's requests can be captured and
/// checked. It is a test double: it stores nothing and searches nothing.
package final class CapturingEndpoint: Sendable {
    package let server: LoopbackServer
    private let log: RequestLog

    /// Shared between the server's handler and this object.
    private final class RequestLog: Sendable {
        let requests = Mutex<[LoopbackServer.Request]>([])
    }

    package init() throws {
        let log = RequestLog()
        server = try LoopbackServer { request in
            log.requests.withLock { $0.append(request) }
            return .json(CapturingEndpoint.answer(request))
        }
        self.log = log
    }

    package var url: URL { server.url }
    package var requests: [LoopbackServer.Request] { log.requests.withLock { $0 } }

    package func stop() { server.stop() }

    /// The request as a line for shared/es-spec/validate.py: `{"method", "path", "body"}`, the
    /// body as JSON, or as NDJSON text for `_bulk`.
    package static func validatorLine(_ request: LoopbackServer.Request) throws -> String {
        var object: [String: Any] = ["method": request.method, "path": request.target]
        if !request.body.isEmpty {
            if request.path.hasSuffix("/_bulk") {
                object["body"] = String(decoding: request.body, as: UTF8.self)
            } else {
                object["body"] = try JSONSerialization.jsonObject(with: Data(request.body))
            }
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    package static func answer(_ request: LoopbackServer.Request) -> String {
        let path = request.path
        if path.hasSuffix("/_bulk") {
            // One successful item per action line.
            let lines = String(decoding: request.body, as: UTF8.self).split(separator: "\n")
            var items: [String] = []
            var expectSource = false
            for line in lines {
                if expectSource {
                    expectSource = false
                    continue
                }
                let action = line.dropFirst(2).prefix { $0 != "\"" }
                expectSource = action != "delete"
                items.append(
                    #"{"\#(action)":{"_index":"i","_id":"x","status":\#(action == "create" || action == "index" ? 201 : 200),"result":"created","_version":1}}"#
                )
            }
            return #"{"took":1,"errors":false,"items":[\#(items.joined(separator: ","))]}"#
        }
        if path.hasSuffix("/_search") {
            return #"{"took":1,"timed_out":false,"hits":{"total":{"value":0,"relation":"eq"},"max_score":null,"hits":[]}}"#
        }
        if path.hasSuffix("/_count") { return #"{"count":0}"# }
        if path.hasSuffix("/_mget") { return #"{"docs":[]}"# }
        if path.hasSuffix("/_update_by_query") { return #"{"took":1,"updated":0,"failures":[]}"# }
        if path.hasSuffix("/_pit") { return request.method == "DELETE" ? #"{"succeeded":true,"num_freed":1}"# : #"{"id":"pit-1"}"# }
        if path.hasSuffix("/_refresh") { return #"{"_shards":{"total":1,"successful":1,"failed":0}}"# }
        if path == "/" { return #"{"name":"n","cluster_name":"c","version":{"number":"9.1.0"}}"# }
        return #"{"acknowledged":true}"#
    }
}
