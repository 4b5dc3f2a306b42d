public import ArgumentParser
import Elasticsearch
import Foundation
package import Logging
import OrdersProjection
import OrdersSearch
package import OrdersStore

/// Options shared by every command that opens the write store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The write store's SQLite file (commands that write create it and its folder).")
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

    /// `hold`: one this process has already (a restore's exclusive one).
    func openDatabase(hold: StoreHold? = nil) throws -> StoreDatabase {
        try StoreDatabase.open(StoreConfiguration(path: db, durability: durability), hold: hold)
    }

    /// Opens the write store for a command that only reads it: a store that is not there is
    /// an error, never created (with its folder) and reported as empty.
    func openExisting() throws -> EventStore {
        guard FileManager.default.fileExists(atPath: db) else { throw MissingStore(what: "event store", path: db, flag: "--db") }
        return try open()
    }

    /// Bootstraps logging to standard error once and returns the root logger. With a status
    /// line (a progress bar on a terminal), log lines are written above it.
    func makeLogger(above statusLine: StatusLine? = nil) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = statusLine.map { StreamLogHandler(label: label, stream: $0.stream) } ?? StreamLogHandler.standardError(label: label)
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
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The embedded read index's SQLite file (default: read.sqlite beside --db, so that each event store has its own).",
            valueName: "path"))
    var readDB: String?

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
                + "(default: projection-elasticsearch.sqlite beside --db, or <read-db>-state.sqlite beside the embedded index).",
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

    /// `path` in the folder of the event store at `db`.
    static func beside(_ db: String, _ name: String) -> String {
        URL(fileURLWithPath: db).deletingLastPathComponent().appendingPathComponent(name).relativePath
    }

    /// The read side these options name, for the event store at `db` (whose folder holds the
    /// defaults: each event store gets its own read side).
    func configuration(besides db: String = StoreConfiguration.defaultPath) throws -> ReadSideConfiguration {
        guard let connection = try elasticsearchConfiguration() else {
            return ReadSideConfiguration(index: .embedded(path: readDB ?? Self.beside(db, "read.sqlite")), statePath: stateDB)
        }
        guard let path = indexMappings ?? IndexDefinition.defaultPath() else {
            throw ValidationError("index-mappings/orders.json not found: run from the checkout or pass --index-mappings")
        }
        var settings = ElasticsearchSearchIndex.Configuration()
        settings.alias = esAlias
        return ReadSideConfiguration(
            index: .elasticsearch(connection, index: settings, definition: try IndexDefinition(contentsOf: path)),
            statePath: stateDB ?? Self.beside(db, "projection-elasticsearch.sqlite"))
    }

    /// Opens the read side (its services, the Elasticsearch client, run in the command's
    /// ServiceGroup), warning when `--es-url` carries credentials.
    func open(logger: Logger, besides db: String = StoreConfiguration.defaultPath) throws -> ReadSide {
        let readSide = try ReadSide.open(try configuration(besides: db), logger: logger)
        if urlHasCredentials {
            logger.warning(
                """
                --es-url carries credentials, which other users of this machine can read in the process list and the shell \
                history: set ES_USERNAME and ES_PASSWORD, or ES_API_KEY, instead
                """)
        }
        return readSide
    }

    /// Opens the read side for a command that only reads it: a missing embedded index is an
    /// error, never created (Elasticsearch answers for itself).
    func openExisting(logger: Logger, besides db: String = StoreConfiguration.defaultPath) throws -> ReadSide {
        let configuration = try configuration(besides: db)
        if case .embedded(let path) = configuration.index, !Self.exists(path) {
            throw MissingStore(what: "read index", path: path, flag: "--read-db")
        }
        return try open(logger: logger, besides: db)
    }

    /// Whether an embedded read index is at `path` (its link, even one pointing at a generation
    /// not there).
    static func exists(_ path: String) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil || FileManager.default.fileExists(atPath: path)
    }

    /// Whether `--es-url` names a user or password (which then become basic authentication).
    var urlHasCredentials: Bool {
        guard let esURL else { return false }
        return (try? ElasticsearchConfiguration(urls: esURL))?.authentication != nil
    }
}

/// A command that only reads was pointed at a store that does not exist.
struct MissingStore: Error, CustomStringConvertible {
    var what: String
    var path: String
    var flag: String

    var description: String {
        let create =
            flag == "--db"
            ? "`orders seed` or `orders serve` creates one" : "`orders project --once` or `orders serve` builds one from the event store"
        return "no \(what) at \(path) (a command that only reads creates nothing): pass \(flag) with its path, or \(create)"
    }
}
