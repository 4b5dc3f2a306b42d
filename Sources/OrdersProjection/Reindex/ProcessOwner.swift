import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Who holds a reindex lock: `<host>:<pid>:<process start>`. On the same host, a holder whose
/// process no longer runs (or whose pid now belongs to a process started later) is known to be
/// gone at once, without waiting for its heartbeat to go stale. Assumes that a host name is not
/// shared by machines or containers with their own process ids (Docker gives each container its
/// own by default).
package enum ProcessOwner {
    /// This process.
    package static let current: String = {
        let pid = getpid()
        return "\(hostName):\(pid):\(startTime(of: pid) ?? "-")"
    }()

    static let hostName = ProcessInfo.processInfo.hostName

    /// Whether `owner` names a process of this host that is gone. False for other hosts and
    /// for owners this cannot read (they go stale by their heartbeat instead).
    package static func isGone(_ owner: String) -> Bool {
        let parts = owner.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == hostName, let pid = Int32(parts[1]), pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        // The pid runs: it is the holder unless it started at another time (the pid was reused).
        guard parts.count >= 3, parts[2] != "-", let started = startTime(of: pid) else { return false }
        return started != parts[2]
    }

    /// When process `pid` started, in clock ticks since boot (`/proc/<pid>/stat`, field 22);
    /// nil where there is no `/proc`.
    static func startTime(of pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        // After the command name (which may hold spaces) come fields 3, 4, ...: field 22 is the 20th.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }
}
