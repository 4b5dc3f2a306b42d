package import Hummingbird
import NIOCore
import OrdersDomain
import OrdersSearch
import OrdersStore
import Timing

/// Every error the API returns, in one JSON shape:
/// `{"error": {"code": "invalid_argument", "message": "...", "field": "quantity"}}`.
/// A 401 always carries `WWW-Authenticate: Bearer` (RFC 9110 §11.6.1), whoever raised it.
package struct APIError: Error, HTTPResponseError, Sendable {
    package var status: HTTPResponse.Status
    package var code: String
    package var message: String
    package var field: String?
    /// Headers the answer carries beside the body (`Allow` on a 405, `Retry-After` on a 503 or 429).
    package var headers: HTTPFields

    package init(_ status: HTTPResponse.Status, code: String, _ message: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers
    }

    /// The challenge of every 401 that does not bring its own.
    package static let bearerChallenge = #"Bearer realm="orders""#

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        var error: [String: String] = ["code": code, "message": message]
        if let field { error["field"] = field }
        var headers = headers
        if status == .unauthorized, headers[.wwwAuthenticate] == nil { headers[.wwwAuthenticate] = Self.bearerChallenge }
        return try JSONResponse.make(["error": error], status: status, headers: headers)
    }

    /// The API's view of a domain refusal: malformed input 400, missing aggregate 404, taken
    /// value 409, a rule that forbids the command 422.
    init(_ error: DomainError) {
        let status: HTTPResponse.Status =
            switch error.code {
            case .invalidArgument: .badRequest
            case .notFound: .notFound
            case .alreadyExists: .conflict
            default: .unprocessableContent
            }
        self.init(status, code: error.code.name, error.message, field: error.field)
    }

    /// Storage errors: a conflict is 409 (412 when the caller pinned a version with If-Match);
    /// anything else is a 500 whose message says nothing internal.
    init(_ error: EventStoreError, pinnedVersion: Bool) {
        switch error.code {
        case .concurrencyConflict:
            self.init(pinnedVersion ? .preconditionFailed : .conflict, code: "concurrency_conflict", error.message)
        case .storeUnavailable:
            self.init(
                .serviceUnavailable, code: "store_unavailable", "the order store cannot write now; the request was not applied, try again later",
                headers: [.retryAfter: "5"])
        default:
            self.init(.internalServerError, code: "internal", "the order store failed; the request was not applied")
        }
    }

    /// The read side cannot answer now (its cluster is unreachable or overloaded): 503 with
    /// `Retry-After` in whole seconds; the message names nothing of the infrastructure.
    init(_ error: ReadSideUnavailable) {
        self.init(
            .serviceUnavailable, code: "read_side_unavailable", "the read side cannot answer now; try again later",
            headers: [.retryAfter: String(error.retryAfter.retryAfterSeconds)])
    }

    static func badRequest(_ message: String, field: String? = nil) -> APIError {
        APIError(.badRequest, code: "invalid_argument", message, field: field)
    }
}
