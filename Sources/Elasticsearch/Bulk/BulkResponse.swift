import JSONScanning

/// The answer to `_bulk`. Elasticsearch answers HTTP 200 even when items fail: read every item.
/// With `filter_path` trimming, `took` and `errors` may be absent.
public struct BulkResponse: Sendable, Decodable {
    public var took: Int?
    /// True when at least one item failed (a `404 not_found` delete is not a failure).
    public var errors: Bool?
    /// One per operation, in request order (unless `filter_path` dropped some).
    public var items: [BulkItem]

    enum CodingKeys: String, CodingKey { case took, errors, items }

    public init(took: Int?, errors: Bool?, items: [BulkItem]) {
        self.took = took
        self.errors = errors
        self.items = items
    }

    /// Reads a `_bulk` response body. A purpose-built scanner: `JSONDecoder` costs more than the
    /// rest of a bulk round trip together on 1,000-item responses. Unknown keys are skipped;
    /// error objects are kept whole.
    public static func parse(_ body: [UInt8]) throws -> BulkResponse {
        try body.withUnsafeBufferPointer { buffer throws(JSONScanner.Failure) -> BulkResponse in
            var scanner = JSONScanner(buffer)
            var response = BulkResponse(took: nil, errors: nil, items: [])
            try scanner.object { scanner, key throws(JSONScanner.Failure) in
                if scanner.equals(key, "took") {
                    response.took = Int(try scanner.integer())
                } else if scanner.equals(key, "errors") {
                    response.errors = try scanner.bool()
                } else if scanner.equals(key, "items") {
                    // Items are at least ~20 bytes each: reserve for the likely count up front.
                    response.items.reserveCapacity(buffer.count / 24)
                    try scanner.expect(UInt8(ascii: "["))
                    if !scanner.consume(UInt8(ascii: "]")) {
                        repeat { response.items.append(try BulkItem.parse(&scanner)) } while scanner.consume(UInt8(ascii: ","))
                        try scanner.expect(UInt8(ascii: "]"))
                    }
                } else {
                    try scanner.skipValue()
                }
            }
            guard scanner.peek() == nil else { throw scanner.failure("trailing data") }
            return response
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        took = try container.decodeIfPresent(Int.self, forKey: .took)
        errors = try container.decodeIfPresent(Bool.self, forKey: .errors)
        items = try container.decodeIfPresent([BulkItem].self, forKey: .items) ?? []
    }
}

/// The outcome of one bulk operation.
public struct BulkItem: Sendable, Decodable, Hashable {
    public var action: BulkBody.Action
    public var index: String?
    public var id: String?
    /// The item's HTTP status (absent in some trimmed or documentation responses).
    public var status: Int?
    /// `created`, `updated`, `deleted`, `noop`, `not_found`.
    public var result: String?
    public var version: Int64?
    public var seqNo: Int64?
    public var primaryTerm: Int64?
    public var error: BulkItemError?

    public var succeeded: Bool { error == nil && (status.map { (200..<300).contains($0) } ?? true) }

    public init(action: BulkBody.Action) { self.action = action }

    /// Reads one item: `{"<action>": {...}}`. Plain loops rather than the scanner's closure
    /// helpers: this runs once per document on the bulk path.
    static func parse(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> BulkItem {
        try scanner.expect(UInt8(ascii: "{"))
        let actionKey = try scanner.rawString()
        let action: BulkBody.Action
        if scanner.equals(actionKey, "index") {
            action = .index
        } else if scanner.equals(actionKey, "create") {
            action = .create
        } else if scanner.equals(actionKey, "update") {
            action = .update
        } else if scanner.equals(actionKey, "delete") {
            action = .delete
        } else {
            throw scanner.failure("bulk item without an index/create/update/delete key")
        }
        try scanner.expect(UInt8(ascii: ":"))
        try scanner.expect(UInt8(ascii: "{"))
        var item = BulkItem(action: action)
        if !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try scanner.rawString()
                try scanner.expect(UInt8(ascii: ":"))
                try item.read(key, &scanner)
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "}"))
        }
        try scanner.expect(UInt8(ascii: "}"))
        return item
    }

    private mutating func read(_ key: Range<Int>, _ scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        if scanner.equals(key, "status") {
            status = Int(try scanner.integer())
        } else if scanner.equals(key, "_id") {
            id = try scanner.optionalString()
        } else if scanner.equals(key, "_index") {
            index = try scanner.optionalString()
        } else if scanner.equals(key, "result") {
            result = try scanner.optionalString()
        } else if scanner.equals(key, "_version") {
            version = try scanner.integer()
        } else if scanner.equals(key, "_seq_no") {
            seqNo = try scanner.integer()
        } else if scanner.equals(key, "_primary_term") {
            primaryTerm = try scanner.integer()
        } else if scanner.equals(key, "error") {
            let range = try scanner.skipValue()
            do {
                error = BulkItemError(details: try JSONValue.parse(Array(scanner.bytes[range])))
            } catch {
                throw JSONScanner.Failure(offset: range.lowerBound, message: "bad error object")
            }
        } else {
            try scanner.skipValue()
        }
    }

    private struct ActionKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    enum CodingKeys: String, CodingKey {
        case index = "_index", id = "_id", status, result, version = "_version", seqNo = "_seq_no", primaryTerm = "_primary_term", error
    }

    public init(from decoder: any Decoder) throws {
        let outer = try decoder.container(keyedBy: ActionKey.self)
        guard let key = outer.allKeys.first, let action = BulkBody.Action(rawValue: key.stringValue) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "bulk item without an index/create/update/delete key"))
        }
        self.action = action
        let container = try outer.nestedContainer(keyedBy: CodingKeys.self, forKey: key)
        index = try container.decodeIfPresent(String.self, forKey: .index)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        status = try container.decodeIfPresent(Int.self, forKey: .status)
        result = try container.decodeIfPresent(String.self, forKey: .result)
        version = try container.decodeIfPresent(Int64.self, forKey: .version)
        seqNo = try container.decodeIfPresent(Int64.self, forKey: .seqNo)
        primaryTerm = try container.decodeIfPresent(Int64.self, forKey: .primaryTerm)
        error = try container.decodeIfPresent(BulkItemError.self, forKey: .error)
    }
}

/// A failed item's error: an object with `type` and `reason` (7.x+), or a plain string (2.x).
public struct BulkItemError: Sendable, Decodable, Hashable {
    public var type: String?
    public var reason: String?
    /// The whole error as sent (`caused_by`, `index_uuid`, `shard` as a string, ...).
    public var details: JSONValue

    public init(from decoder: any Decoder) throws {
        self.init(details: try JSONValue(from: decoder))
    }

    public init(details: JSONValue) {
        self.details = details
        if let text = details.string {
            reason = text
        } else {
            type = details["type"]?.string
            reason = details["reason"]?.string
        }
    }
}
