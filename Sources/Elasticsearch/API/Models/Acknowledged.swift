/// `{"acknowledged": true}` answers (delete index, aliases, settings), and index creation's
/// `shards_acknowledged` / `index` when present.
public struct Acknowledged: Sendable, Decodable, Hashable {
    public var acknowledged: Bool
    public var shardsAcknowledged: Bool?
    public var index: String?

    enum CodingKeys: String, CodingKey { case acknowledged, shardsAcknowledged = "shards_acknowledged", index }
}
