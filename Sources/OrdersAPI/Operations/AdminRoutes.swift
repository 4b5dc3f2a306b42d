import Hummingbird
import OrdersProjection
import OrdersStore

/// Operator routes under `/admin`, for the admin role (an admin key, an admin JWT, or
/// `ORDERS_ADMIN_TOKEN`).
struct AdminRoutes {
    let status: @Sendable () async throws -> ReadSideStatus
    let reindex: ReindexRunner?

    func register(on router: some RouterMethods<APIContext>) {
        let admin = router.group("admin").add(middleware: NotForCustomers()).add(middleware: RequireRole(.admin))
        admin.get("status") { _, _ in try JSONResponse.make(try await status()) }
        guard let reindex else { return }
        // Starts (or resumes) a reindex in the background: 202 with its first report; 409 while
        // one runs, here or in another process (`orders reindex`).
        admin.post("reindex") { _, _ in
            do {
                return try JSONResponse.make(try await reindex.start(), status: .accepted)
            } catch let error as ReindexLockError {
                throw APIError(.conflict, code: "reindex_running", error.description)
            } catch let error as ReindexRunner.AlreadyStarting {
                throw APIError(.conflict, code: "reindex_running", error.description)
            }
        }
        admin.get("reindex") { _, _ in try JSONResponse.make(try await reindex.report()) }
    }
}
