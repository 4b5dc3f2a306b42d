package import CoreMetrics
package import Logging

extension CommandBus {
    /// The bus the service uses: every command's handler behind logging, metrics and validation
    /// middleware (outermost first).
    package static func standard(
        store: EventStore, clock: any WallClock = SystemWallClock(), logger: Logger, maximumAttempts: Int = 5, cacheCapacity: Int = 50_000,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) -> CommandBus {
        let repository = AggregateRepository(store: store, maximumAttempts: maximumAttempts, cacheCapacity: cacheCapacity)
        var handlers = CommandHandlers()
        OrderHandlers.register(in: &handlers, repository: repository)
        CustomerHandlers.register(in: &handlers, repository: repository)
        ProductHandlers.register(in: &handlers, repository: repository)
        return CommandBus(
            handlers: handlers, middleware: [LoggingMiddleware(), MetricsMiddleware(factory: metrics), ValidationMiddleware()], clock: clock,
            logger: logger
        )
    }
}
