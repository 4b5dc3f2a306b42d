package import CoreMetrics
package import OrdersDomain
import Synchronization

/// Counts commands by name and outcome (`orders_commands_total{command, outcome}`) and times them
/// (`orders_command_duration_seconds{command}`). Metric handles are created once per label set.
package final class MetricsMiddleware: CommandMiddleware {
    /// `ok`, `replayed` (a command id seen before: its first outcome, nothing appended), `refused`
    /// (domain rule or invalid input), `conflict` (concurrency or unique key), `error` (storage).
    enum Outcome: String, CaseIterable { case ok, replayed, refused, conflict, error }

    private struct Handles {
        var counters: [Outcome: Counter]
        var timer: Timer
    }

    private let handles = Mutex<[String: Handles]>([:])

    private let factory: any MetricsFactory

    /// `factory` defaults to the process-wide one bootstrapped by the executable.
    package init(factory: any MetricsFactory = MetricsSystem.factory) { self.factory = factory }

    package func handle(_ command: any Command, context: CommandContext, next: CommandNext) async throws -> CommandResult {
        let start = ContinuousClock.now
        let outcome: Outcome
        defer {
            let handles = handles(for: type(of: command).name)
            handles.counters[outcome]!.increment()
            handles.timer.recordInterval(since: start)
        }
        do {
            let result = try await next(command, context)
            // A command id seen before answers its first outcome and appends nothing.
            outcome = result.replayed ? .replayed : .ok
            return result
        } catch let error as DomainError {
            outcome = .refused
            throw error
        } catch let error as EventStoreError where !error.isStoreFailure {
            outcome = .conflict
            throw error
        } catch {
            outcome = .error
            throw error
        }
    }

    private func handles(for name: String) -> Handles {
        handles.withLock { cache in
            if let handles = cache[name] { return handles }
            let handles = Handles(
                counters: Dictionary(
                    uniqueKeysWithValues: Outcome.allCases.map {
                        ($0, Counter(label: "orders_commands_total", dimensions: [("command", name), ("outcome", $0.rawValue)], factory: factory))
                    }
                ),
                timer: Timer(label: "orders_command_duration_seconds", dimensions: [("command", name)], factory: factory)
            )
            cache[name] = handles
            return handles
        }
    }
}

extension Timer {
    /// Records the time since `start` (on the continuous clock: a measurement, not a deadline).
    package func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
