package import Elasticsearch
package import Logging

/// The Elasticsearch read side as generations: indices `<alias>-<n>`, the alias pointing at the
/// live one. A new generation is created from `index-mappings/` with refresh off and no
/// replicas; `finishLoading` restores the definition's values and refreshes; the swap is one
/// `_aliases` request (remove from the old index, add to the new), so searches never see a
/// moment without the alias or with both indices.
package struct ElasticsearchGenerations: IndexGenerations {
    package let client: ElasticsearchClient
    package let definition: IndexDefinition
    package let configuration: ElasticsearchSearchIndex.Configuration
    let logger: Logger

    package init(
        client: ElasticsearchClient, definition: IndexDefinition, configuration: ElasticsearchSearchIndex.Configuration = .init(), logger: Logger
    ) {
        self.client = client
        self.definition = definition
        self.configuration = configuration
        self.logger = logger
    }

    package var name: String { configuration.alias }

    package func list() async throws -> [String] {
        let naming = GenerationNaming(base: name)
        let indices = try await client.settings("\(name)-*").keys
        return indices.compactMap { index in naming.number(of: index).map { (index, $0) } }.sorted { $0.1 < $1.1 }.map(\.0)
    }

    package func live() async throws -> String? { try await ElasticsearchSearchIndex.index(behind: name, client: client) }

    /// The body `create` sends: the definition with refresh off and no replicas.
    package var creationBody: JSONValue {
        var body = definition.body.object ?? [:]
        var settings = body["settings"]?.object ?? [:]
        settings["refresh_interval"] = .string("-1")
        settings["number_of_replicas"] = .int(0)
        body["settings"] = .object(settings)
        return .object(body)
    }

    package func create(_ generation: String) async throws {
        do {
            try await client.createIndex(generation, body: creationBody)
            logger.notice("created the next index", metadata: ["es.index": "\(generation)", "es.alias": "\(name)"])
        } catch {
            guard error.errorType == "resource_already_exists_exception" else { throw error }
            // A resumed reindex: make sure the load settings hold again.
            try await client.updateSettings(generation, refreshInterval: "-1", numberOfReplicas: 0)
        }
    }

    package func index(_ generation: String) throws -> any SearchIndexWriter {
        var configuration = configuration
        configuration.index = generation
        return ElasticsearchSearchIndex(client: client, definition: definition, configuration: configuration, logger: logger)
    }

    /// The definition's `refresh_interval` and `number_of_replicas` (Elasticsearch's defaults,
    /// `1s` and 1, when it names none).
    package var servingSettings: (refreshInterval: String, replicas: Int) {
        let settings = definition.body["settings"]
        let index = settings?["index"]
        let refresh = settings?["refresh_interval"]?.string ?? index?["refresh_interval"]?.string ?? "1s"
        let replicas = settings?["number_of_replicas"]?.int ?? index?["number_of_replicas"]?.int ?? 1
        return (refresh, Int(replicas))
    }

    package func finishLoading(_ generation: String) async throws {
        let serving = servingSettings
        try await client.updateSettings(generation, refreshInterval: serving.refreshInterval, numberOfReplicas: serving.replicas)
        try await client.refresh(generation)
    }

    package func count(_ generation: String) async throws -> Int {
        try await client.count(generation).count
    }

    /// The `_aliases` actions of a swap: both in one request, applied atomically.
    package func swapActions(to generation: String, from old: String?) -> [AliasAction] {
        (old.map { [AliasAction.remove(index: $0, alias: name)] } ?? []) + [.add(index: generation, alias: name)]
    }

    package func swap(to generation: String, from old: String?) async throws {
        try await client.updateAliases(swapActions(to: generation, from: old))
        logger.notice("alias swapped", metadata: ["es.alias": "\(name)", "es.from": "\(old ?? "-")", "es.to": "\(generation)"])
    }

    package func delete(_ generation: String) async throws {
        guard try await live() != generation else {
            throw ElasticsearchIndexError(reason: "\(generation) is live behind \(name): not deleted")
        }
        try await client.deleteIndex(generation)
    }
}
