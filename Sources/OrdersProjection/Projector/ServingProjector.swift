package import Logging
import OrdersSearch
import ServiceLifecycle

/// The projector as `orders serve` runs it: a halt (a hole in the log, a read side of another
/// store or ahead of the log) stops the projection, not the server. Commands go on being
/// accepted and queries answer what is projected, while `/ready/read` and `orders status` say
/// why the read side is not ready; the halt is logged once, critical. (`orders project` runs the
/// projector itself, and exits on a halt.)
package struct ServingProjector: Service {
    let projector: Projector
    let logger: Logger

    package init(_ projector: Projector, logger: Logger) {
        self.projector = projector
        self.logger = logger
    }

    package func run() async throws {
        do {
            try await projector.run()
        } catch let error as ProjectionError {
            try await halt(error.description)
        } catch let error as ReadSideOfAnotherStore {
            try await halt(error.description)
        }
    }

    private func halt(_ reason: String) async throws {
        await projector.markHalted(reason)
        logger.critical(
            "the projection halted; commands are still accepted, and /ready/read reports the read side unavailable until it is mended",
            metadata: ["error": "\(reason)"])
        // Until the server stops.
        try? await gracefulShutdown()
    }
}
