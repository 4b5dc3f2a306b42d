import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Runs `work` beside `services` (the read side's Elasticsearch client) in one ServiceGroup that
/// SIGINT and SIGTERM shut down gracefully: the work sees a graceful shutdown
/// (`cancelWhenGracefulShutdown`), and when it ends the services are shut down too. Returns
/// what the work returned, or throws what it threw.
func withServices<T: Sendable>(_ services: [any Service], logger: Logger, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    let work = Work(body: work)
    let group = ServiceGroup(
        configuration: ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) } + [
                .init(service: work, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
    do {
        try await group.run()
    } catch {
        // A service failed before the work ended: that is the error to report.
        guard work.outcome != nil else { throw error }
    }
    guard let outcome = work.outcome else { throw CancellationError() }
    return try outcome.get()
}

/// A one-shot piece of work as a service; it keeps its outcome for `withServices`.
private final class Work<T: Sendable>: Service, Sendable {
    private let body: @Sendable () async throws -> T
    private let result = Mutex<Result<T, any Error>?>(nil)

    init(body: @escaping @Sendable () async throws -> T) { self.body = body }

    var outcome: Result<T, any Error>? { result.withLock { $0 } }

    func run() async throws {
        do {
            let value = try await body()
            result.withLock { $0 = .success(value) }
        } catch {
            result.withLock { $0 = .failure(error) }
            throw error
        }
    }
}
