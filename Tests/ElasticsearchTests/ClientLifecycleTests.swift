import Foundation
import Logging
import LoopbackHTTP
import ServiceLifecycle
import Testing

@testable import Elasticsearch

/// The client as a ServiceLifecycle `Service`: `run()` holds its transfer thread until graceful
/// shutdown or cancellation; then requests fail with `.shutDown` and the thread is gone.
@Suite(.timeLimit(.minutes(1))) struct ClientLifecycleTests {
    static func client(_ url: URL) -> ElasticsearchClient {
        var configuration = ElasticsearchConfiguration(nodes: [url])
        configuration.retry = .none
        return ElasticsearchClient(configuration: configuration, logger: Logger(label: "test"))
    }

    /// Whether this process has a thread named `name` (Linux: `/proc/self/task/*/comm`); nil
    /// where that cannot be read.
    static func threadExists(named name: String) -> Bool? {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return nil }
        return tasks.contains { task in
            (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                == name
        }
    }

    /// Checks that the client's transfer thread has returned and, where the OS shows it, is gone.
    static func expectNoThreadLeft(_ client: ElasticsearchClient, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(client.transport.loop.threadState == .exited, sourceLocation: sourceLocation)
        // The OS thread ends just after its body returns.
        for _ in 0..<200 where threadExists(named: client.transport.loop.threadName) == true {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(threadExists(named: client.transport.loop.threadName) != true, "the loop thread exited", sourceLocation: sourceLocation)
    }

    /// Checks that a request fails with the shut-down error and sends nothing.
    static func expectShutDown(_ client: ElasticsearchClient, sourceLocation: SourceLocation = #_sourceLocation) async {
        let error = await #expect(throws: ElasticsearchError.self, sourceLocation: sourceLocation) { try await client.indexExists("orders") }
        #expect(error?.kind == .shutDown, sourceLocation: sourceLocation)
        #expect(error?.description == "elasticsearch shut_down: the client was shut down (HEAD /orders)", sourceLocation: sourceLocation)
    }

    @Test func gracefulShutdownOfItsGroupStopsTheClient() async throws {
        let server = try LoopbackServer { _ in .json("{}") }
        defer { server.stop() }
        let client = Self.client(server.url)
        let group = ServiceGroup(services: [client], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // While the group runs, requests go through; the first starts the transfer thread.
            #expect(client.transport.loop.threadState == .notStarted)
            #expect(try await client.indexExists("orders"))
            #expect(client.transport.loop.threadState == .running)
            if let exists = Self.threadExists(named: client.transport.loop.threadName) { #expect(exists, "the loop thread is visible") }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        try await Self.expectNoThreadLeft(client)
        await Self.expectShutDown(client)
        #expect(server.handledRequests == 1, "nothing was sent after the shutdown")
        #expect(client.transport.loop.threadState == .exited, "a request after the shutdown does not restart the thread")
    }

    @Test func cancellingRunStopsTheClient() async throws {
        let server = try LoopbackServer { _ in .json("{}") }
        defer { server.stop() }
        let client = Self.client(server.url)
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await client.run() }
            #expect((try? await client.indexExists("orders")) == true)
            tasks.cancelAll()
        }
        try await Self.expectNoThreadLeft(client)
        await Self.expectShutDown(client)
    }

    @Test func aRequestBeforeRunWorksAndRunStillEndsTheThread() async throws {
        let server = try LoopbackServer { _ in .json("{}") }
        defer { server.stop() }
        let client = Self.client(server.url)
        // Before `run()` (bootstrapping before the group starts): the thread starts lazily.
        #expect(try await client.indexExists("orders"))
        #expect(client.transport.loop.threadState == .running)
        let exists = try await withRunningService(client) { try await client.indexExists("orders") }
        #expect(exists)
        try await Self.expectNoThreadLeft(client)
        await Self.expectShutDown(client)
    }

    @Test func aRequestInFlightWhenTheClientStopsFailsWithTheShutDownError() async throws {
        let (server, arrivals) = try LoopbackServer.holdingAnswers()
        defer { server.stop() }
        let client = Self.client(server.url)
        let started = ContinuousClock.now
        let result = await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await client.run() }
            let request = Task { try await client.indexExists("orders") }
            for await _ in arrivals { break }
            tasks.cancelAll()
            return await request.result
        }
        #expect((result.failure as? ElasticsearchError)?.kind == .shutDown)
        #expect(ContinuousClock.now - started < .seconds(15), "it did not wait for the 30 s answer")
        try await Self.expectNoThreadLeft(client)
    }

    @Test func aClientNeverUsedStartsNoThread() async throws {
        let client = Self.client(URL(string: "http://127.0.0.1:1")!)
        try await withRunningService(client) {
            #expect(client.transport.loop.threadState == .notStarted)
        }
        #expect(client.transport.loop.threadState == .exited)
        await Self.expectShutDown(client)
    }
}
