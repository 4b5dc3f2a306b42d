import Hummingbird
import Logging
import OrdersDomain
import OrdersSearch

/// Renders every failure in the API's one error shape: domain refusals by their code, the
/// router's own errors (no such route) by their status, a read side that cannot answer now as a
/// 503, anything unexpected as a 500; the last two are logged with their details and say
/// nothing internal. A `HEAD` gets what the `GET` would answer, errors included, without the body.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .head else { return try await respond(request, context: context, next: next) }
        do {
            return try await respond(request, context: context, next: next).createHeadResponse()
        } catch let error as APIError {
            return try error.response(from: request, context: context).createHeadResponse()
        }
    }

    private func respond(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as DomainError {
            throw APIError(error)
        } catch let error as ReadSideUnavailable {
            context.logger.warning("read side unavailable", metadata: failureMetadata(request, error))
            throw APIError(error)
        } catch let error as HTTPError {
            throw APIError(error.status, code: error.status == .notFound ? "no_such_route" : "http_error", error.body ?? error.status.reasonPhrase)
        } catch {
            context.logger.error("request failed", metadata: failureMetadata(request, error))
            throw APIError(.internalServerError, code: "internal", "the request failed on the server")
        }
    }
}

/// What to log of a request that failed.
func failureMetadata(_ request: Request, _ error: any Error) -> Logger.Metadata {
    ["http.method": "\(request.method)", "http.path": "\(request.uri.path)", "error": "\(error)"]
}
