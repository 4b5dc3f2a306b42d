package import Elasticsearch
import Foundation
package import Logging
package import ServiceLifecycle

/// Which backend serves the read side, and where.
package enum ReadIndexConfiguration: Sendable {
    /// The embedded SQLite FTS5 index; `path` is its stable name (a link to the live generation).
    case embedded(path: String)
    /// Elasticsearch, behind `index.alias`, created from `definition` when the alias is missing.
    case elasticsearch(ElasticsearchConfiguration, index: ElasticsearchSearchIndex.Configuration = .init(), definition: IndexDefinition)
}

/// A read index opened from its configuration: what the query side reads and the projection
/// writes, its generations (for reindex), and what must run while it is used.
package struct ReadIndex: Sendable {
    package let index: any SearchIndex
    package let generations: any IndexGenerations
    /// The read side's identity: names its checkpoint and its reindex lock (`orders` for the
    /// embedded index, `elasticsearch:<alias>`).
    package let identity: String
    /// For logs: where the documents go.
    package let location: String
    /// What must run while the index is used, in a `ServiceGroup` (the Elasticsearch client; the
    /// embedded index's `SwapFollower`).
    package let services: [any Service]

    /// Opens the backend `configuration` names (an embedded index is created if missing).
    package static func open(_ configuration: ReadIndexConfiguration, logger: Logger) throws -> ReadIndex {
        switch configuration {
        case .embedded(let path):
            let index = try LiveEmbeddedIndex(path: path)
            return ReadIndex(
                index: index, generations: index.generations, identity: "orders", location: path, services: [SwapFollower(index: index)])
        case .elasticsearch(let connection, let settings, let definition):
            let client = ElasticsearchClient(configuration: connection, logger: logger)
            return ReadIndex(
                index: ElasticsearchSearchIndex(client: client, definition: definition, configuration: settings, logger: logger),
                generations: ElasticsearchGenerations(client: client, definition: definition, configuration: settings, logger: logger),
                identity: "elasticsearch:\(settings.alias)",
                location: "elasticsearch alias \(settings.alias) at \(connection.redactedNodes.joined(separator: ","))",
                services: [client])
        }
    }
}
