import HTTPTypes
package import Hummingbird
import Metrics
package import NIOCore
import Synchronization
import Timing

/// Answers 429 `rate_limited` with `Retry-After` to a caller that has used up its token bucket
/// (`TokenBuckets`). A caller is its identity (kind and name) once authenticated, else the IP
/// address it connects from. Runs after the `Authenticator`; `/health` and `/ready` (and `/ready/read`) are never
/// limited (probes must not be starved by the traffic they watch).
package final class RateLimiter: RouterMiddleware, Sendable {
    package typealias Context = APIContext

    /// Paths no caller is limited on.
    package static let exempt: Set<String> = ["/health", "/ready", "/ready/read"]

    private let buckets: Mutex<TokenBuckets>
    /// The time on the injected clock since the limiter was made.
    private let elapsed: @Sendable () -> Duration
    private let refused = Counter(label: "orders_http_rate_limited_total")

    package init(limit: RateLimit, clock: any Clock<Duration> = ContinuousClock()) {
        buckets = Mutex(TokenBuckets(limit: limit))
        elapsed = clock.stopwatch()
    }

    package func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        guard !Self.exempt.contains(request.uri.path) else { return try await next(request, context) }
        let caller = Self.caller(identity: context.identity, remoteAddress: context.remoteAddress)
        let now = elapsed()
        switch buckets.withLock({ $0.take(for: caller, at: now) }) {
        case .allow:
            return try await next(request, context)
        case .refuse(let retryAfter):
            refused.increment()
            let seconds = retryAfter.retryAfterSeconds
            var response = try APIError(
                .tooManyRequests, code: "rate_limited", "too many requests from this caller; retry after \(seconds) s"
            ).response(from: request, context: context)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
    }

    /// The bucket a request counts against: `api_key:storefront`, `jwt:user-1`,
    /// `admin_token:admin-token`; for callers without credentials `ip:203.0.113.7` (or
    /// `anonymous` when the address is unknown).
    package static func caller(identity: Identity?, remoteAddress: SocketAddress?) -> String {
        if let identity, identity.kind != .anonymous { return "\(identity.kind.rawValue):\(identity.name)" }
        guard let ip = remoteAddress?.ipAddress else { return "anonymous" }
        return "ip:\(ip)"
    }
}
