import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import NIOCore
import OrdersSearch
import OrdersStore
import Prometheus

/// Health, readiness, metrics and the API description.
struct OpsRoutes {
    let store: EventStore
    let readModel: OrderReadModel
    let registry: PrometheusCollectorRegistry?
    /// Brings gauges up to date before a scrape (the projection's lag, while a batch is stuck).
    var beforeScrape: @Sendable () async -> Void = {}

    /// `/ready`'s answer: whether the service is ready, and, for a caller allowed the details,
    /// how far the projection is and what is wrong (the problem text names the read side's
    /// nodes: never for anonymous callers).
    struct Readiness: Encodable {
        var status: String
        var headPosition: Int64?
        var projectedPosition: Int64?
        var lagEvents: Int64?
        var indexedOrders: Int?
        var problem: String?
        /// What an operator should act on while the service keeps serving (a mapping drift).
        var warnings: [String]?
        enum CodingKeys: String, CodingKey {
            case status, headPosition = "head_position", projectedPosition = "projected_position", lagEvents = "lag_events"
            case indexedOrders = "indexed_orders", problem, warnings
        }
    }

    func register(on router: some RouterMethods<APIContext>) {
        router.get("/health") { _, _ in try JSONResponse.make(["status": "ok"]) }
        // Details only for callers allowed them: nobody yet (the operators' view is
        // `GET /admin/status`); authentication by role will say who is.
        router.get("/ready") { _, context in
            // Anyone learns ready or not; an admin also what stands behind it.
            let (readiness, status) = try await readiness(detailed: context.identity?.role == .admin && context.identity?.customerID == nil)
            return try JSONResponse.make(readiness, status: status)
        }
        // Metrics are for operators: a reader's credentials (Prometheus sends a bearer token).
        router.group().add(middleware: NotForCustomers()).add(middleware: RequireRole(.reader)).get("/metrics") { _, _ in
            await beforeScrape()
            var bytes: [UInt8] = []
            registry?.emit(into: &bytes)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
        let document = OpenAPIDocument.bytes
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json", .xContentTypeOptions: "nosniff"], body: .init(byteBuffer: document))
        }
    }

    /// Ready (200) when the read index answers, else unavailable (503); `detailed` adds the
    /// positions, the lag, the index's size and warnings, and what failed.
    func readiness(detailed: Bool) async throws -> (Readiness, HTTPResponse.Status) {
        let head = try await store.headPosition()
        let projected = await readModel.progress.acknowledgedPosition
        var readiness = Readiness(status: "ready")
        var status = HTTPResponse.Status.ok
        if detailed {
            readiness.headPosition = head
            readiness.projectedPosition = projected
            readiness.lagEvents = head - projected
        }
        do {
            let indexed = try await readModel.index.stats().documents
            let warnings = try await readModel.index.problems()
            if detailed {
                readiness.indexedOrders = indexed
                readiness.warnings = warnings.isEmpty ? nil : warnings
            }
        } catch {
            readiness.status = "unavailable"
            status = .serviceUnavailable
            if detailed { readiness.problem = "the read index is not reachable: \(error)" }
        }
        return (readiness, status)
    }
}
