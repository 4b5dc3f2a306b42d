import Foundation
import HTTPTypes
import LiveHTTP
import LoopbackHTTP
import NIOCore
import Synchronization
import Testing

/// `orders serve` as an operator runs it: a child process on 127.0.0.1, asked over HTTP, stopped
/// with SIGTERM.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ServeTests {
    /// A running `orders serve` and everything it has printed so far.
    final class Served: Sendable {
        let process: Process
        let port: Int
        private let printed = Mutex(Data())

        private init(process: Process, port: Int) {
            self.process = process
            self.port = port
        }

        var output: String { printed.withLock { String(decoding: $0, as: UTF8.self) } }

        /// Starts `orders serve ARGUMENTS --port P` in `directory` and waits (on real time: it is
        /// another process) until it listens.
        static func start(_ arguments: [String], in directory: URL) async throws -> Served {
            let port = try freeLoopbackPort()
            let process = Process()
            process.executableURL = try CLITests.ordersExecutable()
            process.arguments = ["serve", "--port", "\(port)"] + arguments
            process.currentDirectoryURL = directory
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            let served = Served(process: process, port: port)
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                served.printed.withLock { $0.append(data) }
            }
            try process.run()
            let deadline = ContinuousClock.now + .seconds(60)
            while !served.output.contains("listening on 127.0.0.1:\(port)") {
                guard process.isRunning, ContinuousClock.now < deadline else {
                    process.terminate()
                    throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "serve did not start: \(served.output)"])
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            return served
        }

        /// Sends SIGTERM and waits for the exit status.
        func stop() async -> Int32 {
            process.terminate()
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
            return process.terminationStatus
        }

        var client: TestClient { TestClient(port: port) }
    }

    @Test func metricsDescribeEveryFamilyCountReplaysAndSIGTERMStopsWithStatus0() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orders-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let seeded = try CLITests.run(["seed", "--orders", "20"], in: directory)
        try #require(seeded.status == 0, "\(seeded.stderr)")
        let served = try await Served.start(["--rate-limit", "0"], in: directory)
        // A command and its retry under one key
        let key = "Idempotency-Key"
        for expected in [201, 200] {
            let status = try await served.client.execute(
                uri: "/customers", method: .post, headers: [.contentType: "application/json", .init(key)!: "k-1"],
                body: .init(string: #"{"name":"Ada","email":"ada@example.com"}"#)
            ) { Int($0.status.code) }
            #expect(status == expected)
        }
        // Once the projector has caught up
        let deadline = ContinuousClock.now + .seconds(60)
        while try await served.client.execute(uri: "/ready", method: .get, testCallback: { $0.status }) != .ok, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let metrics = try await served.client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
        let lines = metrics.split(separator: "\n")
        // Then every family says what it is
        let families = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(families.count >= 10, "\(metrics)")
        for (index, line) in lines.enumerated() where line.hasPrefix("# TYPE ") {
            let name = line.split(separator: " ")[2]
            #expect(index > 0 && lines[index - 1].hasPrefix("# HELP \(name) "), "no HELP for \(name)")
        }
        // and the projector's batches are there, the replay counted as one
        for family in ["orders_projection_batches_total", "orders_projection_events_total", "orders_projection_documents_total"] {
            let line: Substring? = lines.first { $0.hasPrefix("\(family) ") }
            let value: Double = line.flatMap { Double($0.split(separator: " ")[1]) } ?? 0
            #expect(value > 0, "\(family) counts the batches projected: \(line ?? "missing")")
        }
        #expect(metrics.contains(#"orders_commands_total{command="customer.register",outcome="ok"} 1"#))
        #expect(metrics.contains(#"orders_commands_total{command="customer.register",outcome="replayed"} 1"#))
        // And SIGTERM stops the server cleanly: status 0, no error printed
        let status = await served.stop()
        #expect(status == 0, "\(served.output)")
        #expect(!served.output.contains("Error"), "\(served.output)")
    }
}
