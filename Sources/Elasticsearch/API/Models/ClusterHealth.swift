/// `GET /_cluster/health`.
public struct ClusterHealth: Sendable, Decodable, Hashable {
    public enum Status: String, Sendable, Decodable, Hashable { case green, yellow, red }

    public var clusterName: String
    public var status: Status
    public var timedOut: Bool
    public var numberOfNodes: Int
    public var numberOfDataNodes: Int
    public var activePrimaryShards: Int
    public var activeShards: Int
    public var relocatingShards: Int
    public var initializingShards: Int
    public var unassignedShards: Int
    public var activeShardsPercent: Double?

    enum CodingKeys: String, CodingKey {
        case clusterName = "cluster_name", status, timedOut = "timed_out", numberOfNodes = "number_of_nodes"
        case numberOfDataNodes = "number_of_data_nodes", activePrimaryShards = "active_primary_shards", activeShards = "active_shards"
        case relocatingShards = "relocating_shards", initializingShards = "initializing_shards", unassignedShards = "unassigned_shards"
        case activeShardsPercent = "active_shards_percent_as_number"
    }
}
