import Foundation
import Logging
package import OrdersProjection
package import OrdersSearch
package import OrdersStore
package import OrdersTestSupport
import ServiceLifecycle
import Timing

extension ReadSide {
    /// The embedded read side `<name>.sqlite` in the test store's folder, opened as the service
    /// opens one (its state beside it: `<name>-state.sqlite`).
    package static func embedded(in t: TestStore, name: String = "read") throws -> ReadSide {
        try ReadSide.open(.embedded(path: t.directory.appendingPathComponent("\(name).sqlite").path), logger: Logger(label: "read-side"))
    }

    /// Batches of 97 events and retries after 1 to 5 ms: small batches, quick tests.
    package static let fastProjection = ProjectorConfiguration(
        batchEvents: 97, retry: Backoff(baseDelay: .milliseconds(1), maximumDelay: .milliseconds(5)))

    /// This read side's projector over the test store, with `fastProjection`, its clocks the
    /// given ones (the test store's wall clock by default).
    package func projector(
        _ t: TestStore, configuration: ProjectorConfiguration = ReadSide.fastProjection, clock: any Clock<Duration> = ContinuousClock(),
        wallClock: (any WallClock)? = nil
    ) -> Projector {
        projector(store: t.store, configuration: configuration, clock: clock, wallClock: wallClock ?? t.clock, logger: Logger(label: "projector"))
    }

    /// The same, writing through `index` (a fault-injecting wrapper of this read side's index).
    package func projector(
        _ t: TestStore, writingThrough index: any SearchIndexWriter, configuration: ProjectorConfiguration = ReadSide.fastProjection,
        clock: any Clock<Duration> = ContinuousClock(), wallClock: (any WallClock)? = nil
    ) -> Projector {
        var configuration = configuration
        configuration.checkpointName = checkpointName
        let context = context(store: t.store, clock: clock, wallClock: wallClock ?? t.clock, logger: Logger(label: "projector"))
        return Projector(context: context, index: index, configuration: configuration)
    }
}

/// Waits (yielding, never sleeping) until `condition` holds.
package func eventually(_ condition: @Sendable () async throws -> Bool) async rethrows {
    while try await !condition() { await Task.yield() }
}

extension ReadSide {
    /// Runs `body` while this read side's services run (the Elasticsearch client), and stops
    /// them afterwards, as a command's ServiceGroup does.
    package func withServices<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services { group.addTask { try await service.run() } }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}
