package import Hummingbird
package import Logging
package import OrdersProjection
package import OrdersSearch
package import OrdersStore
package import Prometheus

/// How the HTTP service runs. Every property has a documented default.
package struct ServerConfiguration: Sendable {
    /// Where the API listens. Default 127.0.0.1.
    package var host: String
    /// Default 8080 (0: any free port).
    package var port: Int
    /// How callers authenticate. Default: nobody needs to, as long as the address is loopback
    /// and no key exists.
    package var authentication: AuthenticationConfiguration
    /// Whether this process projects the log into the read side (the projector runs as one of
    /// its services). Default true.
    package var runsProjector: Bool
    /// How the projector batches and retries.
    package var projector: ProjectorConfiguration
    /// The longest a query waits for `min_position`. Default 5 s.
    package var maximumWait: Duration
    /// The longest a client may take to send a request's head (request line and headers), from
    /// opening the connection or from the first byte of its next request: a deadline, not a gap
    /// between bytes. Then the connection is closed. Default 10 s (`--header-timeout`).
    package var headerTimeout: Duration
    /// The longest a kept-alive connection waits for its next request (or a body pauses); then
    /// it is closed. Default 60 s (`--idle-timeout`).
    package var idleTimeout: Duration
    /// The most connections served at once; beyond, a new connection is closed as soon as it is
    /// accepted, while those open keep being served. Default 2,048 (`--max-connections`).
    package var maximumConnections: Int
    /// Requests per caller: a token bucket per identity, or per IP address for anonymous
    /// callers; 429 with `Retry-After` when empty. Default 100 a second, bursts of 200
    /// (`--rate-limit`, `--rate-limit-burst`; 0 turns it off). Bodies stay capped at 64 KiB
    /// (`StrictJSON.maximumBytes`) and heads at 80 KiB (Hummingbird's decoder).
    package var rateLimit: RateLimit

    package init(
        host: String = "127.0.0.1", port: Int = 8080, authentication: AuthenticationConfiguration = .init(), runsProjector: Bool = true,
        projector: ProjectorConfiguration = .init(), maximumWait: Duration = .seconds(5), headerTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60), maximumConnections: Int = 2048, rateLimit: RateLimit = .init()
    ) {
        self.host = host
        self.port = port
        self.authentication = authentication
        self.runsProjector = runsProjector
        self.projector = projector
        self.maximumWait = maximumWait
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
        self.rateLimit = rateLimit
    }

    /// Whether `host` is a loopback address (where zero set-up may serve without credentials).
    package var isLoopback: Bool { ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.") }
}

/// The operator routes (`/admin/...`, for admins): what they report and run.
package struct AdminConfiguration: Sendable {
    package var status: @Sendable () async throws -> ReadSideStatus
    /// Runs `POST /admin/reindex` jobs.
    package var reindex: ReindexRunner?

    package init(reindex: ReindexRunner? = nil, status: @escaping @Sendable () async throws -> ReadSideStatus) {
        self.reindex = reindex
        self.status = status
    }
}

/// A serving process, assembled: the application (routes and services) and its projector.
package struct OrdersServer {
    /// Runs the HTTP server and, in its ServiceGroup, the read side's services (the
    /// Elasticsearch client), the projector, the reindex runner and the key ring; graceful
    /// shutdown stops them in the reverse order.
    package var application: Application<RouterResponder<APIContext>>
    /// The projector (also the query side's `ProjectionProgress`).
    package let projector: Projector
    /// The runner of `POST /admin/reindex`.
    package let reindex: ReindexRunner
    /// Every route the router serves (method and path), as registered: each GET also answers HEAD.
    package let routes: [Router<APIContext>.RouteDescription]
    /// The connections open now, against `maximumConnections`.
    package let connections: ConnectionCount
}

/// A server that cannot start as configured, and why.
package struct ServerConfigurationError: Error, Sendable, CustomStringConvertible {
    package var description: String
}

