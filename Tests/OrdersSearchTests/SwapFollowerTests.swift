import Foundation
import OrdersSearch
import ServiceLifecycleTestKit
import TestClocks
import Testing

/// A reindex in another process swaps the link; the serving process must let go of the retired
/// generation's files soon after, not at its next call (an idle server would keep them, and
/// their disk space, for as long as nobody asks).
@Suite(.timeLimit(.minutes(1))) struct SwapFollowerTests {
    @Test func aSwapByAnotherProcessIsFollowedAtTheNextLook() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swap-follower-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("read.sqlite").path
        let serving = try LiveEmbeddedIndex(path: path)
        // The other process: its own view of the generations, as `orders reindex` opens them.
        let reindexing = EmbeddedGenerations(path: path)
        #expect(serving.openGeneration == "read-1.sqlite")
        try await reindexing.create("read-2.sqlite")
        try await reindexing.swap(to: "read-2.sqlite", from: "read-1.sqlite")

        let clock = ManualClock()
        let follower = SwapFollower(index: serving, interval: .seconds(1), clock: clock)
        let running = Task { await follower.run() }
        defer { running.cancel() }
        await clock.sleepers(atLeast: 1)
        #expect(serving.openGeneration == "read-1.sqlite", "nothing looked yet")
        clock.advance(by: .seconds(1))
        // The follower looks, moves, and sleeps again.
        await clock.sleepers(atLeast: 1)
        while serving.openGeneration != "read-2.sqlite" { await Task.yield() }
        #expect(serving.openGeneration == "read-2.sqlite")
    }

    /// `orders serve` exits 0 on SIGTERM only if every service ends without an error when the
    /// server shuts down gracefully.
    @Test func aGracefulShutdownEndsItWithoutAnError() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swap-follower-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = ManualClock()
        let follower = SwapFollower(index: try LiveEmbeddedIndex(path: directory.appendingPathComponent("read.sqlite").path), clock: clock)
        await testGracefulShutdown { shutdown in
            async let running: Void = follower.run()
            await clock.sleepers(atLeast: 1)
            shutdown.triggerGracefulShutdown()
            await running
        }
    }
}
