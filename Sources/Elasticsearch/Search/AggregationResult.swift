/// A node of an aggregation result tree, read without knowing its type in advance: metric
/// values, bucket lists (arrays, or objects keyed by bucket key when `keyed: true`), single-bucket
/// aggregations (`filter`, `nested`) whose sub-aggregations sit beside `doc_count`, and names
/// prefixed by their type under `typed_keys` (`sterms#genres`).
public struct AggregationResult: Sendable, Decodable, Hashable {
    public let json: JSONValue

    public init(_ json: JSONValue) { self.json = json }

    public init(from decoder: any Decoder) throws { json = try JSONValue(from: decoder) }

    /// The sub-aggregation (or top-level aggregation) named `name`, with or without a typed_keys prefix.
    public subscript(name: String) -> AggregationResult? {
        guard let object = json.object else { return nil }
        if let value = object[name] { return AggregationResult(value) }
        for (key, value) in object {
            if let hash = key.firstIndex(of: "#"), key[key.index(after: hash)...] == name { return AggregationResult(value) }
        }
        return nil
    }

    /// A metric's `value` (`sum`, `avg`, `cardinality`, ...); `nil` when empty (`avg` of nothing is `null`).
    public var value: Double? { json["value"]?.double }
    public var valueAsString: String? { json["value_as_string"]?.string }
    /// The document count of a bucket or single-bucket aggregation.
    public var docCount: Int? { json["doc_count"]?.int.map { Int($0) } }
    public var sumOtherDocCount: Int? { json["sum_other_doc_count"]?.int.map { Int($0) } }

    /// The buckets, in the order Elasticsearch sent them; keyed buckets get their object key as `key`.
    public var buckets: [Bucket] {
        switch json["buckets"] {
        case .array(let buckets)?: return buckets.map { Bucket(AggregationResult($0), key: $0["key"] ?? .null) }
        case .object(let keyed)?:
            return keyed.keys.sorted().map { key in Bucket(AggregationResult(keyed[key]!), key: keyed[key]!["key"] ?? .string(key)) }
        default: return []
        }
    }

    public struct Bucket: Sendable, Hashable {
        public let result: AggregationResult
        /// A string (terms), a number (histograms: epoch millis for dates), or for keyed buckets the key.
        public let key: JSONValue

        init(_ result: AggregationResult, key: JSONValue) {
            self.result = result
            self.key = key
        }

        public var keyAsString: String? { result.json["key_as_string"]?.string ?? key.string }
        public var docCount: Int { result.docCount ?? 0 }
        public subscript(name: String) -> AggregationResult? { result[name] }
    }
}
