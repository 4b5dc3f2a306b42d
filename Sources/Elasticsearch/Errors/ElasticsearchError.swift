/// A failed Elasticsearch request, with what is needed to act on it: the kind of failure, the
/// HTTP status, Elasticsearch's `error.type` / `reason` / root cause when it sent one, and the
/// request (method, path and node; never credentials). `description` is safe to log.
public struct ElasticsearchError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case connect, timeout, tls, httpStatus = "http_status", elasticsearch, decoding, transport, cancelled
            case invalidRequest = "invalid_request", shutDown = "shut_down"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The node could not be reached (refused, unresolvable, unreachable).
        public static let connect = Kind(.connect)
        /// The connect or whole-request timeout elapsed.
        public static let timeout = Kind(.timeout)
        /// TLS failed (certificate not trusted, handshake error).
        public static let tls = Kind(.tls)
        /// A non-success status without an Elasticsearch error body.
        public static let httpStatus = Kind(.httpStatus)
        /// Elasticsearch answered with an error body (`{"error": {...}, "status": N}`).
        public static let elasticsearch = Kind(.elasticsearch)
        /// The response could not be decoded as expected.
        public static let decoding = Kind(.decoding)
        /// Another transfer failure (connection reset, empty reply, ...).
        public static let transport = Kind(.transport)
        /// The caller's task was cancelled.
        public static let cancelled = Kind(.cancelled)
        /// The request was refused before sending (bad configuration or argument).
        public static let invalidRequest = Kind(.invalidRequest)
        /// The client was shut down (its `run()` ended) before or while the request ran.
        public static let shutDown = Kind(.shutDown)

        public var description: String { base.rawValue }
    }

    /// One entry of Elasticsearch's `root_cause`.
    public struct Cause: Hashable, Sendable {
        public var type: String
        public var reason: String?
    }

    public var kind: Kind
    public var status: Int?
    /// Elasticsearch's `error.type` (`index_not_found_exception`).
    public var errorType: String?
    public var reason: String?
    public var rootCause: [Cause]
    /// The full error object as sent (extra keys vary by exception).
    public var details: JSONValue?
    public var method: String
    /// The request path with its query string.
    public var path: String
    /// `host:port` of the node that answered or failed.
    public var node: String?
    /// libcurl's or the decoder's message.
    public var underlying: String?

    public init(
        _ kind: Kind, method: String, path: String, node: String? = nil, status: Int? = nil, errorType: String? = nil,
        reason: String? = nil, rootCause: [Cause] = [], details: JSONValue? = nil, underlying: String? = nil
    ) {
        self.kind = kind
        self.method = method
        self.path = path
        self.node = node
        self.status = status
        self.errorType = errorType
        self.reason = reason
        self.rootCause = rootCause
        self.details = details
        self.underlying = underlying
    }

    /// An error from a non-success response: reads Elasticsearch's error envelope when there is
    /// one (an object, or the legacy plain string), else reports the status.
    public init(response: HTTPResponse, method: String, path: String, node: String? = nil) {
        self.init(.httpStatus, method: method, path: path, node: node, status: response.status)
        guard let body = try? JSONValue.parse(response.body), let error = body["error"] else {
            if !response.body.isEmpty { underlying = String(decoding: response.body.prefix(300), as: UTF8.self) }
            return
        }
        kind = .elasticsearch
        if let text = error.string {
            reason = text
            return
        }
        errorType = error["type"]?.string
        reason = error["reason"]?.string
        rootCause = (error["root_cause"]?.array ?? []).compactMap { cause in
            cause["type"]?.string.map { Cause(type: $0, reason: cause["reason"]?.string) }
        }
        details = error
    }

    public var description: String {
        var text = "elasticsearch \(kind)"
        if let status { text += " \(status)" }
        if let errorType { text += " \(errorType)" }
        if let reason { text += ": \(reason.prefix(500))" }
        if let underlying, reason == nil { text += ": \(underlying.prefix(300))" }
        text += " (\(method) \(path)"
        if let node { text += " on \(node)" }
        return text + ")"
    }

    public var debugDescription: String {
        var text = description
        if !rootCause.isEmpty { text += " root causes: " + rootCause.map { "\($0.type): \($0.reason ?? "")" }.joined(separator: "; ") }
        if let details { text += " details: \(details.serializedString.prefix(2000))" }
        return text
    }

    /// Whether repeating the same request may succeed (connection trouble, overload).
    public var isRetryable: Bool {
        switch kind {
        case .connect, .timeout, .transport: return true
        case .elasticsearch, .httpStatus: return status.map(HTTPResponse.isRetryableStatus) ?? false
        default: return false
        }
    }
}
