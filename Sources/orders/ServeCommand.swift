import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import OrdersAPI
import OrdersProjection
import OrdersStore
import Prometheus
import Timing

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API and the projector until SIGINT or SIGTERM (Elasticsearch with --es-url or ES_URL, else embedded)."
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Take a verified online backup of the store into this folder on a schedule (--backup-every).")
    var backupDir: String?
    @Option(help: "How often to back up with --backup-dir: seconds, or with a unit (90s, 30m, 1h, 1d).")
    var backupEvery: BackupInterval = BackupInterval(duration: .seconds(3600), text: "1h")
    @Option(help: "How many scheduled backups to keep in --backup-dir (the oldest are deleted).") var backupKeep = 24
    @Flag(help: "Serve callers without credentials (as writers) even on a non-loopback address or with keys configured.")
    var allowAnonymous = false
    @Option(help: "Seconds a client has to send a request's headers, from connecting or from the first byte of its next request.")
    var headerTimeout = Self.defaults.headerTimeout.inSeconds
    @Option(help: "Seconds a kept-alive connection may wait for its next request.")
    var idleTimeout = Self.defaults.idleTimeout.inSeconds
    @Option(help: "The most connections served at once; beyond, new connections are closed at once.")
    var maxConnections = Self.defaults.maximumConnections
    @Option(help: "Requests a second per caller (API key, token, or IP address without one); 0 turns rate limits off.")
    var rateLimit = Self.defaults.rateLimit.requestsPerSecond
    @Option(help: "Requests a caller may make at once after being idle.")
    var rateLimitBurst = Self.defaults.rateLimit.burst
    @OptionGroup var jwt: JWTOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var read: ReadOptions

    private static let defaults = ServerConfiguration()

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535, got \(port)") }
        for (name, seconds) in [("--header-timeout", headerTimeout), ("--idle-timeout", idleTimeout)] where !(seconds > 0 && seconds <= 86400) {
            throw ValidationError("\(name) must be a number of seconds above 0 and at most 86400, got \(seconds)")
        }
        guard backupKeep >= 1 else { throw ValidationError("--backup-keep must be at least 1, got \(backupKeep)") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1, got \(maxConnections)") }
        guard rateLimit >= 0, rateLimit.isFinite else { throw ValidationError("--rate-limit must be 0 (off) or more, got \(rateLimit)") }
        guard rateLimit == 0 || rateLimitBurst >= 1 else { throw ValidationError("--rate-limit-burst must be at least 1, got \(rateLimitBurst)") }
    }

    func run() async throws {
        // Before anything is created or logged as serving.
        try ListenProbe.check(host: host, port: port)
        let logger = store.makeLogger()
        // Metrics first: everything created afterwards reports to /metrics.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let database = try store.openDatabase()
        let eventStore = EventStore(database: database)
        let readSide = try read.open(logger: logger, besides: store.db)
        try await readSide.bind(to: eventStore)
        // ORDERS_ADMIN_TOKEN stays an admin key; never logged.
        let adminToken = ProcessInfo.processInfo.environment["ORDERS_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let authentication = AuthenticationConfiguration(adminToken: adminToken, jwt: try jwt.configuration(), allowAnonymous: allowAnonymous)
        let configuration = ServerConfiguration(
            host: host, port: port, authentication: authentication, headerTimeout: .seconds(headerTimeout), idleTimeout: .seconds(idleTimeout),
            maximumConnections: maxConnections, rateLimit: RateLimit(requestsPerSecond: rateLimit, burst: rateLimitBurst))
        // Every connection takes a descriptor: make room for the cap and the server's own files.
        let openFiles = OpenFileLimit.raise(toAtLeast: maxConnections + 256)
        if openFiles < maxConnections + 64 {
            logger.warning(
                "the open-file limit is below --max-connections: connections beyond it fail to be accepted",
                metadata: ["process.open_files_limit": "\(openFiles)", "http.connections.maximum": "\(maxConnections)"])
        }
        let built: OrdersServer
        do {
            built = try await buildServer(
                store: eventStore, bus: CommandBus.standard(store: eventStore, logger: logger), keys: APIKeys(database: database),
                readSide: readSide, configuration: configuration, registry: registry, logger: logger)
        } catch let error as ServerConfigurationError {
            throw ValidationError(error.description)
        }
        var server = built
        if let backupDir {
            server.application.addServices(
                BackupSchedule(
                    database: database, configuration: .init(directory: backupDir, interval: backupEvery.duration, keep: backupKeep),
                    logger: logger))
        }
        if allowAnonymous {
            logger.warning(
                "serving callers without credentials (--allow-anonymous): anyone who reaches the port can read and change orders",
                metadata: ["http.address": "\(host):\(port)"])
        }
        logger.info(
            "serving",
            metadata: [
                "http.address": "\(host):\(port)", "store.path": "\(store.db)", "read.index": "\(readSide.location)",
                "auth.admin_token": "\(adminToken == nil ? "off" : "on")", "auth.jwt": "\(authentication.jwt == nil ? "off" : "on")",
                "http.header_timeout_s": "\(headerTimeout)", "http.idle_timeout_s": "\(idleTimeout)", "http.connections.maximum": "\(maxConnections)",
                "http.rate_limit": "\(rateLimit == 0 ? "off" : "\(rateLimit)/s, burst \(rateLimitBurst)")",
            ])
        // SIGINT and SIGTERM shut the server, the projector and the read side's client down gracefully.
        try await server.application.runService()
    }
}

