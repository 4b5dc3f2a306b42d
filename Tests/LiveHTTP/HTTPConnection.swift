package import HTTPTypes
package import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOPosix

/// A response as a test reads it: the status, the header fields and the whole body.
package struct TestResponse: Sendable {
    package let status: HTTPResponse.Status
    package let headers: HTTPFields
    package let body: ByteBuffer
}

/// One HTTP/1.1 connection to a server on this machine, kept open across requests (keep-alive),
/// for tests that count or hold connections. Requests on it go one at a time, in order.
///
/// Built on SwiftNIO's HTTP/1 client codec (which knows that the answer to a HEAD has no body),
/// as the server is: no TLS, no HTTP/2, nothing the tests do not use.
package final class HTTPConnection: Sendable {
    private struct Exchange: Sendable {
        let head: HTTPRequest
        let body: ByteBuffer?
        let reply: CheckedContinuation<TestResponse, any Error>
    }

    private let exchanges: AsyncStream<Exchange>.Continuation
    private let worker: Task<Void, Never>

    private init(exchanges: AsyncStream<Exchange>.Continuation, worker: Task<Void, Never>) {
        self.exchanges = exchanges
        self.worker = worker
    }

    /// Connects to `host:port`; throws when nothing listens there.
    package static func open(host: String = "127.0.0.1", port: Int) async throws -> HTTPConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPClientCodec())
                return try NIOAsyncChannel<HTTPResponsePart, HTTPRequestPart>(wrappingChannelSynchronously: channel)
            }
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Exchange.self)
        let worker = Task {
            // Every exchange is answered, with the response or with why there is none.
            var pending = stream.makeAsyncIterator()
            do {
                try await channel.executeThenClose { inbound, outbound in
                    var responses = inbound.makeAsyncIterator()
                    while let exchange = await pending.next() {
                        do {
                            try await outbound.write(.head(exchange.head))
                            if let body = exchange.body { try await outbound.write(.body(body)) }
                            try await outbound.write(.end(nil))
                            exchange.reply.resume(returning: try await Self.response(from: &responses))
                        } catch {
                            exchange.reply.resume(throwing: error)
                        }
                    }
                }
            } catch {}
            while let exchange = await pending.next() { exchange.reply.resume(throwing: ChannelError.ioOnClosedChannel) }
        }
        return HTTPConnection(exchanges: continuation, worker: worker)
    }

    private static func response(
        from responses: inout NIOAsyncChannelInboundStream<HTTPResponsePart>.AsyncIterator
    ) async throws -> TestResponse {
        var head: HTTPResponse?
        var body = ByteBuffer()
        while let part = try await responses.next() {
            switch part {
            case .head(let response) where response.status.kind == .informational: continue
            case .head(let response): head = response
            case .body(var chunk): body.writeBuffer(&chunk)
            case .end:
                guard let head else { throw ChannelError.inappropriateOperationForState }
                return TestResponse(status: head.status, headers: head.headerFields, body: body)
            }
        }
        throw ChannelError.eof
    }

    /// Sends one request and reads its whole response. A body gets its `Content-Length` unless
    /// the test set the framing itself.
    package func send(
        _ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: ByteBuffer? = nil
    ) async throws
        -> TestResponse
    {
        var headers = headers
        if let body, headers[.contentLength] == nil, headers[.transferEncoding] == nil {
            headers[.contentLength] = String(body.readableBytes)
        }
        let head = HTTPRequest(method: method, scheme: nil, authority: "localhost", path: uri, headerFields: headers)
        return try await withCheckedThrowingContinuation { reply in
            if case .terminated = exchanges.yield(Exchange(head: head, body: body, reply: reply)) {
                reply.resume(throwing: ChannelError.ioOnClosedChannel)
            }
        }
    }

    /// `GET uri`.
    package func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await send(.get, uri, headers: headers)
    }

    /// Closes the connection once the requests sent so far are answered.
    package func close() async {
        exchanges.finish()
        await worker.value
    }
}
