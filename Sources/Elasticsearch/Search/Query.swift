/// A query clause of the Elasticsearch query DSL. Build one with the factory functions, or wrap
/// any JSON with `.raw` (the escape hatch). There is deliberately no `query_string`: user text is
/// never parsed as query syntax; `simple_query_string` is the most a caller gets.
public struct Query: Sendable, Hashable {
    public let json: JSONValue

    public init(raw json: JSONValue) { self.json = json }

    public static func raw(_ json: JSONValue) -> Query { Query(raw: json) }

    public static let matchAll = Query(raw: ["match_all": [:]])
    public static let matchNone = Query(raw: ["match_none": [:]])

    public enum Operator: String, Sendable { case and, or }

    public enum MultiMatchType: String, Sendable {
        case bestFields = "best_fields", mostFields = "most_fields", crossFields = "cross_fields", phrase
        case phrasePrefix = "phrase_prefix", boolPrefix = "bool_prefix"
    }

    public static func match(
        _ field: String, _ text: String, operator: Operator? = nil, fuzziness: String? = nil, boost: Double? = nil
    )
        -> Query
    {
        var options: [String: JSONValue] = ["query": .string(text)]
        if let `operator` { options["operator"] = .string(`operator`.rawValue) }
        if let fuzziness { options["fuzziness"] = .string(fuzziness) }
        if let boost { options["boost"] = .double(boost) }
        return Query(raw: ["match": .object([field: .object(options)])])
    }

    public static func matchPhrase(_ field: String, _ text: String, slop: Int? = nil, boost: Double? = nil) -> Query {
        var options: [String: JSONValue] = ["query": .string(text)]
        if let slop { options["slop"] = .int(Int64(slop)) }
        if let boost { options["boost"] = .double(boost) }
        return Query(raw: ["match_phrase": .object([field: .object(options)])])
    }

    public static func multiMatch(
        _ text: String, fields: [String], type: MultiMatchType? = nil, operator: Operator? = nil, fuzziness: String? = nil,
        boost: Double? = nil
    ) -> Query {
        var options: [String: JSONValue] = ["query": .string(text), "fields": .array(fields.map(JSONValue.string))]
        if let type { options["type"] = .string(type.rawValue) }
        if let `operator` { options["operator"] = .string(`operator`.rawValue) }
        if let fuzziness { options["fuzziness"] = .string(fuzziness) }
        if let boost { options["boost"] = .double(boost) }
        return Query(raw: ["multi_match": .object(options)])
    }

    /// `flags` limits the syntax the text may use (`"PHRASE|PREFIX"`); `"NONE"` makes it plain words.
    public static func simpleQueryString(
        _ text: String, fields: [String], defaultOperator: Operator? = nil, flags: String? = nil, analyzeWildcard: Bool? = nil
    ) -> Query {
        var options: [String: JSONValue] = ["query": .string(text), "fields": .array(fields.map(JSONValue.string))]
        if let defaultOperator { options["default_operator"] = .string(defaultOperator.rawValue) }
        if let flags { options["flags"] = .string(flags) }
        if let analyzeWildcard { options["analyze_wildcard"] = .bool(analyzeWildcard) }
        return Query(raw: ["simple_query_string": .object(options)])
    }

    public static func term(_ field: String, _ value: JSONValue, boost: Double? = nil) -> Query {
        guard let boost else { return Query(raw: ["term": .object([field: .object(["value": value])])]) }
        return Query(raw: ["term": .object([field: .object(["value": value, "boost": .double(boost)])])])
    }

    public static func terms(_ field: String, _ values: [JSONValue]) -> Query {
        Query(raw: ["terms": .object([field: .array(values)])])
    }

    public static func prefix(_ field: String, _ value: String) -> Query {
        Query(raw: ["prefix": .object([field: .object(["value": .string(value)])])])
    }

    public static func exists(_ field: String) -> Query { Query(raw: ["exists": ["field": .string(field)]]) }

    public static func ids(_ values: [String]) -> Query { Query(raw: ["ids": ["values": .array(values.map(JSONValue.string))]]) }

    /// A range; dates may be ISO strings or date math, `timeZone` applies to dates without one.
    public static func range(
        _ field: String, gte: JSONValue? = nil, gt: JSONValue? = nil, lte: JSONValue? = nil, lt: JSONValue? = nil, timeZone: String? = nil,
        format: String? = nil
    ) -> Query {
        var options: [String: JSONValue] = [:]
        if let gte { options["gte"] = gte }
        if let gt { options["gt"] = gt }
        if let lte { options["lte"] = lte }
        if let lt { options["lt"] = lt }
        if let timeZone { options["time_zone"] = .string(timeZone) }
        if let format { options["format"] = .string(format) }
        return Query(raw: ["range": .object([field: .object(options)])])
    }

    public enum ScoreMode: String, Sendable { case avg, max, min, none, sum }

    public static func nested(path: String, _ query: Query, scoreMode: ScoreMode? = nil) -> Query {
        var options: [String: JSONValue] = ["path": .string(path), "query": query.json]
        if let scoreMode { options["score_mode"] = .string(scoreMode.rawValue) }
        return Query(raw: ["nested": .object(options)])
    }

    public static func bool(
        must: [Query] = [], should: [Query] = [], filter: [Query] = [], mustNot: [Query] = [], minimumShouldMatch: Int? = nil,
        boost: Double? = nil
    ) -> Query {
        var options: [String: JSONValue] = [:]
        if !must.isEmpty { options["must"] = .array(must.map(\.json)) }
        if !should.isEmpty { options["should"] = .array(should.map(\.json)) }
        if !filter.isEmpty { options["filter"] = .array(filter.map(\.json)) }
        if !mustNot.isEmpty { options["must_not"] = .array(mustNot.map(\.json)) }
        if let minimumShouldMatch { options["minimum_should_match"] = .int(Int64(minimumShouldMatch)) }
        if let boost { options["boost"] = .double(boost) }
        return Query(raw: ["bool": .object(options)])
    }
}
