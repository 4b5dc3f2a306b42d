/// The answer to `_search`, with `_source` decoded to the caller's type. Absent parts (trimmed
/// by `filter_path`, or older servers) are `nil`.
public struct SearchResponse<Document: Decodable & Sendable>: Sendable, Decodable {
    public var took: Int?
    public var timedOut: Bool?
    public var shards: ShardStatistics?
    public var hits: Hits?
    public var aggregations: AggregationResult?
    /// Present when searching a point in time: the id to use for the next page.
    public var pointInTimeID: String?

    public struct Hits: Sendable, Decodable {
        public var total: TotalHits?
        public var maxScore: Double?
        public var hits: [Hit]

        enum CodingKeys: String, CodingKey { case total, maxScore = "max_score", hits }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            total = try container.decodeIfPresent(TotalHits.self, forKey: .total)
            maxScore = try container.decodeIfPresent(Double.self, forKey: .maxScore)
            hits = try container.decodeIfPresent([Hit].self, forKey: .hits) ?? []
        }
    }

    public struct Hit: Sendable, Decodable {
        public var index: String?
        /// Absent only when `filter_path` trimmed it.
        public var id: String?
        public var score: Double?
        public var source: Document?
        /// Heterogeneous: numbers and strings (`[1463538857, "654323"]`).
        public var sort: [JSONValue]?
        public var highlight: [String: [String]]?
        public var fields: [String: JSONValue]?
        public var routing: String?

        enum CodingKeys: String, CodingKey {
            case index = "_index", id = "_id", score = "_score", source = "_source", sort, highlight, fields, routing = "_routing"
        }
    }

    enum CodingKeys: String, CodingKey {
        case took, timedOut = "timed_out", shards = "_shards", hits, aggregations, pointInTimeID = "pit_id"
    }
}

/// `hits.total`: `{"value": N, "relation": "eq"|"gte"}` since 7.x, or a bare number (older, or
/// `rest_total_hits_as_int`).
public struct TotalHits: Sendable, Decodable, Hashable {
    public var value: Int
    /// True when `value` is exact, false when it is a lower bound (`gte`).
    public var isExact: Bool

    public init(value: Int, isExact: Bool) {
        self.value = value
        self.isExact = isExact
    }

    enum CodingKeys: String, CodingKey { case value, relation }

    /// `hits.total` from an already parsed answer (either shape); `nil` when absent.
    public init?(json: JSONValue?) {
        switch json {
        case .int(let value)?: self.init(value: Int(value), isExact: true)
        case .object(let object)?:
            guard let value = object["value"]?.int else { return nil }
            self.init(value: Int(value), isExact: (object["relation"]?.string ?? "eq") == "eq")
        default: return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        if let number = try? decoder.singleValueContainer().decode(Int.self) {
            self.init(value: number, isExact: true)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            value: try container.decode(Int.self, forKey: .value),
            isExact: (try container.decodeIfPresent(String.self, forKey: .relation) ?? "eq") == "eq")
    }
}

/// `_shards` of a response.
public struct ShardStatistics: Sendable, Decodable, Hashable {
    public var total: Int
    public var successful: Int
    public var skipped: Int?
    public var failed: Int
}
