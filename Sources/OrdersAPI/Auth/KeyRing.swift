import Foundation
package import Logging
package import OrdersStore
import ServiceLifecycle
import Synchronization

/// The API keys a running server accepts, held in memory and read again from the store whenever
/// `orders keys` changed them, in this process or another: every lookup first compares the
/// store's change marker (one `stat`), so a revocation counts from the next request on. When a
/// key was last used is batched and written once a minute, and at shutdown.
package final class KeyRing: Service, Sendable {
    private struct State {
        var marker: Marker?
        var keys: [String: ActiveAPIKey] = [:]
        var used: [String: Date] = [:]
        var loaded = false
    }

    /// What identifies one version of the marker file.
    private struct Marker: Equatable {
        var inode: UInt64
        var seconds: Int
        var nanoseconds: Int
    }

    private let keys: APIKeys
    private let wallClock: any WallClock
    private let clock: any Clock<Duration>
    private let logger: Logger
    private let state = Mutex(State())

    package init(keys: APIKeys, clock: any Clock<Duration> = ContinuousClock(), wallClock: any WallClock = SystemWallClock(), logger: Logger) {
        self.keys = keys
        self.clock = clock
        self.wallClock = wallClock
        self.logger = logger
    }

    /// The identity of an API key string; nil when it is not one we know (or was revoked).
    package func identity(forKey token: String) async throws -> Identity? {
        guard let (id, secret) = APIKeys.parse(token) else { return nil }
        let key = try await current()[id]
        guard let key, APIKeys.constantTimeEquals(APIKeys.sha256(secret), key.secretSHA256) else { return nil }
        let now = wallClock.now()
        state.withLock { $0.used[id] = now }
        return Identity(kind: .apiKey, name: key.name, role: key.role)
    }

    /// Whether any key is active (then callers must authenticate).
    package func hasKeys() async throws -> Bool { try await !current().isEmpty }

    /// The active keys, read again when the marker changed.
    private func current() async throws -> [String: ActiveAPIKey] {
        let marker = Self.marker(keys.changeMarker)
        if let keys = state.withLock({ $0.loaded && $0.marker == marker ? $0.keys : nil }) { return keys }
        let active = try await keys.active()
        let byID = Dictionary(active.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        state.withLock { state in
            state.keys = byID
            state.marker = marker
            state.loaded = true
        }
        logger.debug("api keys read", metadata: ["auth.keys": "\(byID.count)"])
        return byID
    }

    private static func marker(_ path: String) -> Marker? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Marker(inode: UInt64(info.st_ino), seconds: Int(info.st_mtim.tv_sec), nanoseconds: Int(info.st_mtim.tv_nsec))
    }

    /// Writes when keys were last used, every minute until graceful shutdown, and once more then.
    package func run() async throws {
        while (try? await cancelWhenGracefulShutdown({ try await self.clock.sleep(for: .seconds(60)) })) != nil {
            await flushUse()
        }
        await flushUse()
    }

    /// Writes the uses noted so far.
    package func flushUse() async {
        let used = state.withLock { state in
            defer { state.used = [:] }
            return state.used
        }
        do {
            try await keys.recordUse(used)
        } catch {
            logger.warning("could not record when api keys were last used", metadata: ["error": "\(error)"])
        }
    }
}
