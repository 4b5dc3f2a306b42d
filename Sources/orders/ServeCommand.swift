import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import OrdersAPI
import OrdersProjection
import OrdersStore
import Prometheus

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API and the projector until SIGINT or SIGTERM (Elasticsearch with --es-url or ES_URL, else embedded)."
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @OptionGroup var store: StoreOptions
    @OptionGroup var read: ReadOptions

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535, got \(port)") }
    }

    func run() async throws {
        let logger = store.makeLogger()
        // Metrics first: everything created afterwards reports to /metrics.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let eventStore = try store.open()
        let readSide = try read.open(logger: logger)
        // Operator routes only with a token (ORDERS_ADMIN_TOKEN); never logged.
        let token = ProcessInfo.processInfo.environment["ORDERS_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let server = buildServer(
            store: eventStore, bus: CommandBus.standard(store: eventStore, logger: logger), readSide: readSide,
            configuration: ServerConfiguration(host: host, port: port, adminToken: token), registry: registry, logger: logger)
        logger.info(
            "serving",
            metadata: [
                "http.address": "\(host):\(port)", "store.path": "\(store.db)", "read.index": "\(readSide.location)",
                "admin.routes": "\(token == nil ? "off" : "on")",
            ])
        // SIGINT and SIGTERM shut the server, the projector and the read side's client down gracefully.
        try await server.application.runService()
    }
}
