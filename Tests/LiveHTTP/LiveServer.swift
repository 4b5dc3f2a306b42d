package import HTTPTypes
package import Hummingbird
import HummingbirdCore
import Logging
package import NIOCore
import ServiceLifecycle
import Synchronization

/// A client of a server under test: each request on a connection of its own, so that a test's
/// requests never depend on a connection's state (keep-alive, timeouts) unless it opens an
/// ``HTTPConnection`` for that.
package struct TestClient: Sendable {
    package let host: String
    /// The port the server listens on (given by the system).
    package let port: Int

    package init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }

    /// Sends the request and gives its response to `test`.
    package func execute<Value>(
        uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil,
        testCallback test: (TestResponse) async throws -> Value
    ) async throws -> Value {
        let connection = try await HTTPConnection.open(host: host, port: port)
        let response: TestResponse
        do {
            response = try await connection.send(method, uri, headers: headers, body: body)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        return try await test(response)
    }

    /// A new connection to the server, kept open until the test closes it.
    package func connect() async throws -> HTTPConnection {
        try await HTTPConnection.open(host: host, port: port)
    }
}

extension ApplicationProtocol {
    /// Runs the application (its HTTP server and every service it carries) on 127.0.0.1 at a
    /// port the system picks, gives `test` a client of it, then shuts it down gracefully,
    /// whether `test` returned or threw.
    package func test<Value: Sendable>(_ test: @Sendable (TestClient) async throws -> Value) async throws -> Value {
        let application = PortReporting(base: self)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let services = ServiceGroup(
                configuration: .init(services: [application], gracefulShutdownSignals: [], logger: application.logger))
            group.addTask {
                // A server that stops before it listens has no port to wait for.
                defer { application.port.report(nil) }
                try await services.run()
            }
            let outcome: Result<Value, any Error>
            do {
                let port = try await application.port.value()
                outcome = .success(try await test(TestClient(host: "127.0.0.1", port: port)))
            } catch {
                outcome = .failure(error)
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return try outcome.get()
        }
    }
}

/// The application as it is, but listening on 127.0.0.1 at a port the system picks, which it
/// reports once the server listens.
private struct PortReporting<Base: ApplicationProtocol>: ApplicationProtocol {
    typealias Responder = Base.Responder

    let base: Base
    let port = Reported()

    var responder: Responder { get async throws { try await base.responder } }
    var server: HTTPServerBuilder { base.server }
    var eventLoopGroup: any EventLoopGroup { base.eventLoopGroup }
    var configuration: ApplicationConfiguration { base.configuration.with(address: .hostname("127.0.0.1", port: 0)) }
    var logger: Logger { base.logger }
    var services: [any Service] { base.services }
    var processesRunBeforeServerStart: [@Sendable () async throws -> Void] { base.processesRunBeforeServerStart }

    @Sendable func onServerRunning(_ channel: any Channel) async {
        await base.onServerRunning(channel)
        port.report(channel.localAddress?.port)
    }

    /// The port, once known; a server that stops before it listens reports none.
    final class Reported: Sendable {
        private enum State {
            case waiting([CheckedContinuation<Int, any Error>])
            case known(Int?)
        }
        private let state = Mutex(State.waiting([]))

        func report(_ port: Int?) {
            let waiting = state.withLock { state -> [CheckedContinuation<Int, any Error>] in
                guard case .waiting(let waiting) = state else { return [] }
                state = .known(port)
                return waiting
            }
            for continuation in waiting { resume(continuation, with: port) }
        }

        func value() async throws -> Int {
            try await withCheckedThrowingContinuation { continuation in
                let known = state.withLock { state -> Int?? in
                    switch state {
                    case .waiting(let waiting):
                        state = .waiting(waiting + [continuation])
                        return nil
                    case .known(let port): return .some(port)
                    }
                }
                if let known { resume(continuation, with: known) }
            }
        }

        private func resume(_ continuation: CheckedContinuation<Int, any Error>, with port: Int?) {
            if let port { continuation.resume(returning: port) } else { continuation.resume(throwing: ChannelError.ioOnClosedChannel) }
        }
    }
}
