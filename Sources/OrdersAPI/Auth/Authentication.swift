import Foundation
import HTTPTypes
package import Hummingbird
import HummingbirdAuth
package import OrdersStore

/// How callers prove who they are. Every property has a documented default.
package struct AuthenticationConfiguration: Sendable {
    /// `ORDERS_ADMIN_TOKEN`: an admin key, kept for compatibility. Default none.
    package var adminToken: String?
    /// JWTs from the shop's identity provider. Default none.
    package var jwt: JWTConfiguration?
    /// Serve requests without credentials (as a writer) even though the address is not
    /// loopback or keys exist (`--allow-anonymous`). Default false.
    package var allowAnonymous: Bool

    package init(adminToken: String? = nil, jwt: JWTConfiguration? = nil, allowAnonymous: Bool = false) {
        self.adminToken = adminToken.flatMap { $0.isEmpty ? nil : $0 }
        self.jwt = jwt
        self.allowAnonymous = allowAnonymous
    }

    /// Whether something other than API keys in the store asks callers to authenticate.
    package var isConfigured: Bool { adminToken != nil || jwt != nil }
}

/// Finds who calls: `Authorization: Bearer <token>`, where the token is `ORDERS_ADMIN_TOKEN`, an
/// API key or a JWT. A token that is none of these, or is revoked, expired or for someone else,
/// is refused at once (401): it never falls back to anonymous access. Without a token, the caller
/// is anonymous where that is allowed: without any authentication set up on a loopback address
/// (zero set-up), or with `--allow-anonymous`.
package struct Authenticator: AuthenticatorMiddleware {
    package typealias Context = APIContext

    let adminToken: [UInt8]?
    let keyRing: KeyRing
    let jwt: JWTVerifier?
    /// Whether the server listens on a loopback address only.
    let loopback: Bool
    let allowAnonymous: Bool

    package init(configuration: AuthenticationConfiguration, keyRing: KeyRing, jwt: JWTVerifier?, loopback: Bool) {
        adminToken = configuration.adminToken.map { Array($0.utf8) }
        self.keyRing = keyRing
        self.jwt = jwt
        self.loopback = loopback
        allowAnonymous = configuration.allowAnonymous
    }

    package func authenticate(request: Request, context: APIContext) async throws -> Identity? {
        guard let authorization = request.headers[.authorization] else { return try await anonymous() }
        guard let bearer = request.headers.bearer?.token, !bearer.isEmpty else {
            throw APIError.unauthorized("send Authorization: Bearer <key or token>")
        }
        if let adminToken, APIKeys.constantTimeEquals(Array(bearer.utf8), adminToken) {
            return Identity(kind: .adminToken, name: "admin-token", role: .admin)
        }
        if let identity = try await keyRing.identity(forKey: bearer) { return identity }
        if APIKeys.parse(bearer) == nil, bearer.split(separator: ".", omittingEmptySubsequences: false).count == 3, let jwt {
            do {
                return try await jwt.identity(for: bearer)
            } catch {
                throw APIError.unauthorized(error.description)
            }
        }
        _ = authorization
        throw APIError.unauthorized("the key or token is not valid (unknown, revoked, or not of this service)")
    }

    /// The identity of a caller without credentials, nil (then 401 where a role is needed) when
    /// anonymous access is not allowed.
    private func anonymous() async throws -> Identity? {
        if allowAnonymous { return .anonymous }
        guard loopback, adminToken == nil, jwt == nil, try await !keyRing.hasKeys() else { return nil }
        return .anonymous
    }
}

/// Lets a request through only with an identity holding `role` (hummingbird-auth's
/// `RolePolicy`): 401 without an identity, 403 with a lesser role, in the API's error shape.
package struct RequireRole: RouterMiddleware {
    package typealias Context = APIContext
    let policy: RolePolicy<Identity>
    let role: Role

    package init(_ role: Role) {
        self.role = role
        policy = RolePolicy(role)
    }

    package func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        guard let identity = context.identity else { throw APIError.unauthorized("send Authorization: Bearer <key or token>") }
        guard try await policy.isAuthorized(identity: identity, request: request) else {
            throw APIError(.forbidden, code: "forbidden", "this needs the \(role.rawValue) role")
        }
        return try await next(request, context)
    }
}

/// For routes a customer-scoped caller may not use at all: as if they did not exist (404).
struct NotForCustomers: RouterMiddleware {
    typealias Context = APIContext

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        guard context.identity?.customerID == nil else { throw APIError(.notFound, code: "not_found", "no such resource") }
        return try await next(request, context)
    }
}

extension APIError {
    /// 401: no credentials, or credentials refused.
    static func unauthorized(_ message: String) -> APIError { APIError(.unauthorized, code: "unauthorized", message) }
}
