import Foundation
import GRDB
import ServiceLifecycle
import Synchronization

/// The embedded read side as generations: files `<stem>-<n>.sqlite` beside the read database's
/// path, which is a symbolic link to the live one. Swapping renames a new link over it (atomic
/// in POSIX), so readers in any process see either the old or the new generation. A path that
/// is a plain file (an index created before generations) is the live generation under its own
/// name until the first swap replaces it.
package struct EmbeddedGenerations: IndexGenerations {
    /// The read database's path (the link).
    package let name: String
    private let directory: URL
    private let naming: GenerationNaming
    /// Told after each swap made through these generations (the live index of this process
    /// lets go of the old generation's files at once).
    let swapped = SwapListeners()

    package init(path: String) {
        name = path
        directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        naming = GenerationNaming(base: path)
    }

    private var baseName: String { URL(fileURLWithPath: name).lastPathComponent }

    func path(of generation: String) -> String { directory.appendingPathComponent(generation).path }

    package func list() async throws -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let numbered = files.compactMap { file in naming.number(of: file).map { (file, $0) } }.sorted { $0.1 < $1.1 }.map(\.0)
        return (Self.linkTarget(name) == nil && FileManager.default.fileExists(atPath: name) ? [baseName] : []) + numbered
    }

    package func live() async throws -> String? { Self.liveGeneration(path: name) }

    /// The generation the path stands for: the link's target, the file itself, or nil.
    static func liveGeneration(path: String) -> String? {
        if let target = linkTarget(path) { return URL(fileURLWithPath: target).lastPathComponent }
        return FileManager.default.fileExists(atPath: path) ? URL(fileURLWithPath: path).lastPathComponent : nil
    }

    static func linkTarget(_ path: String) -> String? { try? FileManager.default.destinationOfSymbolicLink(atPath: path) }

    package func create(_ generation: String) async throws {
        _ = try EmbeddedSearchIndex(path: path(of: generation))
    }

    package func index(_ generation: String) throws -> any SearchIndexWriter {
        try EmbeddedSearchIndex(path: generation == baseName && Self.linkTarget(name) == nil ? name : path(of: generation))
    }

    package func finishLoading(_ generation: String) async throws {
        let index = try EmbeddedSearchIndex(path: path(of: generation))
        try await index.writer.write { db in
            // Merge the text index's segments and refresh the planner's statistics.
            try db.execute(sql: "INSERT INTO orders_text (orders_text) VALUES ('optimize'); PRAGMA optimize")
        }
    }

    package func count(_ generation: String) async throws -> Int {
        try await EmbeddedSearchIndex(path: path(of: generation)).stats().documents
    }

    package func swap(to generation: String, from old: String?) async throws {
        guard FileManager.default.fileExists(atPath: path(of: generation)) else {
            throw EmbeddedGenerationError(reason: "cannot swap to \(generation): \(path(of: generation)) does not exist")
        }
        let current = Self.liveGeneration(path: name)
        guard current == old else {
            throw EmbeddedGenerationError(reason: "\(name) points at \(current ?? "nothing"), expected \(old ?? "nothing"): not swapped")
        }
        let temporary = directory.appendingPathComponent(".\(baseName).swap-\(ProcessInfo.processInfo.processIdentifier)").path
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: generation)
        guard rename(temporary, name) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw EmbeddedGenerationError(reason: "cannot point \(name) at \(generation): \(reason)")
        }
        swapped.notify()
    }

    package func delete(_ generation: String) async throws {
        guard generation != Self.liveGeneration(path: name) else {
            throw EmbeddedGenerationError(reason: "\(generation) is live behind \(name): not deleted")
        }
        for suffix in ["", "-wal", "-shm"] {
            let file = path(of: generation) + suffix
            if FileManager.default.fileExists(atPath: file) { try FileManager.default.removeItem(atPath: file) }
        }
    }
}

/// Who is told of a swap (the live index of the process that swapped).
final class SwapListeners: Sendable {
    private let listeners = Mutex<[@Sendable () -> Void]>([])

    func add(_ listener: @escaping @Sendable () -> Void) { listeners.withLock { $0.append(listener) } }

