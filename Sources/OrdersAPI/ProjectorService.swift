public import OrdersProjection
public import ServiceLifecycle

/// The projector as a service of the application's ServiceGroup: it stops at graceful shutdown
/// (the checkpoint only ever moves after a batch is stored, so stopping anywhere loses nothing).
public struct ProjectorService: Service {
    public let projector: Projector
    public let pollInterval: Duration

    public init(projector: Projector, pollInterval: Duration = .seconds(1)) {
        self.projector = projector
        self.pollInterval = pollInterval
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await projector.run(pollInterval: pollInterval)
        }
    }
}
