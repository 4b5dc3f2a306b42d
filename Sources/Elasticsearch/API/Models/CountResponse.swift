/// `_count`.
public struct CountResponse: Sendable, Decodable, Hashable {
    public var count: Int
    public var shards: ShardStatistics?

    enum CodingKeys: String, CodingKey { case count, shards = "_shards" }
}
