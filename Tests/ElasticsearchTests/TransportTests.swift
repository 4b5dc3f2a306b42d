import Elasticsearch
import Foundation
import Logging
import LoopbackHTTP
import Synchronization
import TestClocks
import Testing

/// The transport against loopback servers. Retries back off on a `ManualClock` where a test is
/// about them: no real time passes, and a backoff that never comes ends the test at its limit.
@Suite(.timeLimit(.minutes(1))) struct TransportTests {
    static func transport(
        _ servers: [URL], authentication: ElasticsearchConfiguration.Authentication? = nil, gzip: Bool = false,
        retry: RetryPolicy = RetryPolicy(maximumRetries: 3, baseDelay: .milliseconds(5), maximumDelay: .milliseconds(20)),
        timeout: Duration = .seconds(5), clock: any Clock<Duration> = ContinuousClock()
    ) -> Transport {
        var configuration = ElasticsearchConfiguration(nodes: servers, authentication: authentication)
        configuration.gzipRequests = gzip
        configuration.gzipMinimumBytes = 10
        configuration.retry = retry
        configuration.requestTimeout = timeout
        configuration.connectTimeout = .seconds(2)
        configuration.deadNodeBaseDelay = .seconds(30)
        return Transport(configuration: configuration, logger: Logger(label: "test"), clock: clock)
    }

    /// Runs a transport (as its service group would) for the duration of `body`.
    static func with(
        _ servers: [URL], authentication: ElasticsearchConfiguration.Authentication? = nil, gzip: Bool = false,
        retry: RetryPolicy = RetryPolicy(maximumRetries: 3, baseDelay: .milliseconds(5), maximumDelay: .milliseconds(20)),
        timeout: Duration = .seconds(5), clock: any Clock<Duration> = ContinuousClock(), _ body: (Transport) async throws -> Void
    ) async throws {
        let transport = transport(servers, authentication: authentication, gzip: gzip, retry: retry, timeout: timeout, clock: clock)
        try await withRunningService(transport) { try await body(transport) }
    }

    /// Lets `count` backoffs pass on `clock`: each time, waits until the code under test sleeps,
    /// then moves the clock to its deadline.
    static func letBackoffsPass(_ count: Int, on clock: ManualClock) async {
        for _ in 0..<count {
            await clock.sleepers(atLeast: 1)
            clock.advanceToNextDeadline()
        }
    }

    @Test func oneConnectionServesManySequentialRequests() async throws {
        let server = try LoopbackServer { _ in .json(#"{"ok":true}"#) }
        defer { server.stop() }
        try await Self.with([server.url]) { transport throws in
            for _ in 0..<200 {
                let response = try await transport.send(HTTPRequest(.get, "/"))
                #expect(response.status == 200)
            }
            #expect(server.handledRequests == 200)
            #expect(server.acceptedConnections == 1)
        }
    }

    @Test func concurrentRequestsRunTogetherAndReuseTheirConnections() async throws {
        // The server sees how many requests are inside its handler at once.
        let inside = Mutex((now: 0, peak: 0))
        let server = try LoopbackServer { _ in
            inside.withLock { state in
                state.now += 1
                state.peak = max(state.peak, state.now)
            }
            Thread.sleep(forTimeInterval: 0.1)
            inside.withLock { $0.now -= 1 }
            return .json("{}")
        }
        defer { server.stop() }
        try await Self.with([server.url]) { transport throws in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<16 { group.addTask { _ = try await transport.send(HTTPRequest(.get, "/")) } }
                try await group.waitForAll()
            }
            #expect(inside.withLock { $0.peak } >= 8, "requests overlapped instead of queueing behind one another")
            let connections = server.acceptedConnections
            for _ in 0..<3 {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<16 { group.addTask { _ = try await transport.send(HTTPRequest(.get, "/")) } }
                    try await group.waitForAll()
                }
            }
            // 48 more requests: without reuse, 48 more connections. Under heavy load libcurl now and
            // then opens one or two anyway, so allow a few.
            #expect(server.acceptedConnections - connections <= 4, "later rounds reuse the open connections")
        }
    }

    @Test(arguments: [
        (ElasticsearchConfiguration.Authentication.basic(username: "elastic", password: "s3cret:pw"), "Basic ZWxhc3RpYzpzM2NyZXQ6cHc="),
        (
            .apiKey("VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="),
            "ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="
        ),
        (.bearer("token-123"), "Bearer token-123"),
    ])
    func authenticationHeadersAreSent(authentication: ElasticsearchConfiguration.Authentication, expected: String) async throws {
        let seen = Mutex<String?>(nil)
        let server = try LoopbackServer { request in
            seen.withLock { $0 = request.headers["authorization"] }
            return .json("{}")
        }
        defer { server.stop() }
        try await Self.with([server.url], authentication: authentication) { transport throws in
            _ = try await transport.send(HTTPRequest(.get, "/"))
            #expect(seen.withLock { $0 } == expected)
            #expect(!transport.configuration.description.contains("s3cret"))
            #expect(!transport.configuration.description.contains("token-123"))
        }
    }

    @Test func credentialsInTheURLBecomeBasicAuthAndNeverShow() throws {
        let configuration = try ElasticsearchConfiguration(urls: "https://elastic:hunter2@es1.example:9200/, http://es2.example:9201")
        #expect(configuration.nodes.map(\.absoluteString) == ["https://es1.example:9200", "http://es2.example:9201"])
        #expect(configuration.authentication == .basic(username: "elastic", password: "hunter2"))
        #expect(!configuration.description.contains("hunter2"))
        let bad = #expect(throws: ElasticsearchError.self) { try ElasticsearchConfiguration(urls: "ftp://user:hunter2@x") }
        #expect(bad?.description.contains("hunter2") == false)
    }

    /// Whatever shape a node list has, a message about it never carries its password: URLs that
    /// do not parse (a port that is not a number, no scheme, broken IPv6 brackets, a space) are
    /// refused with the credentials hidden, and URLs that parse lose them to basic auth.
    @Test(arguments: [
        "http://elastic:S3cretPass@127.0.0.1:notaport/", "elastic:S3cretPass@127.0.0.1:9200", "elastic:S3cretPass@127.0.0.1",
        "http://elastic:S3cret%40Pass@127.0.0.1:notaport", "http://elastic:S3cret%2FPass@[::1:9200/", "http://elastic:S3cretPass@[::1]:port",
        "https://elastic:S3cret Pass@es.example:9200", "ftp://elastic:S3cretPass@127.0.0.1", "http://elastic:S3cret/Pass@127.0.0.1:9200",
        "http://elastic:S3cret@Pass@127.0.0.1:notaport", "//elastic:S3cretPass@127.0.0.1:9200", "http://127.0.0.1:9200, elastic:S3cretPass@127.0.0.1",
        // A comma in a password splits the list inside it: the start of the password sits where a port would.
        "http://elastic:S3cret,Pass@127.0.0.1:9200", "http://elastic:S3cretPass@[::1]:9200", "https://elastic:S3cret%25Pass@es.example:9200/",
    ])
    func credentialsNeverShowWhateverTheURLsShape(_ urls: String) throws {
        do {
            let configuration = try ElasticsearchConfiguration(urls: urls)
            #expect(!configuration.description.contains("S3cret"), "\(configuration)")
        } catch {
            #expect(!error.description.contains("S3cret") && !error.debugDescription.contains("S3cret"), "\(error)")
        }
    }

    /// The URL of issue 20: refused, the user and host still named, the password not.
    @Test func anUnparsableURLIsNamedWithoutItsPassword() throws {
        let error = #expect(throws: ElasticsearchError.self) { try ElasticsearchConfiguration(urls: "http://elastic:S3cretPass@127.0.0.1:notaport/") }
        #expect(error?.description.contains("not an http(s) URL") == true, "\(String(describing: error))")
        #expect(error?.description.contains("elastic:***@127.0.0.1") == true, "\(String(describing: error))")
    }

    /// Nodes given as URLs that carry credentials (the memberwise initializer takes them as they
    /// are, and libcurl uses them) are described without them.
    @Test func nodesWithCredentialsAreDescribedWithoutThem() throws {
        let configuration = ElasticsearchConfiguration(nodes: [
            try #require(URL(string: "https://elastic:S3cretPass@es1.example:9200")), try #require(URL(string: "http://token@es2.example:9201")),
        ])
        #expect(!configuration.description.contains("S3cret") && !configuration.description.contains("token"), "\(configuration)")
        #expect(configuration.description.contains("es1.example:9200") && configuration.description.contains("es2.example:9201"))
    }

    /// What `redacted` keeps: the scheme, the user name, the host, a numeric port, the path.
    @Test func redactionKeepsWhatHelpsAndHidesWhatMightBeSecret() {
        let cases: [(String, String)] = [
            ("https://es.example:9200/", "https://es.example:9200/"),
            ("https://elastic:S3cret@es.example:9200/x?y#z", "https://elastic:***@es.example:9200/x?y#z"),
            ("http://token@es.example", "http://***@es.example"),
            ("elastic:S3cret@127.0.0.1:9200", "elastic:***@127.0.0.1:9200"),
            ("http://elastic:p/a@ss@127.0.0.1:notaport/", "http://elastic:***@127.0.0.1:***/"),
            ("http://elastic:S3cret@[::1]:9200", "http://elastic:***@[::1]:9200"),
            ("http://[::1]:port", "http://[::1]:***"),
            ("//elastic:S3cret@host", "//elastic:***@host"),
            ("http://elastic:S3cret", "http://elastic:***"),
            ("", ""),
        ]
        for (url, expected) in cases {
            #expect(ElasticsearchConfiguration.redacted(url) == expected, "\(url)")
        }
    }

    @Test func gzipBodiesArriveIntact() async throws {
        let received = Mutex<(String?, [UInt8])>((nil, []))
        let server = try LoopbackServer { request in
            received.withLock { $0 = (request.headers["content-encoding"], request.body) }
            return .json("{}")
        }
        defer { server.stop() }
        try await Self.with([server.url], gzip: true) { transport throws in
            let body = Array(String(repeating: #"{"index":{"_id":"1"}}\n{"name":"Zoë Müller"}\n"#, count: 500).utf8)
            _ = try await transport.send(HTTPRequest(.post, "/_bulk", body: body, contentType: "application/x-ndjson"))
            let (encoding, bytes) = received.withLock { $0 }
            #expect(encoding == "gzip")
            #expect(bytes.count < body.count / 5, "compressed")
            #expect(Gzip.decompress(bytes) == body)
        }
    }

    @Test func gzipResponsesAreDecoded() async throws {
        let server = try LoopbackServer { _ in
            LoopbackServer.Response(
                body: Gzip.compress(Array(#"{"name":"node-1"}"#.utf8)), headers: ["Content-Type": "application/json", "Content-Encoding": "gzip"])
        }
        defer { server.stop() }
        try await Self.with([server.url]) { transport throws in
            let response = try await transport.send(HTTPRequest(.get, "/"))
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"name":"node-1"}"#)
        }
    }

    /// The body is streamed to libcurl. When a kept-alive connection dies under a request (the
    /// server read it, then closed without answering), libcurl resends on a new connection and
    /// must rewind the body.
    @Test func aBodyIsResentWholeWhenAKeptAliveConnectionDiesUnderIt() async throws {
        // Each arrival with the number of connections the server had accepted by then.
        let arrivals = Mutex<[(body: [UInt8], connections: Int)]>([])
        let serverBox = Mutex<LoopbackServer?>(nil)
        let server = try LoopbackServer { request in
            let connections = serverBox.withLock { $0?.acceptedConnections ?? 0 }
            let arrival = arrivals.withLock { list in
                list.append((request.body, connections))
                return list.count
            }
            // The second request: close its connection unanswered.
            return arrival == 2 ? LoopbackServer.Response(dropConnection: true) : .json("{}")
        }
        serverBox.withLock { $0 = server }
        defer { server.stop() }
        try await Self.with([server.url], retry: .none) { transport throws in
            let body = Array(String(repeating: "0123456789", count: 50_000).utf8)
            #expect(try await transport.send(HTTPRequest(.post, "/_bulk", body: body, contentType: "application/x-ndjson")).status == 200)
            let second: Result<HTTPResponse, any Error>
            do {
                second = .success(try await transport.send(HTTPRequest(.post, "/_bulk", body: body, contentType: "application/x-ndjson")))
            } catch {
                second = .failure(error)
            }
            let received = arrivals.withLock { $0 }
            if received.count >= 2, received[1].connections == 1 {
                // It arrived on the kept-alive connection: libcurl resends it (retries are off: the
                // resend is libcurl's own), rewinding the body.
                #expect((try? second.get())?.status == 200)
                #expect(received.count == 3)
            } else {
                // A loaded machine let libcurl open a fresh connection: a drop there is a failure to
                // report, never a silent resend.
                #expect(throws: ElasticsearchError.self) { try second.get() }
            }
            #expect(received.allSatisfy { $0.body == body }, "every body arrived whole")
        }
    }

    @Test func aSlowServerHitsTheTimeout() async throws {
        // The answer would take 30 s (the server's thread waits; `stop()` ends the wait).
        let (server, _) = try LoopbackServer.holdingAnswers()
        defer { server.stop() }
        try await Self.with([server.url], retry: .none, timeout: .milliseconds(200)) { transport throws in
            let start = ContinuousClock.now
            let error = await #expect(throws: ElasticsearchError.self) { try await transport.send(HTTPRequest(.get, "/slow")) }
            #expect(error?.kind == .timeout)
            #expect(error?.path == "/slow")
            // It gave up long before the 30 s answer. The bound is loose on purpose: with the suite's
            // tests in parallel and two busy loops beside them, the 200 ms timeout was seen to end
            // the call after 4.9 s (the caller's task waited for a thread).
            #expect(ContinuousClock.now - start < .seconds(15))
        }
    }

    @Test(arguments: [429, 503])
    func overloadIsRetriedThenSucceeds(status: Int) async throws {
        let calls = Mutex(0)
        let server = try LoopbackServer { _ in
            let call = calls.withLock { count in
                count += 1
                return count
            }
            return call <= 2
                ? .json(#"{"error":{"type":"es_rejected_execution_exception","reason":"busy"},"status":\#(status)}"#, status: status)
                : .json(#"{"ok":1}"#)
        }
        defer { server.stop() }
        let clock = ManualClock()
        try await Self.with([server.url], clock: clock) { transport throws in
            async let response = transport.send(HTTPRequest(.get, "/orders/_search"))
            for retry in 1...2 {
                await clock.sleepers(atLeast: 1)
                #expect(calls.withLock { $0 } == retry, "each retry waits for its backoff")
                clock.advanceToNextDeadline()
            }
            #expect(try await response.status == 200)
            #expect(calls.withLock { $0 } == 3)
        }
    }

    /// The backoff is slept on the transport's clock: the retry goes only once the clock has
    /// passed the delay drawn for it (in the upper half of the ceiling, 50–100 ms here).
    @Test func aRetryWaitsOnTheClockUntilItsBackoffHasPassed() async throws {
        let server = try LoopbackServer(answers: [.json(#"{"error":"busy","status":503}"#, status: 503), .json("{}")])
        defer { server.stop() }
        let clock = ManualClock()
        let retry = RetryPolicy(maximumRetries: 3, baseDelay: .milliseconds(100), maximumDelay: .seconds(1))
        try await Self.with([server.url], retry: retry, clock: clock) { transport throws in
            // Given a first answer of 503: the transport sleeps on the clock.
            async let response = transport.send(HTTPRequest(.get, "/busy-once"))
            await clock.sleepers(atLeast: 1)
            #expect(server.handledRequests == 1)
            // When the clock has not reached the shortest possible delay, it still waits.
            clock.advance(by: .milliseconds(49))
            #expect(clock.sleeperCount == 1, "still backing off at t+49ms")
            #expect(server.handledRequests == 1)
            // Then past the ceiling, the retry goes and succeeds.
            clock.advance(by: .milliseconds(51))
            #expect(clock.sleeperCount == 0)
            #expect(try await response.status == 200)
            #expect(server.handledRequests == 2)
            #expect(clock.sleepsStarted == 1)
        }
    }

    @Test func overloadPersistingPastTheRetriesIsReturnedAsIs() async throws {
        let server = try LoopbackServer { _ in .json(#"{"error":"busy","status":503}"#, status: 503) }
        defer { server.stop() }
        let clock = ManualClock()
        try await Self.with([server.url], retry: RetryPolicy(maximumRetries: 2, baseDelay: .milliseconds(1)), clock: clock) { transport throws in
            async let response = transport.send(HTTPRequest(.get, "/"))
            await Self.letBackoffsPass(2, on: clock)
            #expect(try await response.status == 503)
            #expect(server.handledRequests == 3)
            #expect(clock.sleepsStarted == 2, "no backoff after the last attempt")
        }
    }

    @Test func badRequestsAreNotRetried() async throws {
        let server = try LoopbackServer { _ in .json(#"{"error":{"type":"parsing_exception","reason":"bad"},"status":400}"#, status: 400) }
        defer { server.stop() }
        try await Self.with([server.url]) { transport throws in
            #expect(try await transport.send(HTTPRequest(.get, "/")).status == 400)
            #expect(server.handledRequests == 1)
        }
    }

    @Test func nonIdempotentRequestsAreNotRetriedAfterReachingTheServer() async throws {
        let server = try LoopbackServer { _ in .json("{}", status: 503) }
        defer { server.stop() }
        try await Self.with([server.url]) { transport throws in
            #expect(try await transport.send(HTTPRequest(.post, "/orders/_doc", body: Array("{}".utf8))).status == 503)
            #expect(server.handledRequests == 1)
        }
    }

    @Test func aRefusedConnectionFailsOverToTheNextNode() async throws {
        let server = try LoopbackServer { _ in .json(#"{"ok":true}"#) }
        defer { server.stop() }
        let dead = try RefusingPort()
        try await Self.with([dead.url, server.url]) { transport throws in
            for _ in 0..<6 {
                // Non-idempotent too: a refused connection carried nothing.
                #expect(try await transport.send(HTTPRequest(.post, "/x", body: [])).status == 200)
            }
            #expect(server.handledRequests == 6, "the dead node is set aside after its first failure")
        }
    }

    @Test func aDroppedConnectionIsRetriedOnAnotherNodeForIdempotentRequests() async throws {
        let dropping = try LoopbackServer { _ in LoopbackServer.Response(dropConnection: true) }
        defer { dropping.stop() }
        let healthy = try LoopbackServer { _ in .json("{}") }
        defer { healthy.stop() }
        let clock = ManualClock()
        try await Self.with([dropping.url, healthy.url], clock: clock) { transport throws in
            async let response = transport.send(HTTPRequest(.get, "/"))
            // A dropped connection may have carried the request: it backs off before the next node.
            await clock.sleepers(atLeast: 1)
            #expect(dropping.handledRequests == 1 && healthy.handledRequests == 0)
            clock.advanceToNextDeadline()
            #expect(try await response.status == 200)
            #expect(dropping.handledRequests == 1)
            #expect(healthy.handledRequests == 1)
        }
    }

    @Test func errorsCarryTheirContext() async throws {
        let dead = try RefusingPort()
        try await Self.with([dead.url], authentication: .basic(username: "elastic", password: "pa55"), retry: .none) { transport throws in
            let error = await #expect(throws: ElasticsearchError.self) {
                try await transport.send(HTTPRequest(.get, "/orders/_doc/42", query: [("routing", "a b")]))
            }
            #expect(error?.kind == .connect)
            #expect(error?.method == "GET")
            #expect(error?.path == "/orders/_doc/42?routing=a%20b")
            #expect(error?.node?.hasPrefix("127.0.0.1:") == true)
            #expect(error?.underlying?.isEmpty == false)
            #expect(error.map { "\($0)" }?.contains("pa55") == false)
            #expect(error.map { String(reflecting: $0) }?.contains("pa55") == false)
        }
    }

    @Test func cancellingTheCallerAbortsTheTransfer() async throws {
        // The server tells when the request has arrived, then would answer after 30 s.
        let (server, arrivals) = try LoopbackServer.holdingAnswers()
        defer { server.stop() }
        // No timeout would end the call before the answer: only the cancellation can.
        try await Self.with([server.url], retry: .none, timeout: .seconds(60)) { transport throws in
            let task = Task { try await transport.send(HTTPRequest(.get, "/slow")) }
            for await _ in arrivals { break }
            let start = ContinuousClock.now
            task.cancel()
            let result = await task.result
            // Aborted long before the 30 s answer (loose for a loaded machine, as in the timeout test).
            #expect(ContinuousClock.now - start < .seconds(15))
            #expect((try? result.get()) == nil)
            #expect((result.failure as? ElasticsearchError)?.kind == .cancelled)
        }
    }

    @Test func aCallerCancelledBeforeItsRequestStartsSendsNothing() async throws {
        let server = try LoopbackServer { _ in .json("{}") }
        defer { server.stop() }
        try await Self.with([server.url], retry: .none) { transport throws in
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await transport.send(HTTPRequest(.get, "/"))
            }
            let result = await task.result
            #expect((result.failure as? ElasticsearchError)?.kind == .cancelled)
            #expect(server.handledRequests == 0)
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}
