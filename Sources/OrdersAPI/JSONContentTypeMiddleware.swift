import HTTPTypes
import Hummingbird

/// Refuses a request body that is not JSON on the routes that change something (415): a
/// cross-site form may post `text/plain`, `application/x-www-form-urlencoded` or
/// `multipart/form-data` without a preflight, so only `application/json` (with at most
/// `charset=utf-8`) is read. A request without a body needs no type. Requests that no route takes
/// are left to the router's 404 or 405.
struct JSONContentTypeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch request.method {
        case .post, .put, .patch, .delete:
            guard context.endpointPath != nil, !Self.isJSON(request.headers[.contentType]) else { break }
            if let length = request.headers[.contentLength] {
                guard Int(length) == 0 else { throw Self.refusal }
            } else if request.headers[.transferEncoding] != nil {
                // Chunks (some clients send an empty body so): only an empty one passes.
                var request = request
                guard (try? await request.collectBody(upTo: StrictJSON.maximumBytes))?.readableBytes == 0 else { throw Self.refusal }
                return try await next(request, context)
            }
        default: break
        }
        return try await next(request, context)
    }

    static var refusal: APIError {
        APIError(.unsupportedMediaType, code: "unsupported_media_type", "send the body as Content-Type: application/json", field: "Content-Type")
    }

    /// `application/json`, in any case, with no parameter but `charset=utf-8`.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let parts = contentType.lowercased().split(separator: ";", omittingEmptySubsequences: false).map {
            String($0.filter { $0 != " " && $0 != "\t" })
        }
        return parts[0] == "application/json" && parts.dropFirst().allSatisfy { $0 == "charset=utf-8" || $0 == #"charset="utf-8""# }
    }
}
