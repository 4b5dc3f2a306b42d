import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension CLITests {
    /// Runs `orders` with standard output and error on a pseudo-terminal, as in a terminal
    /// window, and returns what the terminal received (both streams, in order; the terminal
    /// turns each "\n" into "\r\n"). `environment` is added to this process's, without
    /// `NO_COLOR` unless it is given.
    static func runInTerminal(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> (status: Int32, text: String) {
        // A new pseudo-terminal (posix_openpt and the like are not in the Glibc module): its
        // master, unlocked, and the number of its other end, by Linux's ioctls.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        try #require(master >= 0)
        defer { close(master) }
        var locked: Int32 = 0
        var number: UInt32 = 0
        let (unlock, getNumber) = (UInt(0x4004_5431), UInt(0x8004_5430))  // TIOCSPTLCK, TIOCGPTN
        try #require(ioctl(master, unlock, &locked) == 0 && ioctl(master, getNumber, &number) == 0)
        let terminal = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        try #require(terminal >= 0)
        let terminalHandle = FileHandle(fileDescriptor: terminal, closeOnDealloc: true)
        let process = Process()
        process.executableURL = try ordersExecutable()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var variables = ProcessInfo.processInfo.environment
        variables["NO_COLOR"] = nil
        variables["TERM"] = "xterm-256color"
        variables.merge(environment) { $1 }
        process.environment = variables
        process.standardOutput = terminalHandle
        process.standardError = terminalHandle
        try process.run()
        // Only the child holds the terminal now: reading ends (EIO) when it exits.
        try terminalHandle.close()
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if count > 0 {
                received.append(contentsOf: buffer[0..<count])
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: received, as: UTF8.self))
    }
}