    func notify() { for listener in listeners.withLock({ $0 }) { listener() } }
}

package struct EmbeddedGenerationError: Error, Sendable, CustomStringConvertible {
    package var reason: String
    package var description: String { "embedded read index: \(reason)" }
}

/// The embedded read side as the service uses it: whatever generation the path stands for now.
/// It follows a swap made by a reindex in this process at once, one made by another process at
/// its next call or when `SwapFollower` next looks. A write that raced a swap is written again
/// to the new generation, so nothing lands only in a retired one.
package final class LiveEmbeddedIndex: SearchIndex {
    package let generations: EmbeddedGenerations
    private let current: Mutex<(generation: String, index: EmbeddedSearchIndex)>

    /// Opens the read side at `path`; a new one starts as generation 1 behind a link.
    package init(path: String) throws {
        generations = EmbeddedGenerations(path: path)
        if EmbeddedGenerations.liveGeneration(path: path) == nil {
            let first = GenerationNaming(base: path).name(1)
            _ = try EmbeddedSearchIndex(path: generations.path(of: first))
            try? FileManager.default.removeItem(atPath: path)  // a dangling link
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: first)
        }
        let generation = EmbeddedGenerations.liveGeneration(path: path) ?? ""
        current = Mutex((generation, try EmbeddedSearchIndex(path: path)))
        // A swap made in this process moves to the new generation at once, so the old one's
        // files (deleted right after by the reindex) are closed then, not at the next call.
        generations.swapped.add { [weak self] in _ = try? self?.live() }
    }

    /// The generation open now (tests).
    package var openGeneration: String { current.withLock { $0.generation } }

    /// The live generation's index, reopened when the link moved.
    package func live() throws -> EmbeddedSearchIndex {
        let generation = EmbeddedGenerations.liveGeneration(path: generations.name) ?? ""
        if let index = current.withLock({ $0.generation == generation ? $0.index : nil }) { return index }
        let index = try EmbeddedSearchIndex(path: generations.name)
        current.withLock { $0 = (generation, index) }
        return index
    }

    package func apply(_ documents: [OrderDocument], waitForVisibility: Bool) async throws -> [ApplyOutcome] {
        var index = try live()
        while true {
            let outcomes = try await index.apply(documents, waitForVisibility: waitForVisibility)
            let now = try live()
            if now === index { return outcomes }
            index = now
        }
    }

    package func search(_ query: SearchOrdersQuery) async throws -> SearchOrdersResult { try await live().search(query) }
    package func order(id: String) async throws -> OrderDocument? { try await live().order(id: id) }
    package func orders(customerID: String, size: Int, after: String?) async throws -> (orders: [OrderSummary], nextCursor: String?) {
        try await live().orders(customerID: customerID, size: size, after: after)
    }
    package func stats() async throws -> IndexStats { try await live().stats() }
    /// The link and the generation it points at.
    package func describe() async -> IndexDescription {
        await EmbeddedSearchIndex.describe(location: generations.name, name: try? await generations.live()) { try await self.stats() }
    }
    package func analytics(_ panel: AnalyticsPanel, _ query: AnalyticsQuery) async throws -> AnalyticsAnswer {
        try await live().analytics(panel, query)
    }
}

/// Follows swaps that another process (`orders reindex`) makes: looks at the link every
/// `interval` and moves to the new generation then, closing the retired one's files, whose
/// disk space a reindex frees only once no process holds them open. A swap made in this
/// process is followed at once without it.
package struct SwapFollower: Service {
    let index: LiveEmbeddedIndex
    let interval: Duration
    let clock: any Clock<Duration>

    package init(index: LiveEmbeddedIndex, interval: Duration = .seconds(1), clock: any Clock<Duration> = ContinuousClock()) {
        self.index = index
        self.interval = interval
        self.clock = clock
    }

    /// Looks every `interval` until graceful shutdown, then returns (a stop is not an error:
    /// `orders serve` exits 0 on SIGTERM).
    package func run() async {
        while (try? await cancelWhenGracefulShutdown({ try await clock.sleep(for: interval) })) != nil {
            // A link that cannot be read now is read again at the next look or call.
            _ = try? index.live()
        }
    }
}
