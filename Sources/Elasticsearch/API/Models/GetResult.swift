/// A document from `GET /<index>/_doc/<id>` or an entry of `_mget`.
public struct GetResult<Document: Decodable & Sendable>: Sendable, Decodable {
    public var index: String
    public var id: String
    public var found: Bool
    public var version: Int64?
    public var seqNo: Int64?
    public var primaryTerm: Int64?
    public var routing: String?
    public var source: Document?
    /// Stored fields (values are always arrays).
    public var fields: [String: JSONValue]?
    /// An `_mget` entry that failed (index missing, ...).
    public var error: JSONValue?

    enum CodingKeys: String, CodingKey {
        case index = "_index", id = "_id", found, version = "_version", seqNo = "_seq_no", primaryTerm = "_primary_term"
        case routing = "_routing", source = "_source", fields, error
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        index = try container.decode(String.self, forKey: .index)
        id = try container.decode(String.self, forKey: .id)
        error = try container.decodeIfPresent(JSONValue.self, forKey: .error)
        found = try container.decodeIfPresent(Bool.self, forKey: .found) ?? false
        version = try container.decodeIfPresent(Int64.self, forKey: .version)
        seqNo = try container.decodeIfPresent(Int64.self, forKey: .seqNo)
        primaryTerm = try container.decodeIfPresent(Int64.self, forKey: .primaryTerm)
        routing = try container.decodeIfPresent(String.self, forKey: .routing)
        source = try container.decodeIfPresent(Document.self, forKey: .source)
        fields = try container.decodeIfPresent([String: JSONValue].self, forKey: .fields)
    }
}

/// `_mget`.
public struct MultiGetResponse<Document: Decodable & Sendable>: Sendable, Decodable {
    public var docs: [GetResult<Document>]
}
