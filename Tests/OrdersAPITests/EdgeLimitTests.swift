import Foundation
import HTTPTypes
import Hummingbird
import LiveHTTP
import Logging
import NIOCore
import NIOPosix
import OrdersAPI
import OrdersProjection
import OrdersStore
import OrdersTestSupport
import ProjectionTestSupport
import Synchronization
import TestClocks
import Testing
import Timing

/// What a client can hold at the edge, against the real server on 127.0.0.1: idle and
/// slow-header connections, the connection cap, and rate limits.
///
/// The socket tests run on real time (sockets and timers are real): their timeouts are short and
/// their bounds generous; they wait for conditions instead of sleeping.
@Suite(.serialized, .timeLimit(.minutes(5))) struct EdgeLimitTests {
    /// A live server on 127.0.0.1 (a free port) with `configuration`'s limits, over a test store
    /// and an embedded read side; the body gets the server's connection count, its port, and a
    /// client of it (a connection per request).
    static func withLiveServer(
        _ configuration: ServerConfiguration, clock: ManualClock = ManualClock(),
        _ body: @escaping @Sendable (ConnectionCount, Int, TestClient) async throws -> Void
    ) async throws {
        try await TestStore.with { t in
            let server = try await buildServer(
                store: t.store, bus: t.bus, keys: APIKeys(database: t.database), readSide: try ReadSide.embedded(in: t),
                configuration: configuration, registry: nil, clock: clock, wallClock: t.clock, logger: Logger(label: "edge"))
            let connections = server.connections
            try await server.application.test { client in
                try await body(connections, client.port, client)
            }
        }
    }

    /// Waits (on real time, polling) until `condition` holds; false after `limit`.
    static func eventually(within limit: Duration, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// `GET path` on a new connection: the status and how long the answer took.
    static func get(_ path: String, port: Int) async throws -> (status: HTTPResponse.Status, took: Duration) {
        let start = ContinuousClock.now
        let status = try await TestClient(host: "127.0.0.1", port: port).execute(uri: path, method: .get) { $0.status }
        return (status, ContinuousClock.now - start)
    }

    /// Connections every socket test may need: the client's and the server's end of each.
    static func makeRoomForConnections(_ count: Int) throws {
        let limit = OpenFileLimit.raise(toAtLeast: 2 * count + 512)
        try #require(limit >= 2 * count + 256, "the open-file limit (\(limit)) is too low for \(count) connections to this process")
    }

    /// A request head that never ends, for slow-header clients to send a byte at a time.
    static let endlessHead = Array(("GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + String(repeating: "a", count: 4000)).utf8)

    // MARK: - Idle and slow-header connections

    @Test func aThousandIdleConnectionsDoNotStopHealthOrASearch() async throws {
        // Given a server whose header timeout outlasts the test, so every connection stays open
        try Self.makeRoomForConnections(1100)
        let configuration = ServerConfiguration(
            port: 0, headerTimeout: .seconds(120), idleTimeout: .seconds(120), maximumConnections: 2000, rateLimit: .off)
        try await Self.withLiveServer(configuration) { connections, port, _ in
            // When 1,000 clients connect and send nothing, and 20 send a header a byte at a time
            let idle = try await RawConnection.open(1000, port: port)
            let slow = try await RawConnection.open(20, port: port)
            try await withThrowingTaskGroup(of: Void.self) { trickling in
                for connection in slow { trickling.addTask { await connection.trickle(Self.endlessHead, every: .milliseconds(100)) } }
                #expect(try await Self.eventually(within: .seconds(60)) { connections.current >= 1020 }, "the server holds them all")

                // Then /health and a search on new connections answer, and quickly
                let health = try await Self.get("/health", port: port)
                let search = try await Self.get("/orders/search?q=anything", port: port)
                #expect(health.status == .ok)
                #expect(search.status == .ok)
                #expect(health.took < .seconds(10) && search.took < .seconds(10), "\(health.took), \(search.took)")
                // while every one of those connections is still open
                #expect((idle + slow).allSatisfy { $0.closedAfter == nil })
                print(
                    "edge: with \(connections.current) connections open (1,000 idle, 20 slow-header), "
                        + "GET /health took \(health.took.inMilliseconds) ms, GET /orders/search \(search.took.inMilliseconds) ms")
                trickling.cancelAll()
            }
            await RawConnection.close(idle + slow)
        }
    }

    @Test func idleAndSlowHeaderConnectionsAreClosedAtTheHeaderDeadline() async throws {
        // Given a header timeout of 500 ms (and an idle timeout far beyond it)
        try Self.makeRoomForConnections(1100)
        let configuration = ServerConfiguration(
            port: 0, headerTimeout: .milliseconds(500), idleTimeout: .seconds(120), maximumConnections: 2000, rateLimit: .off)
        try await Self.withLiveServer(configuration) { connections, port, _ in
            // When 1,000 clients connect and send nothing, and 20 send a byte of a header every
            // 100 ms (never a 500 ms pause: an idle timer would not fire)
            let idle = try await RawConnection.open(1000, port: port)
            let slow = try await RawConnection.open(20, port: port)
            try await withThrowingTaskGroup(of: Void.self) { trickling in
                for connection in slow { trickling.addTask { await connection.trickle(Self.endlessHead, every: .milliseconds(100)) } }
                // Then the server closes every one of them
                let closed = try await Self.eventually(within: .seconds(90)) { (idle + slow).allSatisfy { $0.closedAfter != nil } }
                trickling.cancelAll()
                #expect(closed, "still open: \((idle + slow).filter { $0.closedAfter == nil }.count)")
            }
            let idleLives = idle.compactMap(\.closedAfter).sorted()
            let slowLives = slow.compactMap(\.closedAfter).sorted()
            // not before the deadline, and long before the idle timeout
            #expect(try #require((idleLives + slowLives).min()) >= .milliseconds(450))
            #expect(try #require((idleLives + slowLives).max()) < .seconds(60))
            #expect(slow.allSatisfy { $0.bytesSent > 1 }, "the slow ones kept sending (fewer bytes on a loaded machine)")
            print(
                "edge: header timeout 500 ms: idle connections closed after \(idleLives[idleLives.count / 2].inMilliseconds) ms (median), "
                    + "\((idleLives.last ?? .zero).inMilliseconds) ms (last); slow-header ones after "
                    + "\(slowLives[slowLives.count / 2].inMilliseconds) ms (median), \((slowLives.last ?? .zero).inMilliseconds) ms (last)")
            // And the server is free again
            #expect(try await Self.eventually(within: .seconds(30)) { connections.current == 0 })
            #expect(try await Self.get("/health", port: port).status == .ok)
            await RawConnection.close(idle + slow)
        }
    }

    // MARK: - Connection cap

    @Test func beyondTheCapNewConnectionsAreClosedWhileOpenOnesAreServed() async throws {
        // Given a cap of 4 connections, all held open
        let configuration = ServerConfiguration(
            port: 0, headerTimeout: .seconds(120), idleTimeout: .seconds(120), maximumConnections: 4, rateLimit: .off)
        try await Self.withLiveServer(configuration) { connections, port, client in
            var open: [HTTPConnection] = []
            for _ in 0..<4 {
                let connection = try await client.connect()
                #expect(try await connection.get("/health").status == .ok)
                open.append(connection)
            }
            #expect(try await Self.eventually(within: .seconds(30)) { connections.current == 4 })

            // When a fifth client connects and asks
            let extra = try await RawConnection.open(port: port)
            try? await extra.send(Array("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
            // Then it is closed at once, unanswered
            #expect(try await Self.eventually(within: .seconds(30)) { extra.closedAfter != nil })
            #expect(extra.bytesReceived == 0)
            print("edge: a connection beyond the cap was closed \((extra.closedAfter ?? .zero).inMilliseconds) ms after it connected")
            // while the connections already open keep being served
            #expect(try await open[0].get("/health").status == .ok)
            #expect(try await open[1].get("/orders/search?q=anything").status == .ok)
            #expect(connections.current == 4)

            // And a connection that closes makes room for a new one
            await open[2].close()
            #expect(try await Self.eventually(within: .seconds(30)) { connections.current == 3 })
            #expect(try await Self.get("/health", port: port).status == .ok)
            for connection in open { await connection.close() }
            await RawConnection.close([extra])
        }
    }

    // MARK: - Rate limits

    @Test func aCallerBeyondItsBurstGets429WithRetryAfterAndOthersAreServed() async throws {
        try await TestStore.with { t in
            // Given callers limited to 1 request a second in bursts of 3, on the test's clock
            let keys = APIKeys(database: t.database)
            let greedy = try await keys.create(name: "greedy", role: .reader, now: t.clock.now()).secret
            let other = try await keys.create(name: "other", role: .reader, now: t.clock.now()).secret
            let clock = ManualClock()
            let server = try await buildServer(
                store: t.store, bus: t.bus, keys: keys, readSide: try ReadSide.embedded(in: t),
                configuration: ServerConfiguration(rateLimit: RateLimit(requestsPerSecond: 1, burst: 3)), registry: nil, clock: clock,
                wallClock: t.clock, logger: Logger(label: "edge"))
            try await server.application.test { client in
                @Sendable func search(_ key: String) async throws -> HTTPResponse.Status {
                    try await client.execute(uri: "/orders/search", method: .get, headers: [.authorization: "Bearer \(key)"]) { $0.status }
                }
                // When one caller sends its burst and one more
                for _ in 0..<3 { #expect(try await search(greedy) == .ok) }
                try await client.execute(uri: "/orders/search", method: .get, headers: [.authorization: "Bearer \(greedy)"]) { response in
                    // Then the one more is refused: 429, Retry-After in whole seconds, the API's error shape
                    #expect(response.status == .tooManyRequests)
                    #expect(response.headers[.retryAfter] == "1")
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                    let body = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                    let error = body?["error"] as? [String: Any]
                    #expect(error?["code"] as? String == "rate_limited")
                    #expect(error?["message"] is String)
                }
                // And another caller is served, the probes are never limited
                #expect(try await search(other) == .ok)
                for probe in ["/health", "/ready"] {
                    let status = try await client.execute(uri: probe, method: .get, headers: [.authorization: "Bearer \(greedy)"]) { $0.status }
                    #expect(status != .tooManyRequests, "\(probe)")
                }
                // And a second later the first caller has one token again
                clock.advance(by: .seconds(1))
                #expect(try await search(greedy) == .ok)
                #expect(try await search(greedy) == .tooManyRequests)
            }
        }
    }

    @Test func anonymousCallersAreLimitedByTheirAddress() async throws {
        // Given a loopback server without keys (callers are anonymous), 1 request a second in bursts of 2
        let clock = ManualClock()
        let configuration = ServerConfiguration(port: 0, rateLimit: RateLimit(requestsPerSecond: 1, burst: 2))
        try await Self.withLiveServer(configuration, clock: clock) { (_, port, client) async throws in
            // When one address asks three times, on two connections
            #expect(try await client.execute(uri: "/orders/search", method: .get) { $0.status } == .ok)
            #expect(try await Self.get("/orders/search", port: port).status == .ok)
            // Then the third is refused, whichever connection it comes on
            #expect(try await client.execute(uri: "/orders/search", method: .get) { $0.status } == .tooManyRequests)
            #expect(try await Self.get("/orders/search", port: port).status == .tooManyRequests)
            #expect(try await client.execute(uri: "/health", method: .get) { $0.status } == .ok)
        }
    }
}

/// A TCP connection from the test: it sends what it is told and notes when the server closed it.
final class RawConnection: Sendable {
    let channel: any Channel
    let opened: ContinuousClock.Instant
    private let state = Mutex<(closed: ContinuousClock.Instant?, received: Int, sent: Int)>((nil, 0, 0))

    /// `opened`: when connecting began (before the server could accept: lifetimes measured
    /// from it are never shorter than the server's view of them).
    private init(channel: any Channel, opened: ContinuousClock.Instant) {
        self.channel = channel
        self.opened = opened
    }

    /// How long after connecting the connection closed; nil while it is open.
    var closedAfter: Duration? { state.withLock { $0.closed.map { $0 - opened } } }
    var bytesReceived: Int { state.withLock { $0.received } }
    var bytesSent: Int { state.withLock { $0.sent } }

    static func open(port: Int) async throws -> RawConnection {
        let counter = ByteCounter()
        let opened = ContinuousClock.now
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(60))
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(counter) } }
            .connect(host: "127.0.0.1", port: port).get()
        let connection = RawConnection(channel: channel, opened: opened)
        counter.connection.withLock { $0 = connection }
        channel.closeFuture.whenComplete { _ in connection.state.withLock { $0.closed = .now } }
        return connection
    }

    /// `count` connections, opened 100 at a time.
    static func open(_ count: Int, port: Int) async throws -> [RawConnection] {
        var connections: [RawConnection] = []
        for wave in stride(from: 0, to: count, by: 100) {
            try await withThrowingTaskGroup(of: RawConnection.self) { group in
                for _ in wave..<min(count, wave + 100) { group.addTask { try await RawConnection.open(port: port) } }
                for try await connection in group { connections.append(connection) }
            }
        }
        return connections
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        state.withLock { $0.sent += bytes.count }
    }

    /// Sends `bytes` one at a time, `interval` apart, until they are sent, the connection
    /// closes, or the task is cancelled.
    func trickle(_ bytes: [UInt8], every interval: Duration) async {
        for byte in bytes {
            do {
                try await send([byte])
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }

    static func close(_ connections: [RawConnection]) async {
        for connection in connections { try? await connection.channel.close() }
    }

    fileprivate func received(_ count: Int) { state.withLock { $0.received += count } }
}

/// Counts what a `RawConnection` receives.
private final class ByteCounter: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let connection = Mutex<RawConnection?>(nil)

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let count = unwrapInboundIn(data).readableBytes
        connection.withLock { $0?.received(count) }
    }
}
