import Logging
import Metrics
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The connections a server holds open, against a cap shared by all its event loops.
package final class ConnectionCount: Sendable {
    /// The most connections served at once.
    package let maximum: Int
    private let open = Atomic<Int>(0)

    package init(maximum: Int) {
        self.maximum = maximum
    }

    /// How many connections are open now.
    package var current: Int { open.load(ordering: .relaxed) }

    /// Counts a new connection if there is room for it.
    func admit() -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < maximum {
            let (exchanged, original) = open.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release() {
        open.subtract(1, ordering: .relaxed)
    }
}

/// Closes a new connection at once when the server already holds `count.maximum`, so that the
/// connections it serves keep being served and the refused client learns at once (instead of
/// waiting in the listen backlog). One per connection, in Hummingbird's HTTP/1 pipeline.
///
/// Hummingbird's own `MaximumAvailableConnections` stops accepting instead: new connections then
/// wait in the kernel's backlog (the client sees its connect succeed and its request hang), and
/// once the backlog is full their SYNs are dropped, so nothing is refused or closed at once.
final class ConnectionCapHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let count: ConnectionCount
    private let logger: Logger
    private var counted = false
    private var decided = false
    private static let refused = Counter(label: "orders_http_connections_refused_total")

    init(count: ConnectionCount, logger: Logger) {
        self.count = count
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        admit(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    private func admit(context: ChannelHandlerContext) {
        guard !decided else { return }
        decided = true
        counted = count.admit()
        guard !counted else { return }
        Self.refused.increment()
        logger.debug("connection refused: at the connection cap", metadata: ["http.connections.maximum": "\(count.maximum)"])
        // Not while Hummingbird is still setting the pipeline up around this handler.
        let channel = context.channel
        context.eventLoop.execute { channel.close(promise: nil) }
    }

    private func release() {
        guard counted else { return }
        counted = false
        count.release()
    }
}
