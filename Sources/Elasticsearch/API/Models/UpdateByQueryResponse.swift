/// `_update_by_query` (and `_delete_by_query`, which answers the same shape).
public struct UpdateByQueryResponse: Sendable, Decodable, Hashable {
    public struct Retries: Sendable, Decodable, Hashable {
        public var bulk: Int
        public var search: Int
    }

    public var took: Int?
    public var timedOut: Bool?
    public var total: Int?
    public var updated: Int?
    public var deleted: Int?
    public var batches: Int?
    public var versionConflicts: Int?
    public var noops: Int?
    public var retries: Retries?
    public var throttledMillis: Int?
    /// A number (`-1.0` for unlimited) or, in 5.x, the string `"unlimited"`; `nil` means unlimited.
    public var requestsPerSecond: Double?
    public var failures: [JSONValue]

    enum CodingKeys: String, CodingKey {
        case took, timedOut = "timed_out", total, updated, deleted, batches, versionConflicts = "version_conflicts", noops, retries
        case throttledMillis = "throttled_millis", requestsPerSecond = "requests_per_second", failures
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        took = try container.decodeIfPresent(Int.self, forKey: .took)
        timedOut = try container.decodeIfPresent(Bool.self, forKey: .timedOut)
        total = try container.decodeIfPresent(Int.self, forKey: .total)
        updated = try container.decodeIfPresent(Int.self, forKey: .updated)
        deleted = try container.decodeIfPresent(Int.self, forKey: .deleted)
        batches = try container.decodeIfPresent(Int.self, forKey: .batches)
        versionConflicts = try container.decodeIfPresent(Int.self, forKey: .versionConflicts)
        noops = try container.decodeIfPresent(Int.self, forKey: .noops)
        retries = try container.decodeIfPresent(Retries.self, forKey: .retries)
        throttledMillis = try container.decodeIfPresent(Int.self, forKey: .throttledMillis)
        let rate = try container.decodeIfPresent(JSONValue.self, forKey: .requestsPerSecond)
        requestsPerSecond = rate?.double.flatMap { $0 < 0 ? nil : $0 }
        failures = try container.decodeIfPresent([JSONValue].self, forKey: .failures) ?? []
    }
}
