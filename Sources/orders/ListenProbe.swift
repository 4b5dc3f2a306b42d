#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether `serve` can listen on an address now: asked before it opens or creates anything and
/// before it logs "serving", so that a port in use fails at once and leaves nothing behind. The
/// server binds again afterwards (as NIO does: `SO_REUSEADDR`, the first address the host
/// resolves to); a process that takes the port in between still makes it fail, later.
enum ListenProbe {
    static func check(host: String, port: Int) throws(CommandFailure) {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var addresses: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &addresses)
        guard resolved == 0, let address = addresses?.pointee else {
            throw CommandFailure("cannot listen on \(host):\(port): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(addresses) }
        let probe = socket(address.ai_family, address.ai_socktype, address.ai_protocol)
        // No socket to try with: the server reports what it meets.
        guard probe >= 0 else { return }
        defer { close(probe) }
        var on: Int32 = 1
        _ = setsockopt(probe, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        guard bind(probe, address.ai_addr, address.ai_addrlen) != 0 else { return }
        let code = errno
        if code == EADDRINUSE { throw CommandFailure("port \(port) is in use on \(host): stop what listens there, or pass another --port") }
        throw CommandFailure("cannot listen on \(host):\(port): \(String(cString: strerror(code)))")
    }
}
