/// `GET /`.
public struct ClusterInfo: Sendable, Decodable, Hashable {
    public struct Version: Sendable, Decodable, Hashable {
        public var number: String
        public var buildFlavor: String?
        public var buildHash: String?
        public var luceneVersion: String?

        enum CodingKeys: String, CodingKey {
            case number, buildFlavor = "build_flavor", buildHash = "build_hash", luceneVersion = "lucene_version"
        }
    }

    public var name: String
    public var clusterName: String
    public var clusterUUID: String?
    public var version: Version
    public var tagline: String?

    enum CodingKeys: String, CodingKey { case name, clusterName = "cluster_name", clusterUUID = "cluster_uuid", version, tagline }
}
