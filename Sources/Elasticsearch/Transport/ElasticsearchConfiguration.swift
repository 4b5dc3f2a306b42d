public import Foundation

/// How to reach Elasticsearch. Every property has a documented default; credentials never appear
/// in `description`.
public struct ElasticsearchConfiguration: Sendable, CustomStringConvertible {
    public enum Authentication: Sendable, Equatable {
        /// `Authorization: Basic base64(user:password)`.
        case basic(username: String, password: String)
        /// `Authorization: ApiKey <key>`: the base64 `id:api_key` Elasticsearch returns as `encoded`.
        case apiKey(String)
        /// `Authorization: Bearer <token>` (service account or OAuth token).
        case bearer(String)

        var headerValue: String {
            switch self {
            case .basic(let username, let password): "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
            case .apiKey(let key): "ApiKey " + key
            case .bearer(let token): "Bearer " + token
            }
        }

        var name: String {
            switch self {
            case .basic: "basic"
            case .apiKey: "api-key"
            case .bearer: "bearer"
            }
        }
    }

    /// Node base URLs (`http://localhost:9200`), used round-robin. Required.
    public var nodes: [URL]
    /// Default none.
    public var authentication: Authentication?
    /// A PEM file of certificate authorities to trust (a cluster's own `http_ca.crt`). Default: the system's.
    public var caFile: String?
    /// Skips TLS certificate and host verification. Only for self-signed development clusters;
    /// the client logs a warning when it is on. Default false.
    public var insecureSkipTLSVerification: Bool
    /// Default 5 s.
    public var connectTimeout: Duration
    /// The whole request, including reading the response. Default 30 s.
    public var requestTimeout: Duration
    /// Gzip request bodies of at least `gzipMinimumBytes`. Responses are always accepted gzipped. Default false.
    public var gzipRequests: Bool
    /// Default 1,024 bytes.
    public var gzipMinimumBytes: Int
    /// Retries on connection failures and 429/502/503/504 of requests safe to repeat.
    public var retry: RetryPolicy
    /// How long a failing node is set aside (doubling per consecutive failure, up to 60 s). Default 1 s.
    public var deadNodeBaseDelay: Duration
    /// Responses larger than this fail instead of exhausting memory. Default 512 MiB.
    public var maximumResponseBytes: Int

    public init(
        nodes: [URL], authentication: Authentication? = nil, caFile: String? = nil, insecureSkipTLSVerification: Bool = false,
        connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(30), gzipRequests: Bool = false,
        gzipMinimumBytes: Int = 1024, retry: RetryPolicy = RetryPolicy(), deadNodeBaseDelay: Duration = .seconds(1),
        maximumResponseBytes: Int = 512 << 20
    ) {
        self.nodes = nodes
        self.authentication = authentication
        self.caFile = caFile
        self.insecureSkipTLSVerification = insecureSkipTLSVerification
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.gzipRequests = gzipRequests
        self.gzipMinimumBytes = gzipMinimumBytes
        self.retry = retry
        self.deadNodeBaseDelay = deadNodeBaseDelay
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// Parses a comma-separated node list (`ES_URL` style). Credentials in a URL
    /// (`https://elastic:secret@host:9200`) become basic authentication and are removed from the URL.
    public init(urls: String, authentication: Authentication? = nil) throws(ElasticsearchError) {
        var nodes: [URL] = []
        var fromURL: Authentication?
        for part in urls.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            guard var components = URLComponents(string: part), let scheme = components.scheme?.lowercased(),
                scheme == "http" || scheme == "https", components.host?.isEmpty == false
            else {
                throw ElasticsearchError(
                    .invalidRequest, method: "-", path: "-",
                    underlying: "not an http(s) URL: '\(Self.redacted(part))' (http(s)://host[:port], the port a number)"
                )
            }
            if let user = components.user {
                fromURL = .basic(username: user.removingPercentEncoding ?? user, password: components.password?.removingPercentEncoding ?? "")
                components.user = nil
                components.password = nil
            }
            if components.path.hasSuffix("/") { components.path.removeLast() }
            nodes.append(components.url!)
        }
        guard !nodes.isEmpty else { throw ElasticsearchError(.invalidRequest, method: "-", path: "-", underlying: "no Elasticsearch URL given") }
        self.init(nodes: nodes, authentication: authentication ?? fromURL)
    }

