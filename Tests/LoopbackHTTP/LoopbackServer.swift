package import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 and a free port, for transport tests and benchmarks: one
/// thread per connection, keep-alive, `Content-Length` bodies, no Nagle. The handler decides each
/// answer. It counts the connections it accepted, so tests can check connection reuse.
package final class LoopbackServer: Sendable {
    package struct Request: Sendable {
        package var method: String
        package var target: String
        /// Header names lower-cased.
        package var headers: [String: String]
        package var body: [UInt8]

        package var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
        package var query: String? { target.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) }
        /// The query parameters, percent-decoded.
        package var parameters: [String: String] {
            var parameters: [String: String] = [:]
            for pair in (query ?? "").split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                parameters[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            return parameters
        }
    }

    package struct Response: Sendable {
        package var status: Int
        package var body: [UInt8]
        package var headers: [String: String]
        /// Wait this long before answering (timeouts). `stop()` ends the wait: the connection is
        /// then dropped unanswered, and no thread outlives the test by the rest of the delay.
        package var delay: Duration
        /// Close the connection instead of answering (connection failures).
        package var dropConnection: Bool
        /// Answer, then close the connection without saying so (a keep-alive connection the
        /// server timed out).
        package var closeAfterResponse: Bool
        /// Reset the connection (a TCP RST) instead of answering: the peer reads "connection
        /// reset by peer", not an orderly close.
        package var resetConnection: Bool

        package init(
            status: Int = 200, body: [UInt8] = Array("{}".utf8), headers: [String: String] = ["Content-Type": "application/json"],
            delay: Duration = .zero, dropConnection: Bool = false, closeAfterResponse: Bool = false, resetConnection: Bool = false
        ) {
            self.status = status
            self.body = body
            self.headers = headers
            self.delay = delay
            self.dropConnection = dropConnection
            self.closeAfterResponse = closeAfterResponse
            self.resetConnection = resetConnection
        }

        package static func json(_ text: String, status: Int = 200) -> Response { Response(status: status, body: Array(text.utf8)) }
    }

    package typealias Handler = @Sendable (Request) -> Response

    package let port: Int
    private let listener: Int32
    private let handler: Handler
    private let state = Mutex(State())
    /// Signalled by `stop()` to end delayed answers early.
    private let stopping = NSCondition()

    private struct State: ~Copyable {
        var connections = 0
        var requests = 0
        var sockets: Set<Int32> = []
        var stopped = false
        var listenerClosed = false
    }

    /// Starts listening; `stop()` closes everything.
    package init(handler: @escaping Handler) throws {
        self.handler = handler
        let (fd, port) = try bindLoopbackSocket()
        guard listen(fd, 128) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        listener = fd
        self.port = port
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    package var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    package var acceptedConnections: Int { state.withLock { $0.connections } }
    package var handledRequests: Int { state.withLock { $0.requests } }

    /// Stops accepting and drops every connection. Idempotent.
    ///
    /// Descriptors are only shut down here, under the lock, and only while this server still
    /// owns them: their threads close them under the same lock. A descriptor number closed
    /// elsewhere is soon reused by a parallel test's socket, and shutting that one down would
    /// break an unrelated connection ("server returned nothing").
    package func stop() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            if !state.listenerClosed { shutdown(listener, Int32(SHUT_RDWR)) }
            for socket in state.sockets { shutdown(socket, Int32(SHUT_RDWR)) }
        }
        stopping.lock()
        stopping.broadcast()
        stopping.unlock()
    }

    deinit { stop() }

    private func acceptLoop() {
        defer {
            state.withLock { state in
                state.listenerClosed = true
                close(listener)
            }
        }
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR || errno == ECONNABORTED, !state.withLock({ $0.stopped }) { continue }
                return
            }
            var yes: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            let accepted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.connections += 1
                state.sockets.insert(connection)
                return true
            }
            guard accepted else {
                close(connection)
                return
            }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer {
            state.withLock { state in
                state.sockets.remove(connection)
                close(connection)
            }
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        func fill() -> Bool {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return false }
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
        while true {
            // Head
            var headEnd: Int?
            while headEnd == nil {
                headEnd = Self.find([13, 10, 13, 10], in: buffer)
                if headEnd == nil, !fill() { return }
            }
            let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
            buffer.removeFirst(headEnd! + 4)
            var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            let requestLine = lines.removeFirst().split(separator: " ")
            guard requestLine.count >= 2 else { return }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            while buffer.count < length { if !fill() { return } }
            let body = Array(buffer[0..<length])
            buffer.removeFirst(length)
            state.withLock { $0.requests += 1 }

            let response = handler(Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body))
            if response.delay > .zero, !wait(response.delay) { return }
            if response.dropConnection { return }
            if response.resetConnection {
                // Closed with a zero linger time, the socket sends RST instead of FIN.
                var noLinger = linger(l_onoff: 1, l_linger: 0)
                setsockopt(connection, SOL_SOCKET, SO_LINGER, &noLinger, socklen_t(MemoryLayout<linger>.size))
                return
            }
            var out = Array("HTTP/1.1 \(response.status) \(response.status < 400 ? "OK" : "Error")\r\n".utf8)
            var responseHeaders = response.headers
            responseHeaders["Content-Length"] = String(headers["x-no-body"] == nil && requestLine[0] != "HEAD" ? response.body.count : 0)
            for (name, value) in responseHeaders { out.append(contentsOf: "\(name): \(value)\r\n".utf8) }
            out.append(contentsOf: "\r\n".utf8)
            if requestLine[0] != "HEAD" { out.append(contentsOf: response.body) }
            var sent = 0
            while sent < out.count {
                let count = out[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard count > 0 else { return }
                sent += count
            }
            if response.closeAfterResponse { return }
        }
    }

    /// Waits `delay` unless `stop()` comes first; false when it did.
    private func wait(_ delay: Duration) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
        stopping.lock()
        defer { stopping.unlock() }
        while !state.withLock({ $0.stopped }) {
            if !stopping.wait(until: deadline) { return !state.withLock { $0.stopped } }
        }
        return false
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if Array(haystack[index..<index + needle.count]) == needle { return index }
        }
        return nil
    }
}