/// Where JWTs come from: the shop's identity provider. Off unless an issuer is given.
struct JWTOptions: ParsableArguments {
    @Option(help: "Accept JWTs with this issuer (iss). Needs --jwt-audience and ORDERS_JWT_SECRET (HS256) or --jwt-jwks.")
    var jwtIssuer: String?
    @Option(help: "The audience (aud) the JWTs must include.")
    var jwtAudience: String?
    @Option(help: "A JWKS file with the provider's RS256/ES256 public keys.")
    var jwtJwks: String?
    @Option(help: "The claim naming the role: reader, writer or admin.")
    var jwtRoleClaim = "role"
    @Option(help: "The claim scoping a token to one customer's orders.")
    var jwtCustomerClaim = "customer_id"

    /// The JWT configuration, nil when JWTs are off. The HS256 secret comes from
    /// `ORDERS_JWT_SECRET` only (never from the command line, where `ps` shows it).
    func configuration() throws -> JWTConfiguration? {
        let secret = ProcessInfo.processInfo.environment["ORDERS_JWT_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        guard let jwtIssuer else {
            if jwtAudience != nil || jwtJwks != nil { throw ValidationError("--jwt-issuer is needed with --jwt-audience and --jwt-jwks") }
            return nil
        }
        guard let jwtAudience else { throw ValidationError("--jwt-audience is needed with --jwt-issuer") }
        guard secret != nil || jwtJwks != nil else { throw ValidationError("JWTs need ORDERS_JWT_SECRET (HS256) or --jwt-jwks (RS256/ES256)") }
        let jwks: String?
        do {
            jwks = try jwtJwks.map { try String(contentsOfFile: $0, encoding: .utf8) }
        } catch {
            throw ValidationError("--jwt-jwks: cannot read \(jwtJwks ?? ""): \(error.localizedDescription)")
        }
        return JWTConfiguration(
            hs256Secret: secret, jwks: jwks, issuer: jwtIssuer, audience: jwtAudience, roleClaim: jwtRoleClaim, customerClaim: jwtCustomerClaim)
    }
}

/// `--backup-every`: whole seconds, or a number with a unit (s, m, h, d).
struct BackupInterval: ExpressibleByArgument, Sendable {
    var duration: Duration
    var text: String

    init(duration: Duration, text: String) {
        self.duration = duration
        self.text = text
    }

    init?(argument: String) {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var digits = Substring(argument)
        var unit: Int64 = 1
        if let last = argument.last, let seconds = units[last] {
            unit = seconds
            digits = digits.dropLast()
        }
        guard let count = Int64(digits), count > 0, count <= 366 * 86400 / unit else { return nil }
        self.init(duration: .seconds(count * unit), text: argument)
    }

    var defaultValueDescription: String { text }
}
