/// The answer to `_bulk`. Elasticsearch answers HTTP 200 even when items fail: read every item.
/// With `filter_path` trimming, `took` and `errors` may be absent.
public struct BulkResponse: Sendable, Decodable {
    public var took: Int?
    /// True when at least one item failed (a `404 not_found` delete is not a failure).
    public var errors: Bool?
    /// One per operation, in request order (unless `filter_path` dropped some).
    public var items: [BulkItem]

    enum CodingKeys: String, CodingKey { case took, errors, items }

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
        details = try JSONValue(from: decoder)
        if let text = details.string {
            reason = text
        } else {
            type = details["type"]?.string
            reason = details["reason"]?.string
        }
    }
}
