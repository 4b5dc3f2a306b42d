/// A `_bulk` request body under construction: NDJSON action lines, each followed (except for
/// deletes) by its source line, ending with the newline Elasticsearch requires.
///
/// This is a hot path: action lines are written byte by byte, documents are appended as the
/// already-encoded JSON bytes the caller holds (no parsing, no re-encoding), and the buffer is
/// reused across requests with `removeAll()`. Documents must be single-line JSON (what
/// `JSONEncoder` and `JSONValue` produce; never pretty-printed).
public struct BulkBody: Sendable {
    public enum VersionType: String, Sendable {
        case external, externalGTE = "external_gte", `internal`
    }

    public enum Action: String, Sendable, Hashable, Codable {
        case index, create, update, delete
    }

    /// The NDJSON bytes.
    public private(set) var bytes: [UInt8] = []
    /// The number of operations.
    public private(set) var count = 0

    public init(reservingCapacity capacity: Int = 1 << 20) { bytes.reserveCapacity(capacity) }

    public var isEmpty: Bool { count == 0 }

    /// Empties the body and keeps its memory for the next request.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        count = 0
    }

    /// Index (create or replace) a document.
    public mutating func index(
        _ document: some Collection<UInt8>, id: String?, index: String? = nil, version: Int64? = nil, versionType: VersionType? = nil,
        routing: String? = nil, ifSeqNo: Int64? = nil, ifPrimaryTerm: Int64? = nil
    ) {
        writeAction(
            .index, index: index, id: id, version: version, versionType: versionType, routing: routing, ifSeqNo: ifSeqNo, ifPrimaryTerm: ifPrimaryTerm
        )
        writeSource(document)
    }

    /// Create a document; fails per item with 409 if the id exists.
    public mutating func create(
        _ document: some Collection<UInt8>, id: String?, index: String? = nil, version: Int64? = nil, versionType: VersionType? = nil,
        routing: String? = nil
    ) {
        writeAction(.create, index: index, id: id, version: version, versionType: versionType, routing: routing, ifSeqNo: nil, ifPrimaryTerm: nil)
        writeSource(document)
    }

    /// Update a document; `body` is the update request (`{"doc": {...}}`, `{"script": ...}`, ...).
    public mutating func update(
        _ body: some Collection<UInt8>, id: String, index: String? = nil, routing: String? = nil, retryOnConflict: Int? = nil,
        ifSeqNo: Int64? = nil, ifPrimaryTerm: Int64? = nil
    ) {
        writeAction(
            .update, index: index, id: id, version: nil, versionType: nil, routing: routing, ifSeqNo: ifSeqNo, ifPrimaryTerm: ifPrimaryTerm,
            retryOnConflict: retryOnConflict
        )
        writeSource(body)
    }

    /// Delete a document (no source line).
    public mutating func delete(
        id: String, index: String? = nil, version: Int64? = nil, versionType: VersionType? = nil, routing: String? = nil,
        ifSeqNo: Int64? = nil, ifPrimaryTerm: Int64? = nil
    ) {
        writeAction(
            .delete, index: index, id: id, version: version, versionType: versionType, routing: routing, ifSeqNo: ifSeqNo,
            ifPrimaryTerm: ifPrimaryTerm)
    }

    private mutating func writeAction(
        _ action: Action, index: String?, id: String?, version: Int64?, versionType: VersionType?, routing: String?, ifSeqNo: Int64?,
        ifPrimaryTerm: Int64?, retryOnConflict: Int? = nil
    ) {
        bytes.append(contentsOf: Self.openings[action]!)
        var first = true
        func key(_ name: StaticString) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        if let index {
            key("_index")
            JSONWriter.writeString(index, to: &bytes)
        }
        if let id {
            key("_id")
            JSONWriter.writeString(id, to: &bytes)
        }
        if let routing {
            key("routing")
            JSONWriter.writeString(routing, to: &bytes)
        }
        if let version {
            key("version")
            JSONWriter.writeInt(version, to: &bytes)
        }
        if let versionType {
            key("version_type")
            JSONWriter.writeString(versionType.rawValue, to: &bytes)
        }
        if let ifSeqNo {
            key("if_seq_no")
            JSONWriter.writeInt(ifSeqNo, to: &bytes)
        }
        if let ifPrimaryTerm {
            key("if_primary_term")
            JSONWriter.writeInt(ifPrimaryTerm, to: &bytes)
        }
        if let retryOnConflict {
            key("retry_on_conflict")
            JSONWriter.writeInt(Int64(retryOnConflict), to: &bytes)
        }
        bytes.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "}"), UInt8(ascii: "\n")])
        count += 1
    }

    private mutating func writeSource(_ document: some Collection<UInt8>) {
        assert(!document.contains(UInt8(ascii: "\n")), "bulk documents must be single-line JSON")
        bytes.append(contentsOf: document)
        bytes.append(UInt8(ascii: "\n"))
    }

    private static let openings: [Action: [UInt8]] = [
        .index: Array(#"{"index":{"#.utf8), .create: Array(#"{"create":{"#.utf8), .update: Array(#"{"update":{"#.utf8),
        .delete: Array(#"{"delete":{"#.utf8),
    ]
}
