package import ServiceLifecycle

/// Runs `service` for as long as `body` takes: its `run()` in a child task, cancelled once `body`
/// returns or throws and awaited before this returns. For tests and tools that use a service
/// (an Elasticsearch client) without assembling a `ServiceGroup`.
@discardableResult
package func withRunningService<S: Service, Result>(
    _ service: S, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Void.self, isolation: isolation) { group in
        group.addTask { try await service.run() }
        let result: Result
        do {
            result = try await body()
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
        try await group.waitForAll()
        return result
    }
}
