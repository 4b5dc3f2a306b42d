/// The body of `_search` (and the query of `_count`).
public struct SearchRequest: Sendable {
    public struct Sort: Sendable, Hashable {
        public let json: JSONValue

        public enum Order: String, Sendable { case asc, desc }

        public static func field(_ field: String, _ order: Order, missing: JSONValue? = nil, unmappedType: String? = nil) -> Sort {
            var options: [String: JSONValue] = ["order": .string(order.rawValue)]
            if let missing { options["missing"] = missing }
            if let unmappedType { options["unmapped_type"] = .string(unmappedType) }
            return Sort(json: .object([field: .object(options)]))
        }

        public static func score(_ order: Order = .desc) -> Sort { Sort(json: ["_score": ["order": .string(order.rawValue)]]) }
    }

    public struct Highlight: Sendable, Hashable {
        /// How the highlighted text is encoded around the tags.
        public enum Encoder: String, Sendable, Hashable {
            /// The text as stored: unsafe to put in a page when it came from users.
            case `default`
            /// HTML-escaped (`"`, `&`, `<`, `>`, `'`, `/`), the tags left as they are.
            case html
        }

        public var fields: [String]
        public var preTags: [String]?
        public var postTags: [String]?
        public var fragmentSize: Int?
        public var numberOfFragments: Int?
        /// Highlight fields that were not searched too (`require_field_match: false`).
        public var requireFieldMatch: Bool?
        /// Default nil: Elasticsearch's `default` (no escaping).
        public var encoder: Encoder?

        public init(
            fields: [String], preTags: [String]? = nil, postTags: [String]? = nil, fragmentSize: Int? = nil, numberOfFragments: Int? = nil,
            requireFieldMatch: Bool? = nil, encoder: Encoder? = nil
        ) {
            self.fields = fields
            self.encoder = encoder
            self.preTags = preTags
            self.postTags = postTags
            self.fragmentSize = fragmentSize
            self.numberOfFragments = numberOfFragments
            self.requireFieldMatch = requireFieldMatch
        }

        var json: JSONValue {
            // The schema takes `fields` as an array of one-key objects (which also keeps their order).
            var options: [String: JSONValue] = ["fields": .array(fields.map { JSONValue.object([$0: .object([:])]) })]
            if let preTags { options["pre_tags"] = .array(preTags.map(JSONValue.string)) }
            if let postTags { options["post_tags"] = .array(postTags.map(JSONValue.string)) }
            if let fragmentSize { options["fragment_size"] = .int(Int64(fragmentSize)) }
            if let numberOfFragments { options["number_of_fragments"] = .int(Int64(numberOfFragments)) }
            if let requireFieldMatch { options["require_field_match"] = .bool(requireFieldMatch) }
            if let encoder { options["encoder"] = .string(encoder.rawValue) }
            return .object(options)
        }
    }

    public enum TrackTotalHits: Sendable, Hashable {
        case exact, upTo(Int), off
    }

    public var query: Query?
    /// Filters the hits but not the aggregations (facets that ignore their own filter).
    public var postFilter: Query?
    public var size: Int?
    public var from: Int?
    public var sort: [Sort]
    public var searchAfter: [JSONValue]?
    public var highlight: Highlight?
    public var aggregations: [String: Aggregation]
    /// `_source` includes; `[]` means no source.
    public var sourceIncludes: [String]?
    public var trackTotalHits: TrackTotalHits?
    /// A point in time to search instead of an index (then the request goes to `/_search`).
    public var pointInTime: (id: String, keepAlive: String)?
    public var timeout: String?

    public init(
        query: Query? = nil, postFilter: Query? = nil, size: Int? = nil, from: Int? = nil, sort: [Sort] = [], searchAfter: [JSONValue]? = nil,
        highlight: Highlight? = nil, aggregations: [String: Aggregation] = [:], sourceIncludes: [String]? = nil,
        trackTotalHits: TrackTotalHits? = nil, pointInTime: (id: String, keepAlive: String)? = nil, timeout: String? = nil
    ) {
        self.query = query
        self.postFilter = postFilter
        self.size = size
        self.from = from
        self.sort = sort
        self.searchAfter = searchAfter
        self.highlight = highlight
        self.aggregations = aggregations
        self.sourceIncludes = sourceIncludes
        self.trackTotalHits = trackTotalHits
        self.pointInTime = pointInTime
        self.timeout = timeout
    }

    public var json: JSONValue {
        var body: [String: JSONValue] = [:]
        if let query { body["query"] = query.json }
        if let postFilter { body["post_filter"] = postFilter.json }
        if let size { body["size"] = .int(Int64(size)) }
        if let from { body["from"] = .int(Int64(from)) }
        if !sort.isEmpty { body["sort"] = .array(sort.map(\.json)) }
        if let searchAfter { body["search_after"] = .array(searchAfter) }
        if let highlight { body["highlight"] = highlight.json }
        if !aggregations.isEmpty { body["aggs"] = .object(aggregations.mapValues(\.json)) }
        if let sourceIncludes {
            body["_source"] = sourceIncludes.isEmpty ? .bool(false) : ["includes": .array(sourceIncludes.map(JSONValue.string))]
        }
        switch trackTotalHits {
        case .exact?: body["track_total_hits"] = .bool(true)
        case .upTo(let limit)?: body["track_total_hits"] = .int(Int64(limit))
        case .off?: body["track_total_hits"] = .bool(false)
        case nil: break
        }
        if let pointInTime { body["pit"] = ["id": .string(pointInTime.id), "keep_alive": .string(pointInTime.keepAlive)] }
        if let timeout { body["timeout"] = .string(timeout) }
        return .object(body)
    }
}
