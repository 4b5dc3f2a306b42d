package import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback test double for the cluster behind the Elasticsearch read side. It answers every
/// request that read side sends while projecting (alias lookup, index creation, mappings,
/// settings, `_bulk`, `_doc`, `_search` for counts, `_count`, `_refresh`, `_aliases`, deletion)
/// and KEEPS the documents, per index, with the external-version rule: an `index` action with
/// `version_type: external` is applied only when its version is greater than the stored one;
/// otherwise it is answered with a per-item 409 `version_conflict_engine_exception`.
///
/// Items, errors and error envelopes have the shapes of Elastic's own examples
/// (shared/es-fixtures: `bulk/resp_goclient_bulk_response_1a.json`, `errors/
/// resp_goclient_index_not_found_exception.json`), and `filter_path` trims successful answers as
/// the real server does (errors are never trimmed). It records every write it accepted, so a test
/// can check that no document's version ever went backwards, and it fails requests as a test's
/// `Injector` tells it to (`Fault`).
///
/// It is not a search engine: searches answer only the hit count and `max` aggregations over
/// `version`, never hits; mappings are kept to be read back, not applied. Requests it does not
/// know are answered 400 and listed in `unhandledRequests`, so a test can require there were none.
package final class DocumentKeepingEndpoint: Sendable {
    /// What to do to one request instead of answering it as usual.
    package enum Fault: Sendable, Hashable {
        /// Close the connection without answering; nothing is applied (a node going away).
        case drop
        /// Reset the connection (TCP RST) without applying anything.
        case reset
        /// Apply the request (a `_bulk`: its documents are stored), then reset the connection
        /// without answering.
        case applyThenReset
        /// Refuse the whole request with this status (429, 503) and an error envelope.
        case refuse(status: Int)
        /// Apply the request at once, answer it only after this delay.
        case slow(Duration)
        /// Fail these items of a `_bulk` (by offset in the request) with a per-item error and
        /// apply the others.
        case failItems([Int: ItemFailure])
        /// Delete the index behind the request's alias (as an operator or a lifecycle policy
        /// might), then answer: a `_bulk`'s items are each a 404 `index_not_found_exception`.
        case loseIndex
    }

    /// A per-item refusal that does not concern the document.
    package enum ItemFailure: Sendable, Hashable {
        /// 429 `es_rejected_execution_exception`: the write queue is full.
        case rejectedExecution
        /// 503 `unavailable_shards_exception`: the primary shard is not active.
        case unavailableShards
    }

    /// One operation of a `_bulk` body.
    package struct BulkOperation: Sendable, Hashable {
        package var action: String
        package var index: String?
        package var id: String?
        package var version: Int64?
        package var versionType: String?
        package var source: [UInt8]
    }

    /// Decides, for each request (with its `_bulk` operations, if it is one), whether to fail it.
    package typealias Injector = @Sendable (LoopbackServer.Request, [BulkOperation]?) -> Fault?

    /// A document as stored.
    package struct StoredDocument: Sendable, Hashable {
        package var version: Int64
        package var source: [UInt8]
        package var seqNo: Int64
    }

    /// A write the endpoint accepted (stored), in the order it accepted them.
    package struct AcceptedWrite: Sendable, Hashable {
        package var index: String
        /// Which creation of the index (1 for the first index ever created, counting every
        /// index): an index deleted and created again under the same name starts afresh.
        package var incarnation: Int
        package var id: String
        package var version: Int64
        package var source: [UInt8]
    }

    package let server: LoopbackServer
    private let shared: Shared

    /// Shared between the server's handler and this object.
    private final class Shared: Sendable {
        let state = Mutex(State())
    }

    /// Every fault `injector` returns is applied; nil answers as usual.
    package init(injector: @escaping Injector = { _, _ in nil }) throws {
        let shared = Shared()
        server = try LoopbackServer { request in
            let operations =
                request.method == "POST" && request.path.hasSuffix("/_bulk") ? DocumentKeepingEndpoint.operations(request.body) : nil
            let fault = injector(request, operations)
            return shared.state.withLock { $0.respond(to: request, operations: operations, fault: fault) }
        }
        self.shared = shared
    }

    package var url: URL { server.url }
    package func stop() { server.stop() }

    /// The documents of the index `name` names (an alias or an index); empty when there is none.
    package func documents(in name: String) -> [String: StoredDocument] {
        shared.state.withLock { state in state.resolve(name).first.map { state.indices[$0]!.documents } ?? [:] }
    }

    /// Every write accepted so far, in order.
    package var acceptedWrites: [AcceptedWrite] { shared.state.withLock { $0.accepted } }
    /// Items answered 409 (a version as new or newer already stored).
    package var conflictsAnswered: Int { shared.state.withLock { $0.conflicts } }
    /// Items answered 409 whose very write (index, id and version) had been applied by a request
    /// whose answer an `applyThenReset` fault withheld: replays the client could not avoid,
    /// absorbed as stale.
    package var replaysAbsorbed: Int { shared.state.withLock { $0.replaysAbsorbed } }
    /// Indices created so far (each creation, also of a name used before).
    package var indicesCreated: Int { shared.state.withLock { $0.created } }
    /// Indices deleted so far (by a request or a `loseIndex` fault).
    package var indicesDeleted: Int { shared.state.withLock { $0.deleted } }
    /// `METHOD target` of every request this double does not know how to answer.
    package var unhandledRequests: [String] { shared.state.withLock { $0.unhandled } }

    // MARK: Bulk bodies

    /// The operations of an NDJSON `_bulk` body; nil when it cannot be read.
    static func operations(_ body: [UInt8]) -> [BulkOperation]? {
        var operations: [BulkOperation] = []
        var pending: BulkOperation?
        for line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            if var operation = pending {
                operation.source = Array(line)
                operations.append(operation)
                pending = nil
                continue
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], object.count == 1,
                let (action, value) = object.first, let metadata = value as? [String: Any]
            else { return nil }
            let operation = BulkOperation(
                action: action, index: metadata["_index"] as? String, id: metadata["_id"] as? String, version: Self.int64(metadata["version"]),
                versionType: metadata["version_type"] as? String, source: [])
            if action == "delete" { operations.append(operation) } else { pending = operation }
        }
        return pending == nil ? operations : nil
    }

    static func int64(_ value: Any?) -> Int64? {
        switch value {
        case let number as Int64: number
        case let number as Int: Int64(number)
        case let number as NSNumber: number.int64Value
        default: nil
        }
    }

    // MARK: State

    private struct Index {
        var incarnation: Int
        var uuid: String
        var mappings: [UInt8]
        var aliases: Set<String>
        var documents: [String: StoredDocument] = [:]
        var nextSeqNo: Int64 = 0
    }

    private struct State {
        var indices: [String: Index] = [:]
        var created = 0
        var deleted = 0
        var accepted: [AcceptedWrite] = []
        var conflicts = 0
        /// Writes applied by requests whose answer was withheld (`incarnation/id/version`).
        var unanswered: Set<String> = []
        var replaysAbsorbed = 0
        var unhandled: [String] = []

        /// The indices `name` means: the index of that name, the indices an alias of that name
        /// points at, or those a wildcard pattern matches.
        func resolve(_ name: String) -> [String] {
            if indices[name] != nil { return [name] }
            if name.contains("*") { return indices.keys.filter { fnmatch(name, $0, 0) == 0 }.sorted() }
            return indices.filter { $0.value.aliases.contains(name) }.map(\.key).sorted()
        }

        mutating func respond(to request: LoopbackServer.Request, operations: [BulkOperation]?, fault: Fault?) -> LoopbackServer.Response {
            var itemFailures: [Int: ItemFailure] = [:]
            switch fault {
            case .drop: return LoopbackServer.Response(dropConnection: true)
            case .reset: return LoopbackServer.Response(resetConnection: true)
            case .refuse(let status): return Self.refusal(status)
            case .failItems(let failures): itemFailures = failures
            case .loseIndex:
                let target = request.path.split(separator: "/").first.map(String.init) ?? ""
                for index in resolve(target) where indices[index]!.aliases.contains(target) {
                    indices[index] = nil
                    deleted += 1
                }
            case .applyThenReset, .slow, nil: break
            }
            let acceptedBefore = accepted.count
            var response = answer(request, operations: operations, itemFailures: itemFailures)
            if (200..<300).contains(response.status), let filter = request.parameters["filter_path"] {
                response.body = Self.filtered(response.body, by: filter)
            }
            if fault == .applyThenReset {
                for write in accepted[acceptedBefore...] { unanswered.insert("\(write.incarnation)/\(write.id)/\(write.version)") }
                return LoopbackServer.Response(resetConnection: true)
            }
            if case .slow(let delay) = fault { response.delay = delay }
            return response
        }

        mutating func answer(
            _ request: LoopbackServer.Request, operations: [BulkOperation]?, itemFailures: [Int: ItemFailure]
        ) -> LoopbackServer.Response {
            let segments = request.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
            switch (request.method, segments.count) {
            case ("GET", 0):
                return .json(#"{"name":"loopback","cluster_name":"loopback","version":{"number":"9.1.0"},"tagline":"You Know, for Search"}"#)
            case ("GET", 2) where segments[0] == "_alias":
                return alias(segments[1])
            case ("PUT", 1):
                return create(segments[0], body: request.body)
            case ("DELETE", 1):
                let names = resolve(segments[0]).filter { $0 == segments[0] || segments[0].contains("*") }
                guard !names.isEmpty else { return Self.indexNotFound(segments[0]) }
                for name in names { indices[name] = nil }
                deleted += names.count
                return .json(#"{"acknowledged":true}"#)
            case ("POST", 1) where segments[0] == "_aliases":
                return updateAliases(request.body)
            case ("POST", 1) where segments[0] == "_bulk":
                return bulk(target: nil, request, operations: operations, itemFailures: itemFailures)
            case ("POST", 2) where segments[1] == "_bulk":
                return bulk(target: segments[0], request, operations: operations, itemFailures: itemFailures)
            case ("GET", 2) where segments[1] == "_mapping":
                let names = resolve(segments[0])
                guard !names.isEmpty else { return Self.indexNotFound(segments[0]) }
                let entries = names.map { #"\#(quoted($0)):{"mappings":\#(String(decoding: indices[$0]!.mappings, as: UTF8.self))}"# }
                return .json("{" + entries.joined(separator: ",") + "}")
            case ("PUT", 2) where segments[1] == "_mapping":
                // Only `_meta` changes here (it is replaced whole, as Elasticsearch does).
                let names = resolve(segments[0])
                guard !names.isEmpty else { return Self.indexNotFound(segments[0]) }
                let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
                for name in names {
                    var mappings = (try? JSONSerialization.jsonObject(with: Data(indices[name]!.mappings))) as? [String: Any] ?? [:]
                    if let meta = body["_meta"] { mappings["_meta"] = meta }
                    indices[name]!.mappings = (try? JSONSerialization.data(withJSONObject: mappings)).map { Array($0) } ?? indices[name]!.mappings
                }
                return .json(#"{"acknowledged":true}"#)
            case ("GET", 2) where segments[1] == "_settings":
                let names = resolve(segments[0])
                guard !names.isEmpty || segments[0].contains("*") else { return Self.indexNotFound(segments[0]) }
                let entries = names.map { name in
                    #"\#(quoted(name)):{"settings":{"index":{"number_of_shards":"1","number_of_replicas":"0","uuid":\#(quoted(indices[name]!.uuid)),"provided_name":\#(quoted(name))}}}"#
                }
                return .json("{" + entries.joined(separator: ",") + "}")
            case ("PUT", 2) where segments[1] == "_settings":
                return resolve(segments[0]).isEmpty ? Self.indexNotFound(segments[0]) : .json(#"{"acknowledged":true}"#)
            case ("POST", 2) where segments[1] == "_refresh":
                return resolve(segments[0]).isEmpty
                    ? Self.indexNotFound(segments[0]) : .json(#"{"_shards":{"total":1,"successful":1,"failed":0}}"#)
            case ("POST", 2) where segments[1] == "_count":
                let names = resolve(segments[0])
                guard !names.isEmpty else { return Self.indexNotFound(segments[0]) }
                let count = names.reduce(0) { $0 + indices[$1]!.documents.count }
                return .json(#"{"count":\#(count),"_shards":{"total":1,"successful":1,"skipped":0,"failed":0}}"#)
            case ("POST", 2) where segments[1] == "_search":
                return search(segments[0], request)
            case ("GET", 3) where segments[1] == "_doc":
                return document(segments[0], id: segments[2])
            default:
                return unhandled(request, "no such endpoint in this test double")
            }
        }

        mutating func unhandled(_ request: LoopbackServer.Request, _ reason: String) -> LoopbackServer.Response {
            unhandled.append("\(request.method) \(request.target)")
            return Self.envelope(status: 400, type: "illegal_argument_exception", reason: reason)
        }

        func alias(_ name: String) -> LoopbackServer.Response {
            let names = indices.filter { $0.value.aliases.contains(name) }.map(\.key).sorted()
            guard !names.isEmpty else { return .json(#"{"error":"alias [\#(name)] missing","status":404}"#, status: 404) }
            return .json("{" + names.map { #"\#(quoted($0)):{"aliases":{\#(quoted(name)):{}}}"# }.joined(separator: ",") + "}")
        }

        mutating func create(_ name: String, body: [UInt8]) -> LoopbackServer.Response {
            if let existing = indices[name] {
                let reason = "index [\(name)/\(existing.uuid)] already exists"
                return Self.envelope(
                    status: 400, type: "resource_already_exists_exception", reason: reason,
                    extra: #","index_uuid":\#(quoted(existing.uuid)),"index":\#(quoted(name))"#)
            }
            let definition = (body.isEmpty ? [:] : (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])) ?? [:]
            let mappings = (try? JSONSerialization.data(withJSONObject: definition["mappings"] ?? [String: Any]())).map { Array($0) }
            created += 1
            indices[name] = Index(
                incarnation: created, uuid: String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(22)),
                mappings: mappings ?? Array("{}".utf8), aliases: Set((definition["aliases"] as? [String: Any] ?? [:]).keys))
            return .json(#"{"acknowledged":true,"shards_acknowledged":true,"index":\#(quoted(name))}"#)
        }

        mutating func updateAliases(_ body: [UInt8]) -> LoopbackServer.Response {
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
            var updated = indices
            for action in object?["actions"] as? [[String: Any]] ?? [] {
                guard let (kind, value) = action.first, let target = value as? [String: Any], let index = target["index"] as? String,
                    let alias = target["alias"] as? String
                else { continue }
                guard updated[index] != nil else { return Self.indexNotFound(index) }
                if kind == "add" { updated[index]!.aliases.insert(alias) }
                if kind == "remove" { updated[index]!.aliases.remove(alias) }
            }
            indices = updated
            return .json(#"{"acknowledged":true}"#)
        }

        func document(_ name: String, id: String) -> LoopbackServer.Response {
            guard let index = resolve(name).first else { return Self.indexNotFound(name) }
            guard let stored = indices[index]!.documents[id] else {
                return .json(#"{"_index":\#(quoted(index)),"_id":\#(quoted(id)),"found":false}"#, status: 404)
            }
            let head =
                #"{"_index":\#(quoted(index)),"_id":\#(quoted(id)),"_version":\#(stored.version),"_seq_no":\#(stored.seqNo),"_primary_term":1,"found":true,"_source":"#
            return LoopbackServer.Response(body: Array(head.utf8) + stored.source + Array("}".utf8))
        }

        /// Counts and `max` aggregations over `version`; no hits (`size` must be 0).
        mutating func search(_ name: String, _ request: LoopbackServer.Request) -> LoopbackServer.Response {
            let names = resolve(name)
            guard !names.isEmpty else { return Self.indexNotFound(name) }
            let body = (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]) ?? [:]
            guard DocumentKeepingEndpoint.int64(body["size"]) == 0 else {
                return unhandled(request, "this test double finds no hits: size must be 0")
            }
            let documents = names.flatMap { indices[$0]!.documents.values }
            var aggregations: [String] = []
            for (aggregation, definition) in (body["aggs"] ?? body["aggregations"]) as? [String: Any] ?? [:] {
                guard let max = (definition as? [String: Any])?["max"] as? [String: Any], max["field"] as? String == "version" else {
                    return unhandled(request, "this test double knows only max(version) aggregations")
                }
                let highest = documents.map(\.version).max().map { "\(Double($0))" } ?? "null"
                aggregations.append(#"\#(quoted(aggregation)):{"value":\#(highest)}"#)
            }
            let total = #"{"value":\#(documents.count),"relation":"eq"}"#
            return .json(
                #"{"took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"hits":{"total":\#(total),"max_score":null,"hits":[]}"#
                    + (aggregations.isEmpty ? "" : #","aggregations":{\#(aggregations.joined(separator: ","))}"#) + "}")
        }

        mutating func bulk(
            target: String?, _ request: LoopbackServer.Request, operations: [BulkOperation]?, itemFailures: [Int: ItemFailure]
        ) -> LoopbackServer.Response {
            guard let operations else { return unhandled(request, "unreadable bulk body") }
            let requireAlias = request.parameters["require_alias"] == "true"
            var items: [String] = []
            var errors = false
            for (offset, operation) in operations.enumerated() {
                let name = operation.index ?? target ?? ""
                let id = operation.id ?? ""
                guard operation.action == "index", let version = operation.version, operation.versionType == "external" else {
                    return unhandled(request, "only index actions with external versions are kept")
                }
                let isAlias = indices.values.contains { $0.aliases.contains(name) }
                guard let index = resolve(name).first, !requireAlias || isAlias else {
                    errors = true
                    let reason =
                        requireAlias
                        ? "no such index [\(name)] and [require_alias] request flag is [true] and [\(name)] is not an alias"
                        : "no such index [\(name)]"
                    items.append(
                        #"{"index":{"_index":\#(quoted(name)),"_id":\#(quoted(id)),"status":404,"error":{"type":"index_not_found_exception","reason":\#(quoted(reason)),"resource.type":"index_or_alias","resource.id":\#(quoted(name)),"index_uuid":"_na_","index":\#(quoted(name))}}}"#
                    )
                    continue
                }
                let uuid = indices[index]!.uuid
                switch itemFailures[offset] {
                case .rejectedExecution:
                    errors = true
                    let reason =
                        "rejected execution of primary operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, primary_operation_bytes=\(operation.source.count), max_coordinating_and_primary_bytes=0]"
                    items.append(
                        #"{"index":{"_index":\#(quoted(index)),"_id":\#(quoted(id)),"status":429,"error":{"type":"es_rejected_execution_exception","reason":\#(quoted(reason))}}}"#
                    )
                    continue
                case .unavailableShards:
                    errors = true
                    let reason =
                        "[\(index)][0] primary shard is not active Timeout: [1m], request: [BulkShardRequest [[\(index)][0]] containing [\(operations.count)] requests]"
                    items.append(
                        #"{"index":{"_index":\#(quoted(index)),"_id":\#(quoted(id)),"status":503,"error":{"type":"unavailable_shards_exception","reason":\#(quoted(reason)),"index_uuid":\#(quoted(uuid)),"shard":"0","index":\#(quoted(index))}}}"#
                    )
                    continue
                case nil: break
                }
                if let stored = indices[index]!.documents[id], stored.version >= version {
                    errors = true
                    conflicts += 1
                    if unanswered.remove("\(indices[index]!.incarnation)/\(id)/\(version)") != nil { replaysAbsorbed += 1 }
                    let reason = "[\(id)]: version conflict, current version [\(stored.version)] is higher or equal to the one provided [\(version)]"
                    items.append(
                        #"{"index":{"_index":\#(quoted(index)),"_id":\#(quoted(id)),"status":409,"error":{"type":"version_conflict_engine_exception","reason":\#(quoted(reason)),"index_uuid":\#(quoted(uuid)),"shard":"0","index":\#(quoted(index))}}}"#
                    )
                    continue
                }
                let existed = indices[index]!.documents[id] != nil
                let seqNo = indices[index]!.nextSeqNo
                indices[index]!.nextSeqNo += 1
                indices[index]!.documents[id] = StoredDocument(version: version, source: operation.source, seqNo: seqNo)
                accepted.append(
                    AcceptedWrite(index: index, incarnation: indices[index]!.incarnation, id: id, version: version, source: operation.source))
                items.append(
                    #"{"index":{"_index":\#(quoted(index)),"_id":\#(quoted(id)),"_version":\#(version),"result":"\#(existed ? "updated" : "created")","_shards":{"total":1,"successful":1,"failed":0},"_seq_no":\#(seqNo),"_primary_term":1,"status":\#(existed ? 200 : 201)}}"#
                )
            }
            return .json(#"{"took":1,"errors":\#(errors),"items":[\#(items.joined(separator: ","))]}"#)
        }

        // MARK: Shapes

        /// The error envelope: `{"error": {"root_cause": [...], "type", "reason", ...}, "status"}`.
        static func envelope(status: Int, type: String, reason: String, extra: String = "") -> LoopbackServer.Response {
            let cause = #""type":\#(quoted(type)),"reason":\#(quoted(reason))\#(extra)"#
            return .json(#"{"error":{"root_cause":[{\#(cause)}],\#(cause)},"status":\#(status)}"#, status: status)
        }

        static func indexNotFound(_ name: String) -> LoopbackServer.Response {
            envelope(
                status: 404, type: "index_not_found_exception", reason: "no such index [\(name)]",
                extra: #","resource.type":"index_or_alias","resource.id":\#(quoted(name)),"index_uuid":"_na_","index":\#(quoted(name))"#)
        }

        /// A whole request refused: 429 (the coordinating node's queue is full) or 503 (no
        /// master, the cluster state not recovered).
        static func refusal(_ status: Int) -> LoopbackServer.Response {
            if status == 429 {
                return envelope(
                    status: 429, type: "es_rejected_execution_exception",
                    reason:
                        "rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1024, max_coordinating_and_primary_bytes=0]"
                )
            }
            return envelope(status: status, type: "cluster_block_exception", reason: "blocked by: [SERVICE_UNAVAILABLE/2/no master];")
        }

        /// `body` (JSON) with only what `filter_path` names: comma-separated dotted paths, `*`
        /// matching any key, arrays passed through.
        static func filtered(_ body: [UInt8], by filter: String) -> [UInt8] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) else { return body }
            let paths = filter.split(separator: ",").map { $0.split(separator: ".").map(String.init) }
            let kept = keep(object, paths) ?? [String: Any]()
            return (try? JSONSerialization.data(withJSONObject: kept)).map { Array($0) } ?? body
        }

        private static func keep(_ value: Any, _ paths: [[String]]) -> Any? {
            if paths.contains(where: \.isEmpty) { return value }
            if let array = value as? [Any] {
                let kept = array.compactMap { keep($0, paths) }
                return kept.isEmpty ? nil : kept
            }
            guard let object = value as? [String: Any] else { return nil }
            var kept: [String: Any] = [:]
            for (key, child) in object {
                let rest = paths.filter { fnmatch($0[0], key, 0) == 0 }.map { Array($0.dropFirst()) }
                if !rest.isEmpty, let value = keep(child, rest) { kept[key] = value }
            }
            return kept.isEmpty ? nil : kept
        }
    }
}

/// `text` as a JSON string literal.
private func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
