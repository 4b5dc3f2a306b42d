import Foundation

/// One HTTP request to Elasticsearch, relative to a node's base URL.
public struct HTTPRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET", head = "HEAD", post = "POST", put = "PUT", delete = "DELETE"
    }

    public var method: Method
    /// The path, starting with `/` (`/orders/_search`). Index names and ids must be percent-encoded
    /// already (`HTTPRequest.escape`).
    public var path: String
    public var query: [(name: String, value: String)]
    public var body: [UInt8]?
    public var contentType: String
    /// Safe to send again when a failure may have reached the server (timeouts, 5xx): reads,
    /// PUT/DELETE, and bulk writes with external versions. Connection failures that happened
    /// before sending are retried for every request.
    public var isIdempotent: Bool
    /// The longest the whole request may take; nil: the configuration's `requestTimeout`.
    public var timeout: Duration?

    public init(
        _ method: Method, _ path: String, query: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        contentType: String = "application/json", isIdempotent: Bool? = nil, timeout: Duration? = nil
    ) {
        self.timeout = timeout
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.contentType = contentType
        self.isIdempotent = isIdempotent ?? (method != .post)
    }

    /// The path with the encoded query string.
    public var target: String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\(Self.escape($0.name))=\(Self.escape($0.value))" }.joined(separator: "&")
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes a path segment or query component (index names, ids, values).
    public static func escape(_ component: String) -> String {
        component.addingPercentEncoding(withAllowedCharacters: unreserved) ?? component
    }
}

/// A response: status, headers (lower-case names) and the body, already un-gzipped.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// Statuses worth retrying: overload and gateway trouble.
    public static func isRetryableStatus(_ status: Int) -> Bool { [429, 502, 503, 504].contains(status) }
}
