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
    /// The bearer token of the operator routes (`/admin/...`); without one they do not exist.
    /// Default none.
    package var adminToken: String?
    /// Whether this process projects the log into the read side (the projector runs as one of
    /// its services). Default true.
    package var runsProjector: Bool
    /// How the projector batches and retries.
    package var projector: ProjectorConfiguration
    /// The longest a query waits for `min_position`. Default 5 s.
    package var maximumWait: Duration

    package init(
        host: String = "127.0.0.1", port: Int = 8080, adminToken: String? = nil, runsProjector: Bool = true,
        projector: ProjectorConfiguration = .init(), maximumWait: Duration = .seconds(5)
    ) {
        self.host = host
        self.port = port
        self.adminToken = adminToken
        self.runsProjector = runsProjector
        self.projector = projector
        self.maximumWait = maximumWait
    }
}

/// The operator routes (`/admin/...`): their bearer token and what they report. Without one,
/// the routes do not exist.
package struct AdminConfiguration: Sendable {
    package var token: String
    package var status: @Sendable () async throws -> ReadSideStatus
    /// Runs `POST /admin/reindex` jobs (the routes exist only with one).
    package var reindex: ReindexRunner?

    package init(token: String, reindex: ReindexRunner? = nil, status: @escaping @Sendable () async throws -> ReadSideStatus) {
        self.token = token
        self.reindex = reindex
        self.status = status
    }
}

/// A serving process, assembled: the application (routes and services) and its projector.
package struct OrdersServer {
    /// Runs the HTTP server and, in its ServiceGroup, the read side's services (the
    /// Elasticsearch client), the projector and the reindex runner; graceful shutdown stops them
    /// in the reverse order.
    package var application: Application<RouterResponder<BasicRequestContext>>
    /// The projector (also the query side's `ProjectionProgress`).
    package let projector: Projector
    /// The runner of `POST /admin/reindex` (only with an admin token).
    package let reindex: ReindexRunner?
    /// Every route the router serves (method and path), as registered: each GET also answers HEAD.
    package let routes: [Router<BasicRequestContext>.RouteDescription]
}

/// Assembles the serving process from its parts: `orders serve` runs it, the tests drive it.
/// `clock` times the projector's retries, polls and readers' waits; `wallClock` dates what it records.
package func buildServer(
    store: EventStore, bus: CommandBus, readSide: ReadSide, configuration: ServerConfiguration, registry: PrometheusCollectorRegistry?,
    clock: any Clock<Duration> = ContinuousClock(), wallClock: any WallClock = SystemWallClock(), logger: Logger
) -> OrdersServer {
    let projector = readSide.projector(store: store, configuration: configuration.projector, clock: clock, wallClock: wallClock, logger: logger)
    let readModel = OrderReadModel(index: readSide.index, progress: projector, maximumWait: configuration.maximumWait)
    let admin = configuration.adminToken.flatMap { $0.isEmpty ? nil : $0 }.map { token in
        AdminConfiguration(
            token: token,
            reindex: ReindexRunner(reindexer: readSide.reindexer(store: store, clock: clock, wallClock: wallClock, logger: logger))
        ) {
            try await readSide.status(store: store, now: wallClock.now())
        }
    }
    let router = buildRouter(bus: bus, store: store, readModel: readModel, registry: registry, admin: admin)
    // As registered: the HEAD of every GET is generated when the application builds the router.
    let routes = router.routes
    var application = Application(
        router: router, configuration: .init(address: .hostname(configuration.host, port: configuration.port)), logger: logger)
    // Started in this order, stopped in the reverse: the client outlives what uses it.
    application.addServices(readSide.services)
    if configuration.runsProjector { application.addServices(projector) }
    if let reindex = admin?.reindex { application.addServices(reindex) }
    return OrdersServer(application: application, projector: projector, reindex: admin?.reindex, routes: routes)
}

/// The router alone (what HummingbirdTesting's `.router` framework drives).
package func buildRouter(
    bus: CommandBus, store: EventStore, readModel: OrderReadModel, registry: PrometheusCollectorRegistry?, admin: AdminConfiguration? = nil
) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: JSONContentTypeMiddleware())
    CommandRoutes(bus: bus).register(on: router)
    QueryRoutes(readModel: readModel).register(on: router)
    AnalyticsRoutes(readModel: readModel).register(on: router)
    DashboardRoutes(readModel: readModel).register(on: router)
    OpsRoutes(store: store, readModel: readModel, registry: registry).register(on: router)
    if let admin, !admin.token.isEmpty { AdminRoutes(token: admin.token, status: admin.status, reindex: admin.reindex).register(on: router) }
    // Last, after every route: it sees only the requests no route took.
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
    return router
}
