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
        _ document: [UInt8], id: String?, index: String? = nil, version: Int64? = nil, versionType: VersionType? = nil,
        routing: String? = nil, ifSeqNo: Int64? = nil, ifPrimaryTerm: Int64? = nil
    ) {
        writeAction(
            .index, index: index, id: id, version: version, versionType: versionType, routing: routing, ifSeqNo: ifSeqNo, ifPrimaryTerm: ifPrimaryTerm
        )
        writeSource(document)
    }

    /// Create a document; fails per item with 409 if the id exists.
    public mutating func create(
        _ document: [UInt8], id: String?, index: String? = nil, version: Int64? = nil, versionType: VersionType? = nil,
        routing: String? = nil
    ) {
        writeAction(.create, index: index, id: id, version: version, versionType: versionType, routing: routing, ifSeqNo: nil, ifPrimaryTerm: nil)
        writeSource(document)
    }

    /// Update a document; `body` is the update request (`{"doc": {...}}`, `{"script": ...}`, ...).
    public mutating func update(
        _ body: [UInt8], id: String, index: String? = nil, routing: String? = nil, retryOnConflict: Int? = nil,
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
        switch action {
        case .index: append(Self.indexOpening)
        case .create: append(Self.createOpening)
        case .update: append(Self.updateOpening)
        case .delete: append(Self.deleteOpening)
        }
        var separator = false
        if let index { writeKey(Self.indexKey, &separator); JSONWriter.writeString(index, to: &bytes) }
        if let id { writeKey(Self.idKey, &separator); JSONWriter.writeString(id, to: &bytes) }
        if let routing { writeKey(Self.routingKey, &separator); JSONWriter.writeString(routing, to: &bytes) }
        if let version { writeKey(Self.versionKey, &separator); JSONWriter.writeInt(version, to: &bytes) }
        if let versionType { writeKey(Self.versionTypeKey, &separator); JSONWriter.writeString(versionType.rawValue, to: &bytes) }
        if let ifSeqNo { writeKey(Self.ifSeqNoKey, &separator); JSONWriter.writeInt(ifSeqNo, to: &bytes) }
        if let ifPrimaryTerm { writeKey(Self.ifPrimaryTermKey, &separator); JSONWriter.writeInt(ifPrimaryTerm, to: &bytes) }
        if let retryOnConflict { writeKey(Self.retryOnConflictKey, &separator); JSONWriter.writeInt(Int64(retryOnConflict), to: &bytes) }
        append(Self.closing)
        count += 1
    }

    /// Appends `"key":`, preceded by a comma after the first key.
    private mutating func writeKey(_ key: StaticString, _ separator: inout Bool) {
        if separator { bytes.append(UInt8(ascii: ",")) }
        separator = true
        append(key)
    }

    /// Appends constant bytes without touching reference counts.
    private mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func writeSource(_ document: [UInt8]) {
        assert(!document.contains(UInt8(ascii: "\n")), "bulk documents must be single-line JSON")
        bytes.append(contentsOf: document)
        bytes.append(UInt8(ascii: "\n"))
    }

    private static let indexOpening: StaticString = #"{"index":{"#
    private static let createOpening: StaticString = #"{"create":{"#
    private static let updateOpening: StaticString = #"{"update":{"#
    private static let deleteOpening: StaticString = #"{"delete":{"#
    private static let closing: StaticString = "}}\n"
    private static let indexKey: StaticString = #""_index":"#
    private static let idKey: StaticString = #""_id":"#
    private static let routingKey: StaticString = #""routing":"#
    private static let versionKey: StaticString = #""version":"#
    private static let versionTypeKey: StaticString = #""version_type":"#
    private static let ifSeqNoKey: StaticString = #""if_seq_no":"#
    private static let ifPrimaryTermKey: StaticString = #""if_primary_term":"#
    private static let retryOnConflictKey: StaticString = #""retry_on_conflict":"#
}