    /// From the environment: `ES_URL` (comma-separated), `ES_USERNAME` + `ES_PASSWORD`, `ES_API_KEY`,
    /// `ES_BEARER_TOKEN`, `ES_CA_FILE`, `ES_INSECURE_SKIP_VERIFY=1`, `ES_GZIP=1`. `nil` when `ES_URL` is unset.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ElasticsearchError)
        -> ElasticsearchConfiguration?
    {
        guard let urls = environment["ES_URL"], !urls.isEmpty else { return nil }
        var authentication: Authentication?
        if let key = environment["ES_API_KEY"], !key.isEmpty {
            authentication = .apiKey(key)
        } else if let token = environment["ES_BEARER_TOKEN"], !token.isEmpty {
            authentication = .bearer(token)
        } else if let user = environment["ES_USERNAME"], !user.isEmpty {
            authentication = .basic(username: user, password: environment["ES_PASSWORD"] ?? "")
        }
        var configuration = try ElasticsearchConfiguration(urls: urls, authentication: authentication)
        configuration.caFile = environment["ES_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.insecureSkipTLSVerification = environment["ES_INSECURE_SKIP_VERIFY"] == "1"
        configuration.gzipRequests = environment["ES_GZIP"] == "1"
        return configuration
    }

    public var description: String {
        var parts = ["nodes: " + redactedNodes.joined(separator: ",")]
        parts.append("auth: " + (authentication?.name ?? "none"))
        if let caFile { parts.append("ca-file: \(caFile)") }
        if insecureSkipTLSVerification { parts.append("tls-verification: OFF") }
        if gzipRequests { parts.append("gzip: on") }
        return parts.joined(separator: ", ")
    }

    /// The node URLs for messages and logs, credentials hidden (`redacted(_:)`).
    public var redactedNodes: [String] { nodes.map { Self.redacted($0.absoluteString) } }

    /// A node URL (or anything given as one) for messages and logs, whatever its shape: it need
    /// not parse (no scheme, a port that is not a number, broken IPv6 brackets, spaces). The
    /// user information (`user:password@`, up to the last `@`) keeps only the user name
    /// (`elastic:***@`), or none of it when it has no `:` (a token); a port that is not a number
    /// is hidden too, since a comma in a password splits a node list inside the password and
    /// leaves its start where a port would be.
    public static func redacted(_ url: some StringProtocol) -> String {
        let text = Substring(url)
        // The authority begins after `scheme://` (a scheme being letters, digits, `+`, `-`, `.`,
        // starting with a letter), after a leading `//`, or at the start of a scheme-less form.
        var authority = text.startIndex
        if let separator = text.range(of: "://") {
            let scheme = text[..<separator.lowerBound]
            let isSchemeCharacter = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || "+-.".contains(c)) }
            if let first = scheme.first, first.isASCII, first.isLetter, scheme.allSatisfy(isSchemeCharacter) {
                authority = separator.upperBound
            }
        } else if text.hasPrefix("//") {
            authority = text.index(text.startIndex, offsetBy: 2)
        }
        var redacted = String(text[..<authority])
        var rest = text[authority...]
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            redacted += userInfo.firstIndex(of: ":").map { "\(userInfo[..<$0]):***@" } ?? "***@"
            rest = rest[rest.index(after: at)...]
        }
        // Host and port run to the first `/`, `?` or `#`.
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let hostAndPort = rest[..<end]
        let portColon: Substring.Index? =
            hostAndPort.hasPrefix("[")
            ? hostAndPort.firstIndex(of: "]").flatMap { bracket in
                let next = hostAndPort.index(after: bracket)
                return next < hostAndPort.endIndex && hostAndPort[next] == ":" ? next : nil
            }
            : hostAndPort.firstIndex(of: ":")
        if let portColon {
            let port = hostAndPort[hostAndPort.index(after: portColon)...]
            redacted += hostAndPort[...portColon]
            redacted += port.allSatisfy { $0.isASCII && $0.isNumber } ? port : "***"
        } else {
            redacted += hostAndPort
        }
        return redacted + rest[end...]
    }
}
