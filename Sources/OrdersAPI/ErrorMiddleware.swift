import Hummingbird
import Logging
import OrdersDomain

/// Renders every failure in the API's one error shape: domain refusals by their code, the
/// router's own errors (no such route) by their status, anything unexpected as a 500 that is
/// logged with its details and says nothing internal. A `HEAD` gets what the `GET` would answer,
/// errors included, without the body.
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
        } catch let error as HTTPError {
            throw APIError(error.status, code: error.status == .notFound ? "no_such_route" : "http_error", error.body ?? error.status.reasonPhrase)
        } catch {
            context.logger.error(
                "request failed", metadata: ["http.method": "\(request.method)", "http.path": "\(request.uri.path)", "error": "\(error)"]
            )
            throw APIError(.internalServerError, code: "internal", "the request failed on the server")
        }
    }
}
