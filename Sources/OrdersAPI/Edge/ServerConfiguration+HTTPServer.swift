import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

extension ServerConfiguration {
    /// Hummingbird's HTTP/1 server with the edge's limits: its idle timeout for kept-alive
    /// connections, and in every connection's pipeline the connection cap and the header deadline.
    func httpServer(connections: ConnectionCount, logger: Logger) -> HTTPServerBuilder {
        let headerTimeout = TimeAmount(headerTimeout)
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [
                    ConnectionCapHandler(count: connections, logger: logger), RequestHeadTimeoutHandler(timeout: headerTimeout, logger: logger),
                ],
                idleTimeout: TimeAmount(idleTimeout)))
    }
}
