public import Foundation
public import OrdersSearch
public import OrdersStore

/// What an operator asks first: how far the write side is, how far the projection has got, what
/// the read index holds and whether anything needs a hand. `orders status` prints it and
/// `GET /admin/status` serves it.
public struct ReadSideStatus: Sendable, Encodable {
    public struct Index: Sendable, Encodable {
        /// `embedded` or `elasticsearch`.
        public var backend: String
        /// For people: the file, or the alias and nodes.
        public var location: String
        /// The concrete index behind the alias (Elasticsearch).
        public var name: String?
        public var documents: Int?
        public var mappingVersion: Int64?
        public var expectedMappingVersion: Int64?
        /// Drift, unreachable, ...: empty when all is well.
        public var problems: [String]

        enum CodingKeys: String, CodingKey {
            case backend, location, name, documents, mappingVersion = "mapping_version"
            case expectedMappingVersion = "expected_mapping_version", problems
        }
    }

    public var headPosition: Int64
    public var checkpoint: Int64
    public var lagEvents: Int64
    /// Age of the oldest event not yet projected; 0 when caught up.
    public var lagSeconds: Double
    public var index: Index
    public var deadLetters: [ProjectionStateStore.DeadLetter]
    /// A reindex in progress (or interrupted, waiting to be resumed or aborted).
    public var reindex: ProjectionStateStore.ReindexJob?

    enum CodingKeys: String, CodingKey {
        case headPosition = "head_position", checkpoint, lagEvents = "lag_events", lagSeconds = "lag_seconds", index
        case deadLetters = "dead_letters", reindex
    }

    /// Reads it all; an unreachable index is reported in `index.problems`, not thrown.
    public static func read(
        store: EventStore, index: any SearchIndex, state: ProjectionStateStore, checkpointName: String, location: String, now: Date = Date()
    ) async throws -> ReadSideStatus {
        let head = try await store.headPosition()
        let checkpoint = try await state.checkpoint(checkpointName)
        let oldest = head > checkpoint ? try await store.readAll(after: checkpoint, limit: 1).first : nil
        var described = Index(backend: index is ElasticsearchSearchIndex ? "elasticsearch" : "embedded", location: location, problems: [])
        do {
            if let elasticsearch = index as? ElasticsearchSearchIndex {
                let live = try await elasticsearch.indexState()
                described.name = live.index
                described.mappingVersion = live.mappingVersion
                described.expectedMappingVersion = live.expectedMappingVersion
            }
            described.documents = try await index.stats().documents
            described.problems = try await index.problems()
        } catch {
            described.problems.append("not reachable: \(error)")
        }
        return ReadSideStatus(
            headPosition: head, checkpoint: checkpoint, lagEvents: head - checkpoint,
            lagSeconds: oldest.map { max(0, now.timeIntervalSince($0.recordedAt)) } ?? 0, index: described,
            deadLetters: try await state.deadLetters(),
            reindex: try await state.reindexJob(checkpointName)
        )
    }
}
