package import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A 127.0.0.1 port that refuses connections: bound but never listening, so no other server (or
/// parallel test) can take it while this object lives. For "dead node" tests.
package final class RefusingPort: Sendable {
    private let descriptor: Int32
    package let url: URL

    package init() throws {
        let (fd, port) = try bindLoopbackSocket()
        descriptor = fd
        url = URL(string: "http://127.0.0.1:\(port)")!
    }

    deinit { close(descriptor) }
}

/// A 127.0.0.1 port another server listens on (it never accepts): for "port in use" tests.
package final class ListeningPort: Sendable {
    private let descriptor: Int32
    package let port: Int

    package init() throws {
        let (fd, port) = try bindLoopbackSocket()
        guard listen(fd, 1) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        descriptor = fd
        self.port = port
    }

    deinit { close(descriptor) }
}

/// A TCP socket bound to 127.0.0.1 on a free port, not yet listening: the descriptor and the port.
func bindLoopbackSocket() throws -> (Int32, Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    // No SO_REUSEADDR: on Linux, a port bound with it by a socket that is not listening (a
    // RefusingPort) can be handed out again to another socket that sets it too, and a "dead
    // node" would then answer as some parallel test's server. Port 0 needs no reuse anyway.
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else {
        close(fd)
        throw POSIXError(.init(rawValue: errno) ?? .EIO)
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// A 127.0.0.1 port free a moment ago (bound, read and closed), for a child process to listen
/// on: another process could take it meanwhile, which the caller then sees as "in use".
package func freeLoopbackPort() throws -> Int {
    let (fd, port) = try bindLoopbackSocket()
    close(fd)
    return port
}
