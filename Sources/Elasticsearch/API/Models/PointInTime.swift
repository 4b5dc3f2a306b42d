/// `POST /<index>/_pit`.
public struct PointInTime: Sendable, Decodable, Hashable {
    /// Opaque; pass it back unchanged.
    public var id: String
    public var shards: ShardStatistics?

    enum CodingKeys: String, CodingKey { case id, shards = "_shards" }
}

/// `DELETE /_pit`.
public struct ClosedPointInTime: Sendable, Decodable, Hashable {
    public var succeeded: Bool
    public var freed: Int

    enum CodingKeys: String, CodingKey { case succeeded, freed = "num_freed" }
}
