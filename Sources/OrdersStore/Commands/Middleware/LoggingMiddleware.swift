import Foundation
import Logging
package import OrdersDomain

/// Logs each command's outcome with dotted metadata keys (`command.name`, `order.id`, ...).
/// Refusals are expected traffic and go to debug; storage failures to warning, a store that
/// cannot write (disk full, read-only) to error.
package struct LoggingMiddleware: CommandMiddleware {
    package init() {}

    package func handle(_ command: any Command, context: CommandContext, next: CommandNext) async throws -> CommandResult {
        // Metadata is attached only when debug logs are on: building it costs more than the
        // rest of this middleware on the hot path.
        guard context.logger.logLevel <= .debug else {
            do {
                return try await next(command, context)
            } catch let error as DomainError {
                throw error
            } catch let error as EventStoreError where !error.isStoreFailure {
                throw error
            } catch let error as EventStoreError where error.code == .storeUnavailable {
                context.logger.error("the store cannot write", metadata: Self.metadata(command, context).merging(["error": "\(error)"]) { $1 })
                throw error
            } catch {
                context.logger.warning("command failed", metadata: Self.metadata(command, context).merging(["error": "\(error)"]) { $1 })
                throw error
            }
        }
        var logger = context.logger
        for (key, value) in Self.metadata(command, context) { logger[metadataKey: key] = value }
        var context = context
        context.logger = logger
        let start = ContinuousClock.now
        do {
            let result = try await next(command, context)
            logger.debug(
                "command handled",
                metadata: [
                    "stream.version": "\(result.streamVersion)", "event.position": "\(result.position)",
                    "command.replayed": "\(result.replayed)", "command.duration_us": "\(Self.micros(since: start))",
                ]
            )
            return result
        } catch let error as DomainError {
            logger.debug(
                "command refused",
                metadata: ["error.code": "\(error.code)", "error.field": "\(error.field ?? "")", "error.message": "\(error.message)"]
            )
            throw error
        } catch let error as EventStoreError where !error.isStoreFailure {
            logger.debug("command conflicted", metadata: ["error.code": "\(error.code)", "error.message": "\(error.message)"])
            throw error
        } catch let error as EventStoreError where error.code == .storeUnavailable {
            logger.error("the store cannot write", metadata: ["error": "\(error)", "command.duration_us": "\(Self.micros(since: start))"])
            throw error
        } catch {
            logger.warning("command failed", metadata: ["error": "\(error)", "command.duration_us": "\(Self.micros(since: start))"])
            throw error
        }
    }

    private static func metadata(_ command: any Command, _ context: CommandContext) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["command.name": "\(type(of: command).name)", "aggregate.id": "\(command.aggregateID)"]
        if let id = context.metadata.commandID { metadata["command.id"] = "\(id)" }
        if let id = context.metadata.correlationID { metadata["correlation.id"] = "\(id)" }
        return metadata
    }

    private static func micros(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
    }
}
