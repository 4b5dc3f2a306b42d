import Logging
import NIOCore
import NIOHTTPTypes

/// Closes a connection that has not delivered a request's head within `timeout` of opening, or
/// of the first bytes of its next request (`RequestHeadTimer`): slow-header clients (slowloris)
/// and connections that send nothing hold a slot for at most `timeout`.
///
/// One per connection, in Hummingbird's HTTP/1 pipeline after the decoder (where it sees heads
/// and response ends). Hummingbird's `idleTimeout` and NIO's `IdleStateHandler` measure the gap
/// since the last activity instead, which a client that trickles bytes keeps resetting (or, in
/// Hummingbird's case, uses the idle duration for the first head too); so this handler puts a
/// small observer in front of the decoder, which tells it when the bytes of a request start.
final class RequestHeadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private let logger: Logger
    private var timer: RequestHeadTimer?
    private var scheduled: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(timeout: TimeAmount, logger: Logger) {
        self.timeout = timeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        do {
            try context.pipeline.syncOperations.addHandler(InboundBytesObserver(timeoutHandler: self), position: .first)
        } catch {
            context.fireErrorCaught(error)
        }
        if context.channel.isActive { start() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        scheduled?.cancel()
        scheduled = nil
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { perform(timer?.headReceived()) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { perform(timer?.responseEnded()) }
        context.write(data, promise: promise)
    }

    /// Bytes arrived, not yet decoded.
    fileprivate func bytesReceived() {
        perform(timer?.bytesReceived(at: .now()))
    }

    private func start() {
        guard timer == nil else { return }
        let timer = RequestHeadTimer(timeout: timeout, openedAt: .now())
        self.timer = timer
        perform(timer.initialAction)
    }

    private func perform(_ action: RequestHeadTimer.Action?) {
        guard let context, let action else { return }
        switch action {
        case .schedule(let deadline):
            scheduled?.cancel()
            scheduled = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
                scheduled = nil
                perform(timer?.timerFired(at: .now()))
            }
        case .cancel:
            scheduled?.cancel()
            scheduled = nil
        case .close:
            logger.debug(
                "closing a connection: no request head within the header timeout",
                metadata: ["http.header_timeout_ms": "\(timeout.nanoseconds / 1_000_000)"])
            context.close(promise: nil)
        case .none:
            break
        }
    }
}

/// Tells the `RequestHeadTimeoutHandler` of its connection when bytes arrive, before the HTTP
/// decoder sees them.
private final class InboundBytesObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeoutHandler: RequestHeadTimeoutHandler

    init(timeoutHandler: RequestHeadTimeoutHandler) {
        self.timeoutHandler = timeoutHandler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        timeoutHandler.bytesReceived()
        context.fireChannelRead(data)
    }
}
