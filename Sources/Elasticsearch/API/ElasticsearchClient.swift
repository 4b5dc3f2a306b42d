import Foundation
public import Logging
public import ServiceLifecycle

/// A typed Elasticsearch client over `Transport`. Knows nothing about what is stored.
///
/// Every method throws `ElasticsearchError` with the request's context on failure.
///
/// A ServiceLifecycle `Service`, like postgres-nio's `PostgresClient`: put it in the
/// application's `ServiceGroup` before the services that use it (they shut down first). `run()`
/// holds the client's lifetime until graceful shutdown or cancellation, then stops its transfer
/// thread: requests in flight and every later request fail with `ElasticsearchError.Kind.shutDown`.
/// Requests made before `run()` starts work too (the thread starts with the first request), so
/// a client can bootstrap indices before the group runs.
public final class ElasticsearchClient: Service, Sendable {
    public let transport: Transport

    /// - Parameter clock: what retries sleep on between attempts. Default `ContinuousClock()`.
    public init(configuration: ElasticsearchConfiguration, logger: Logger, clock: any Clock<Duration> = ContinuousClock()) {
        transport = Transport(configuration: configuration, logger: logger, clock: clock)
    }

    /// Returns on graceful shutdown or cancellation, once the transfer thread has stopped.
    public func run() async { await transport.run() }

    /// Sends the request; a non-2xx answer becomes an error carrying Elasticsearch's `error`.
    @discardableResult
    func send(_ request: HTTPRequest) async throws(ElasticsearchError) -> HTTPResponse {
        let response = try await transport.send(request)
        guard response.isSuccess else {
            throw ElasticsearchError(response: response, method: request.method.rawValue, path: request.target, node: nil)
        }
        return response
    }

    /// Sends the request and decodes a success body as `T`.
    func send<T: Decodable>(_ request: HTTPRequest, as type: T.Type) async throws(ElasticsearchError) -> T {
        let response = try await send(request)
        return try Self.decode(T.self, from: response.body, request: request)
    }

    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], request: HTTPRequest) throws(ElasticsearchError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch {
            throw ElasticsearchError(
                .decoding, method: request.method.rawValue, path: request.target, underlying: "\(T.self): \(error)"
            )
        }
    }

    static func path(_ segments: String...) -> String { "/" + segments.map(HTTPRequest.escape).joined(separator: "/") }
}
