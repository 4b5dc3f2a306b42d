import CCurl
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization
import Timing

/// Sends requests to the configured nodes: round-robin with failing nodes set aside, bounded
/// retries with jittered backoff, optional gzip, authentication. Answers every HTTP status;
/// the typed APIs turn error statuses into `ElasticsearchError`s.
///
/// A `Service`: its transfer thread starts with the first request (before `run()` too, so a
/// request made while the service group is still being assembled works) and lives until `run()`
/// ends, on graceful shutdown or cancellation. Requests in flight then, and every later one, fail
/// with `ElasticsearchError.Kind.shutDown`. Retries back off on the clock given to `init`.
public final class Transport: Service, Sendable {
    public let configuration: ElasticsearchConfiguration
    let loop = CurlLoop()
    private let clock: any Clock<Duration>
    private let nodes: Mutex<NodePool>
    private let random = Mutex(SystemRandomNumberGenerator())
    private let logger: Logger
    private let authorization: String?
    private let hosts: [String]

    /// - Parameter clock: what retries sleep on between attempts. Default `ContinuousClock()`.
    public init(configuration: ElasticsearchConfiguration, logger: Logger, clock: any Clock<Duration> = ContinuousClock()) {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        nodes = Mutex(NodePool(count: max(configuration.nodes.count, 1), baseDelay: configuration.deadNodeBaseDelay))
        authorization = configuration.authentication.map { "Authorization: " + $0.headerValue }
        hosts = configuration.nodes.map { url in "\(url.host ?? "?"):\(url.port.map(String.init) ?? (url.scheme == "https" ? "443" : "80"))" }
        if configuration.insecureSkipTLSVerification {
            logger.warning(
                "TLS certificate verification is OFF for Elasticsearch: use only with development clusters",
                metadata: ["es.nodes": "\(hosts.joined(separator: ","))"]
            )
        }
    }

    /// Holds the transport's lifetime: returns on graceful shutdown or when its task is
    /// cancelled, after the transfer thread has stopped (requests in flight fail with
    /// `.shutDown`, and so does every later request).
    public func run() async {
        try? await gracefulShutdown()
        await loop.stop()
    }

    deinit { loop.requestStop() }

    /// Sends the request, retrying where it is safe, and returns whatever status came back.
    public func send(_ request: HTTPRequest) async throws(ElasticsearchError) -> HTTPResponse {
        guard !configuration.nodes.isEmpty else {
            throw ElasticsearchError(.invalidRequest, method: request.method.rawValue, path: request.target, underlying: "no nodes configured")
        }
        let target = request.target
        var headers = ["Content-Type: \(request.contentType)", "Accept: application/json"]
        if let authorization { headers.append(authorization) }
        var body = request.body
        if let plain = body, configuration.gzipRequests, plain.count >= configuration.gzipMinimumBytes {
            body = Gzip.compress(plain)
            headers.append("Content-Encoding: gzip")
        }
        var retry = 0
        while true {
            let node = nodes.withLock { $0.next(now: .now) }
            let transfer = Transfer(
                Transfer.Options(
                    url: configuration.nodes[node].absoluteString + target, method: request.method, headers: headers, body: body,
                    connectTimeoutMilliseconds: Int(configuration.connectTimeout.inMilliseconds),
                    timeoutMilliseconds: Int((request.timeout ?? configuration.requestTimeout).inMilliseconds), caFile: configuration.caFile,
                    verifyTLS: !configuration.insecureSkipTLSVerification, maximumResponseBytes: configuration.maximumResponseBytes
                )
            )
            let outcome = await loop.perform(transfer)
            let failure: ElasticsearchError
            let mayRetry: Bool
            switch outcome {
            case .completed(let status):
                nodes.withLock { $0.markAlive(node) }
                let response = HTTPResponse(status: status, body: transfer.response)
                guard HTTPResponse.isRetryableStatus(status), request.isIdempotent, retry < configuration.retry.maximumRetries else {
                    return response
                }
                failure = ElasticsearchError(response: response, method: request.method.rawValue, path: target, node: hosts[node])
                mayRetry = true
            case .shutDown:
                throw ElasticsearchError(.shutDown, method: request.method.rawValue, path: target, underlying: "the client was shut down")
            case .failed(let code, let detail):
                failure = Self.error(code, detail, request: request, target: target, node: hosts[node])
                if failure.kind == .cancelled || Task.isCancelled {
                    throw ElasticsearchError(.cancelled, method: request.method.rawValue, path: target, node: hosts[node])
                }
                if failure.kind == .connect || failure.kind == .timeout || failure.kind == .transport {
                    nodes.withLock { $0.markFailed(node, now: .now) }
                }
                // A connection that never opened carried nothing: any request may go to another node.
                mayRetry =
                    retry < configuration.retry.maximumRetries
                    && (failure.kind == .connect || (request.isIdempotent && (failure.kind == .timeout || failure.kind == .transport)))
            }
            guard mayRetry else { throw failure }
            let delay = random.withLock { configuration.retry.delay(beforeRetry: retry, using: &$0) }
            logger.debug(
                "retrying Elasticsearch request",
                metadata: [
                    "es.request": "\(request.method.rawValue) \(request.path)", "es.node": "\(hosts[node])", "es.error": "\(failure)",
                    "es.retry": "\(retry + 1)", "es.retry.delay_ms": "\(delay.inMilliseconds)",
                ]
            )
            retry += 1
            // A connect failure with other nodes available moves on at once; otherwise back off.
            if !(failure.kind == .connect && configuration.nodes.count > 1) {
                do {
                    try await clock.sleep(for: delay)
                } catch {
                    throw ElasticsearchError(.cancelled, method: request.method.rawValue, path: target)
                }
            }
        }
    }

    private static func error(_ code: CURLcode, _ detail: String, request: HTTPRequest, target: String, node: String) -> ElasticsearchError {
        let kind: ElasticsearchError.Kind
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .connect
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CIPHER,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE:
            kind = .tls
        case CURLE_ABORTED_BY_CALLBACK: kind = .cancelled
        default: kind = .transport
        }
        return ElasticsearchError(kind, method: request.method.rawValue, path: target, node: node, underlying: detail)
    }
}