/// Assembles the serving process from its parts: `orders serve` runs it, the tests drive it.
/// `clock` times the projector's retries, polls and readers' waits; `wallClock` dates what it
/// records and is the time JWTs expire against.
package func buildServer(
    store: EventStore, bus: CommandBus, keys: APIKeys, readSide: ReadSide, configuration: ServerConfiguration,
    registry: PrometheusCollectorRegistry?, clock: any Clock<Duration> = ContinuousClock(), wallClock: any WallClock = SystemWallClock(),
    logger: Logger
) async throws -> OrdersServer {
    let authentication = configuration.authentication
    let keyRing = KeyRing(keys: keys, clock: clock, wallClock: wallClock, logger: logger)
    if !configuration.isLoopback, !authentication.allowAnonymous, !authentication.isConfigured, try await !keyRing.hasKeys() {
        throw ServerConfigurationError(
            description: "serving on \(configuration.host) needs authentication: create a key (`orders keys create --name NAME --role writer`), "
                + "configure JWTs (--jwt-issuer, --jwt-audience with ORDERS_JWT_SECRET or --jwt-jwks), "
                + "or pass --allow-anonymous to serve everyone as before")
    }
    var jwt: JWTVerifier?
    if let configuration = authentication.jwt { jwt = try await JWTVerifier(configuration: configuration, wallClock: wallClock) }
    let authenticator = Authenticator(configuration: authentication, keyRing: keyRing, jwt: jwt, loopback: configuration.isLoopback)
    let projector = readSide.projector(store: store, configuration: configuration.projector, clock: clock, wallClock: wallClock, logger: logger)
    let readModel = OrderReadModel(index: readSide.index, progress: projector, maximumWait: configuration.maximumWait)
    let reindex = ReindexRunner(reindexer: readSide.reindexer(store: store, clock: clock, wallClock: wallClock, logger: logger))
    let admin = AdminConfiguration(reindex: reindex) { try await readSide.status(store: store, now: wallClock.now()) }
    let rateLimiter = RateLimiter(limit: configuration.rateLimit, clock: clock)
    let router = buildRouter(
        bus: bus, store: store, readModel: readModel, registry: registry, authenticator: authenticator, rateLimiter: rateLimiter, admin: admin,
        clock: clock, beforeScrape: { try? await projector.recordLag() })
    let connections = ConnectionCount(maximum: configuration.maximumConnections)
    // As registered: the HEAD of every GET is generated when the application builds the router.
    let routes = router.routes
    var application = Application(
        router: router, server: configuration.httpServer(connections: connections, logger: logger),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port)), logger: logger)
    // Started in this order, stopped in the reverse: the client outlives what uses it.
    application.addServices(readSide.services)
    if configuration.runsProjector { application.addServices(ServingProjector(projector, logger: logger)) }
    application.addServices(reindex, keyRing)
    return OrdersServer(application: application, projector: projector, reindex: reindex, routes: routes, connections: connections)
}

/// The router alone. Who may call what:
/// `/health`, `/ready` and `/openapi.json` anyone; queries, analytics, the dashboard and
/// `/metrics` readers; commands writers; `/admin` admins. A customer-scoped caller sees its
/// own orders only, and nothing else exists for it. Every caller is rate limited, except on
/// `/health` and `/ready`.
package func buildRouter(
    bus: CommandBus, store: EventStore, readModel: OrderReadModel, registry: PrometheusCollectorRegistry?, authenticator: Authenticator,
    rateLimiter: RateLimiter, admin: AdminConfiguration, clock: any Clock<Duration> = ContinuousClock(),
    beforeScrape: @escaping @Sendable () async -> Void = {}
) -> Router<APIContext> {
    let router = Router(context: APIContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: authenticator)
    router.add(middleware: rateLimiter)
    router.add(middleware: JSONContentTypeMiddleware())
    OpsRoutes(store: store, readModel: readModel, registry: registry, writeProbe: WriteProbe(store: store, clock: clock), beforeScrape: beforeScrape)
        .register(on: router)
    let readers = router.group().add(middleware: RequireRole(.reader))
    QueryRoutes(readModel: readModel).register(on: readers)
    let shopReaders = readers.group().add(middleware: NotForCustomers())
    AnalyticsRoutes(readModel: readModel).register(on: shopReaders)
    DashboardRoutes(readModel: readModel).register(on: shopReaders)
    CommandRoutes(bus: bus).register(on: router.group().add(middleware: RequireRole(.writer)))
    AdminRoutes(status: admin.status, reindex: admin.reindex).register(on: router)
    // Last, after every route: it sees only the requests no route took.
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
    return router
}
