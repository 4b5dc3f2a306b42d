import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import OrdersAPI
import OrdersProjection
import OrdersStore
import Prometheus

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API and the projector until SIGINT or SIGTERM (Elasticsearch with --es-url or ES_URL, else embedded)."
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Flag(help: "Serve callers without credentials (as writers) even on a non-loopback address or with keys configured.")
    var allowAnonymous = false
    @OptionGroup var jwt: JWTOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var read: ReadOptions

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535, got \(port)") }
    }

    func run() async throws {
        let logger = store.makeLogger()
        // Metrics first: everything created afterwards reports to /metrics.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let database = try store.openDatabase()
        let eventStore = EventStore(database: database)
        let readSide = try read.open(logger: logger)
        // ORDERS_ADMIN_TOKEN stays an admin key; never logged.
        let adminToken = ProcessInfo.processInfo.environment["ORDERS_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let authentication = AuthenticationConfiguration(adminToken: adminToken, jwt: try jwt.configuration(), allowAnonymous: allowAnonymous)
        let configuration = ServerConfiguration(host: host, port: port, authentication: authentication)
        let server: OrdersServer
        do {
            server = try await buildServer(
                store: eventStore, bus: CommandBus.standard(store: eventStore, logger: logger), keys: APIKeys(database: database),
                readSide: readSide, configuration: configuration, registry: registry, logger: logger)
        } catch let error as ServerConfigurationError {
            throw ValidationError(error.description)
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
