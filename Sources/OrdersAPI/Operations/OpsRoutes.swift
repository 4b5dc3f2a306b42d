import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import NIOCore
import OrdersSearch
import OrdersStore
import Prometheus
import Synchronization
import Timing

/// Health, readiness, metrics and the API description.
struct OpsRoutes {
    let store: EventStore
    let readModel: OrderReadModel
    let registry: PrometheusCollectorRegistry?
    let writeProbe: WriteProbe
    /// Brings gauges up to date before a scrape (the projection's lag, while a batch is stuck).
    var beforeScrape: @Sendable () async -> Void = {}

    /// The read side's readiness (`/ready/read`): whether queries can be answered, and, for a
    /// caller allowed the details, what stands behind it (the problem text names the read side's
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

        var httpStatus: HTTPResponse.Status { status == "ready" ? .ok : .serviceUnavailable }

        /// Only ready or not.
        var summary: Readiness { Readiness(status: status) }
    }

    /// The write side's readiness (`/ready`): whether commands can be accepted; in the detailed
    /// answer, the read side's state beside it.
    struct WriteReadiness: Encodable {
        var status: String
        var headPosition: Int64?
        var problem: String?
        var read: Readiness?
        enum CodingKeys: String, CodingKey {
            case status, headPosition = "head_position", problem, read
        }

        var httpStatus: HTTPResponse.Status { status == "ready" ? .ok : .serviceUnavailable }

        /// Only ready or not.
        var summary: Readiness { Readiness(status: status) }
    }

    func register(on router: some RouterMethods<APIContext>) {
        router.get("/health") { _, _ in try JSONResponse.make(["status": "ok"]) }
        // Details only for callers allowed them: nobody yet (the operators' view is
        // `GET /admin/status`); authentication by role will say who is.
        // `/ready`: commands can be accepted (the write store can write). `/ready/read`: queries
        // can be answered (the read index answers). Anyone learns ready or not; an admin also
        // what stands behind it. A load balancer for commands watches the first, one for
        // queries the second: a search outage does not take the write side out, nor a full disk
        // the read side.
        router.get("/ready") { _, context in
            let detailed = context.identity?.role == .admin && context.identity?.customerID == nil
            var readiness = try await writeReadiness()
            guard detailed else { return try JSONResponse.make(readiness.summary, status: readiness.httpStatus) }
            readiness.read = try await readReadiness()
            return try JSONResponse.make(readiness, status: readiness.httpStatus)
        }
        router.get("/ready/read") { _, context in
            let detailed = context.identity?.role == .admin && context.identity?.customerID == nil
            let readiness = try await readReadiness()
            return try JSONResponse.make(detailed ? readiness : readiness.summary, status: readiness.httpStatus)
        }
        // Metrics are for operators: a reader's credentials (Prometheus sends a bearer token).
        router.group().add(middleware: NotForCustomers()).add(middleware: RequireRole(.reader)).get("/metrics") { _, _ in
            await beforeScrape()
            var bytes: [UInt8] = []
            registry?.emit(into: &bytes)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: MetricsHelp.annotate(bytes)))
            )
        }
        let document = OpenAPIDocument.bytes
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json", .xContentTypeOptions: "nosniff"], body: .init(byteBuffer: document))
        }
    }

    /// The write side is ready when its store can write now (`EventStore.probeWrite`, at most
    /// once a second): a full disk or a read-only file system makes it unavailable until a
    /// write succeeds again.
    func writeReadiness() async throws -> WriteReadiness {
        var readiness = WriteReadiness(status: "ready", headPosition: try? await store.headPosition())
        if let problem = await writeProbe.problem() {
            readiness.status = "unavailable"
            readiness.problem = problem
        }
        return readiness
    }

    /// The read side is ready when its index answers; with the positions, the lag, the index's
    /// size and warnings, and what failed.
    func readReadiness() async throws -> Readiness {
        let head = try await store.headPosition()
        let projected = await readModel.progress.acknowledgedPosition
        var readiness = Readiness(status: "ready", headPosition: head, projectedPosition: projected, lagEvents: max(0, head - projected))
        if let halted = await readModel.progress.halted {
            readiness.status = "unavailable"
            readiness.problem = "the projection halted: \(halted)"
            return readiness
        }
        do {
            readiness.indexedOrders = try await readModel.index.stats().documents
            let warnings = try await readModel.index.problems()
            readiness.warnings = warnings.isEmpty ? nil : warnings
        } catch {
            readiness.status = "unavailable"
            readiness.problem = "the read index is not reachable: \(error)"
        }
        return readiness
    }
}

/// Whether the write store can write: not while appends fail for want of space or a writable
/// file system (for at least `hold` after such a failure, however a probe fares), else as a
/// probe write says, made at most once per `interval` (callers in between get the last answer:
/// `/ready` is unauthenticated and never rate limited, so probes must not become a write per
/// request).
final class WriteProbe: Sendable {
    private let store: EventStore
    private let interval: Duration
    private let hold: Duration
    private let elapsed: @Sendable () -> Duration
    private struct State {
        var probedAt: Duration?
        var problem: String?
        /// When `/ready` first saw the current append failure.
        var failureSeenAt: Duration?
    }
    private let state = Mutex(State())

    init(store: EventStore, interval: Duration = .seconds(1), hold: Duration = .seconds(5), clock: any Clock<Duration> = ContinuousClock()) {
        self.store = store
        self.interval = interval
        self.hold = hold
        elapsed = clock.stopwatch()
    }

    /// Nil when the store can write; else why not, in words.
    func problem() async -> String? {
        let now = elapsed()
        let failure = store.lastWriteFailure
        let cached = state.withLock { state -> String?? in
            guard let failure else {
                state.failureSeenAt = nil
                if let probedAt = state.probedAt, now - probedAt < interval { return .some(state.problem) }
                return .none
            }
            let seen = state.failureSeenAt ?? now
            state.failureSeenAt = seen
            if now - seen < hold { return .some("the order store cannot write: \(failure)") }
            if let probedAt = state.probedAt, now - probedAt < interval, probedAt - seen >= hold { return .some(state.problem) }
            return .none
        }
        if let cached { return cached }
        var problem: String?
        do {
            try await store.probeWrite(at: Date())
        } catch {
            problem = "the order store cannot write: \(error.message)"
        }
        state.withLock { state in
            state.probedAt = now
            state.problem = problem
            if problem == nil { state.failureSeenAt = nil }
        }
        return problem
    }
}
