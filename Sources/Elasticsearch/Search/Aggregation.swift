/// An aggregation of a search request, with optional sub-aggregations.
public struct Aggregation: Sendable, Hashable {
    public private(set) var json: JSONValue

    public init(raw json: JSONValue) { self.json = json }

    public static func raw(_ json: JSONValue) -> Aggregation { Aggregation(raw: json) }

    /// A `terms` aggregation; `order` lists its criteria in turn (`[("revenue", .desc), ("_key", .asc)]`).
    public static func terms(
        _ field: String, size: Int? = nil, order: [(String, SearchRequest.Sort.Order)] = [], missing: JSONValue? = nil
    ) -> Aggregation {
        var options: [String: JSONValue] = ["field": .string(field)]
        if let size { options["size"] = .int(Int64(size)) }
        if !order.isEmpty { options["order"] = .array(order.map { JSONValue.object([$0.0: .string($0.1.rawValue)]) }) }
        if let missing { options["missing"] = missing }
        return Aggregation(raw: ["terms": .object(options)])
    }

    public enum CalendarInterval: String, Sendable { case minute, hour, day, week, month, quarter, year }

    public static func dateHistogram(
        _ field: String, calendarInterval: CalendarInterval, timeZone: String? = nil, minDocCount: Int? = nil,
        extendedBounds: (min: JSONValue, max: JSONValue)? = nil, format: String? = nil
    ) -> Aggregation {
        var options: [String: JSONValue] = ["field": .string(field), "calendar_interval": .string(calendarInterval.rawValue)]
        if let timeZone { options["time_zone"] = .string(timeZone) }
        if let minDocCount { options["min_doc_count"] = .int(Int64(minDocCount)) }
        if let extendedBounds { options["extended_bounds"] = ["min": extendedBounds.min, "max": extendedBounds.max] }
        if let format { options["format"] = .string(format) }
        return Aggregation(raw: ["date_histogram": .object(options)])
    }

    public static func sum(_ field: String) -> Aggregation { metric("sum", field) }
    public static func avg(_ field: String) -> Aggregation { metric("avg", field) }
    public static func min(_ field: String) -> Aggregation { metric("min", field) }
    public static func max(_ field: String) -> Aggregation { metric("max", field) }
    public static func valueCount(_ field: String) -> Aggregation { metric("value_count", field) }
    public static func cardinality(_ field: String) -> Aggregation { metric("cardinality", field) }

    /// The first `size` documents of the bucket in `sort` order, with only `sourceIncludes` of their source.
    public static func topHits(size: Int, sort: [SearchRequest.Sort], sourceIncludes: [String]) -> Aggregation {
        Aggregation(
            raw: [
                "top_hits": [
                    "size": .int(Int64(size)), "sort": .array(sort.map(\.json)),
                    "_source": ["includes": .array(sourceIncludes.map(JSONValue.string))],
                ]
            ])
    }

    public static func nested(path: String) -> Aggregation { Aggregation(raw: ["nested": ["path": .string(path)]]) }
    public static let reverseNested = Aggregation(raw: ["reverse_nested": [:]])
    public static func filter(_ query: Query) -> Aggregation { Aggregation(raw: ["filter": query.json]) }

    /// This aggregation with sub-aggregations under `aggs`.
    public func aggregating(_ children: [String: Aggregation]) -> Aggregation {
        guard case .object(var object) = json else { return self }
        object["aggs"] = .object(children.mapValues(\.json))
        return Aggregation(raw: .object(object))
    }

    private static func metric(_ kind: String, _ field: String) -> Aggregation {
        Aggregation(raw: .object([kind: ["field": .string(field)]]))
    }
}
