import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OrdersSearch
import OrdersStore
import Prometheus

/// Health, readiness, metrics and the API description.
struct OpsRoutes {
    let store: EventStore
    let readModel: OrderReadModel
    let registry: PrometheusCollectorRegistry?

    struct Readiness: Encodable {
        var status: String
        var headPosition: Int64
        var projectedPosition: Int64
        var lagEvents: Int64
        var indexedOrders: Int?
        var problem: String?
        /// What an operator should act on while the service keeps serving (a mapping drift).
        var warnings: [String]?
        enum CodingKeys: String, CodingKey {
            case status, headPosition = "head_position", projectedPosition = "projected_position", lagEvents = "lag_events"
            case indexedOrders = "indexed_orders", problem, warnings
        }
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/health") { _, _ in try JSONResponse.make(["status": "ok"]) }
        router.get("/ready") { _, _ in
            let head = try await store.headPosition()
            let projected = await readModel.progress.acknowledgedPosition
            var readiness = Readiness(status: "ready", headPosition: head, projectedPosition: projected, lagEvents: head - projected)
            do {
                readiness.indexedOrders = try await readModel.index.stats().documents
                let warnings = try await readModel.index.problems()
                readiness.warnings = warnings.isEmpty ? nil : warnings
            } catch {
                readiness.status = "unavailable"
                readiness.problem = "the read index is not reachable: \(error)"
                return try JSONResponse.make(readiness, status: .serviceUnavailable)
            }
            return try JSONResponse.make(readiness)
        }
        router.get("/metrics") { _, _ in
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
}
