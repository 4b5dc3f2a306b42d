import HTTPTypes
import Hummingbird

/// Answers a request that no route takes: 405 with `Allow` when its path is served for other
/// methods (`HEAD` with every `GET`), else the router's 404. Add it after every route: a router's
/// middleware applies to the routes added after it and to its not-found responder, so it then
/// sees only requests that no route took.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each served path with its methods, as the router lists them.
    let paths: [(path: RouterPath, methods: Set<HTTPRequest.Method>)]

    init(routes: [Router<Context>.RouteDescription]) {
        var paths: [(path: RouterPath, methods: Set<HTTPRequest.Method>)] = []
        for route in routes {
            if let index = paths.firstIndex(where: { $0.path == route.path }) {
                paths[index].methods.insert(route.method)
            } else {
                paths.append((route.path, [route.method]))
            }
        }
        self.paths = paths
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let methods = methods(for: request.uri.path), !methods.contains(request.method) else { throw error }
            let allow = methods.map(\.rawValue).sorted().joined(separator: ", ")
            var headers = HTTPFields()
            headers[.allow] = allow
            throw APIError(
                .methodNotAllowed, code: "method_not_allowed", "\(request.method.rawValue.prefix(20)) is not served here; use \(allow)",
                headers: headers)
        }
    }

    /// The methods of the route the router would pick for `path` (literal segments before
    /// parameters, as its trie does), `HEAD` added where there is a `GET`; nil if none matches.
    func methods(for path: String) -> Set<HTTPRequest.Method>? {
        let segments = path.split(separator: "/")
        var best: (methods: Set<HTTPRequest.Method>, literals: [Bool])?
        for (routePath, methods) in paths where routePath.components.count == segments.count {
            guard zip(routePath.components, segments).allSatisfy({ $0 ~= $1 }) else { continue }
            let literals = zip(routePath.components, segments).map { $0 == $1 }
            if let current = best, !literals.lexicographicallyPrecedes(current.literals, by: { $0 && !$1 }) { continue }
            best = (methods, literals)
        }
        guard var methods = best?.methods else { return nil }
        if methods.contains(.get) { methods.insert(.head) }
        return methods
    }
}
