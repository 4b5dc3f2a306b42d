public import ArgumentParser
import Elasticsearch
import Foundation
package import Logging
import OrdersProjection
import OrdersSearch
package import OrdersStore

/// Options shared by every command that opens the write store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The write store's SQLite file (its folder is created).")
    var db: String = StoreConfiguration.defaultPath

    @Option(
        name: .long,
        help: "full: an acknowledged command survives power loss (default). normal: faster; the last commands may be lost on power loss."
    )
    var durability: StoreConfiguration.Durability = .full

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func open() throws -> EventStore {
        EventStore(database: try openDatabase())
    }

    func openDatabase() throws -> StoreDatabase {
        try StoreDatabase.open(StoreConfiguration(path: db, durability: durability))
    }

    /// Bootstraps logging to standard error once and returns the root logger.
    func makeLogger() -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        return Logger(label: "orders")
    }
}

extension StoreConfiguration.Durability: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Where the read side lives: Elasticsearch when a URL is given (`--es-url` or `ES_URL`), else
/// the embedded index in `--read-db`.
struct ReadOptions: ParsableArguments {
    @Option(name: .long, help: "The embedded read index's SQLite file (separate from the write store).")
    var readDB: String = "data/read.sqlite"

    @Option(
        name: .customLong("es-url"),
        help: ArgumentHelp(
            "Elasticsearch node URL(s), comma-separated (default: $ES_URL). Credentials: ES_USERNAME/ES_PASSWORD or ES_API_KEY; ES_CA_FILE.",
            valueName: "urls"))
    var esURL: String?

    @Option(name: .customLong("es-alias"), help: "The Elasticsearch alias; its indices are <alias>-<n>.")
    var esAlias: String = "orders"

    @Option(help: "The index definition (default: $ORDERS_INDEX_MAPPINGS or index-mappings/orders.json).")
    var indexMappings: String?

    @Option(
        help: ArgumentHelp(
            "The SQLite file holding the projector's checkpoint, dead letters and reindex lock "
                + "(default: data/projection-elasticsearch.sqlite, or <read-db>-state.sqlite beside the embedded index).",
            valueName: "path"))
    var stateDB: String?

    /// The Elasticsearch connection, when one is configured (flag or environment).
    func elasticsearchConfiguration() throws -> ElasticsearchConfiguration? {
        var environment = ProcessInfo.processInfo.environment
        if let esURL { environment["ES_URL"] = esURL }
        do {
            return try ElasticsearchConfiguration.fromEnvironment(environment)
        } catch {
            throw ValidationError("--es-url / ES_URL: \(error)")
        }
    }

    /// The read side these options name.
    func configuration() throws -> ReadSideConfiguration {
        guard let connection = try elasticsearchConfiguration() else {
            return ReadSideConfiguration(index: .embedded(path: readDB), statePath: stateDB)
        }
        guard let path = indexMappings ?? IndexDefinition.defaultPath() else {
            throw ValidationError("index-mappings/orders.json not found: run from the checkout or pass --index-mappings")
        }
        var settings = ElasticsearchSearchIndex.Configuration()
        settings.alias = esAlias
        return ReadSideConfiguration(
            index: .elasticsearch(connection, index: settings, definition: try IndexDefinition(contentsOf: path)), statePath: stateDB)
    }

    /// Opens the read side (its services, the Elasticsearch client, run in the command's
    /// ServiceGroup), warning when `--es-url` carries credentials.
    func open(logger: Logger) throws -> ReadSide {
        let readSide = try ReadSide.open(try configuration(), logger: logger)
        if urlHasCredentials {
            logger.warning(
                """
                --es-url carries credentials, which other users of this machine can read in the process list and the shell \
                history: set ES_USERNAME and ES_PASSWORD, or ES_API_KEY, instead
                """)
        }
        return readSide
    }

    /// Whether `--es-url` names a user or password (which then become basic authentication).
    var urlHasCredentials: Bool {
        guard let esURL else { return false }
        return (try? ElasticsearchConfiguration(urls: esURL))?.authentication != nil
    }
}
