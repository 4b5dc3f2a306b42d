import Hummingbird
import OrdersProjection

/// Operator routes under `/admin`, behind `Authorization: Bearer <ORDERS_ADMIN_TOKEN>`. They are
/// not registered at all when no token is configured.
struct AdminRoutes {
    let token: String
    let status: @Sendable () async throws -> ReadSideStatus
    let reindex: ReindexRunner?

    func register(on router: Router<BasicRequestContext>) {
        let admin = router.group("admin").add(middleware: BearerTokenMiddleware(token: token))
        admin.get("status") { _, _ in try JSONResponse.make(try await status()) }
        guard let reindex else { return }
        // Starts (or resumes) a reindex in the background: 202 with its first report; 409 while
        // one runs, here or in another process (`orders reindex`).
        admin.post("reindex") { _, _ in
            do {
                return try JSONResponse.make(try await reindex.start(), status: .accepted)
            } catch let error as ReindexLockError {
                throw APIError(.conflict, code: "reindex_running", error.description)
            }
        }
        admin.get("reindex") { _, _ in try JSONResponse.make(try await reindex.report()) }
    }
}

/// Lets a request through only with the configured bearer token (compared in constant time).
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]

    init(token: String) { self.token = Array(token.utf8) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            Self.constantTimeEquals(Array(header.utf8.dropFirst(7)), token)
        else {
            throw APIError(.unauthorized, code: "unauthorized", "send Authorization: Bearer <ORDERS_ADMIN_TOKEN>")
        }
        return try await next(request, context)
    }

    /// Equal bytes, in a time that depends only on the lengths.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
