public import Hummingbird
public import Logging
public import OrdersProjection
public import OrdersStore
public import Prometheus

/// Where the API listens.
public struct APIConfiguration: Sendable {
    /// Default 127.0.0.1.
    public var host: String
    /// Default 8080.
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }
}

/// The operator routes (`/admin/...`): their bearer token and what they report. Without one,
/// the routes do not exist.
public struct AdminConfiguration: Sendable {
    public var token: String
    public var status: @Sendable () async throws -> ReadSideStatus
    /// Runs `POST /admin/reindex` jobs (the routes exist only with one).
    public var reindex: ReindexRunner?

    public init(token: String, reindex: ReindexRunner? = nil, status: @escaping @Sendable () async throws -> ReadSideStatus) {
        self.token = token
        self.reindex = reindex
        self.status = status
    }
}

/// The HTTP application: command routes over the bus, query routes over the read model, and
/// operational routes; the projector runs beside the server in the same ServiceGroup. Tests
/// build it the same way.
public func buildApplication(
    bus: CommandBus, store: EventStore, readModel: OrderReadModel, registry: PrometheusCollectorRegistry?, configuration: APIConfiguration,
    logger: Logger, runProjector: Bool = true, admin: AdminConfiguration? = nil
) -> some ApplicationProtocol {
    let router = buildRouter(bus: bus, store: store, readModel: readModel, registry: registry, admin: admin)
    var application = Application(
        router: router, configuration: .init(address: .hostname(configuration.host, port: configuration.port)), logger: logger
    )
    if runProjector { application.addServices(ProjectorService(projector: readModel.projector)) }
    return application
}

/// The router alone (what HummingbirdTesting's `.router` framework drives).
public func buildRouter(
    bus: CommandBus, store: EventStore, readModel: OrderReadModel, registry: PrometheusCollectorRegistry?, admin: AdminConfiguration? = nil
) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    CommandRoutes(bus: bus).register(on: router)
    QueryRoutes(readModel: readModel).register(on: router)
    AnalyticsRoutes(readModel: readModel).register(on: router)
    DashboardRoutes(readModel: readModel).register(on: router)
    OpsRoutes(store: store, readModel: readModel, registry: registry).register(on: router)
    if let admin, !admin.token.isEmpty { AdminRoutes(token: admin.token, status: admin.status, reindex: admin.reindex).register(on: router) }
    return router
}
