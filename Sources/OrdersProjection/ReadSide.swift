package import Foundation
package import Logging
package import OrdersSearch
package import OrdersStore
package import ServiceLifecycle

/// Where a read side lives: its index and the projection's state file. Every property has a
/// documented default.
package struct ReadSideConfiguration: Sendable {
    /// The backend and where it is.
    package var index: ReadIndexConfiguration
    /// The projection's state file (checkpoints, dead letters, reindex jobs). Default: beside
    /// the embedded index (`data/read.sqlite` → `data/read-state.sqlite`), so that an index and
    /// its checkpoint move together; `data/projection-elasticsearch.sqlite` for Elasticsearch.
    package var statePath: String?

    package init(index: ReadIndexConfiguration, statePath: String? = nil) {
        self.index = index
        self.statePath = statePath
    }

    /// The embedded index at `path`, its state beside it.
    package static func embedded(path: String) -> ReadSideConfiguration {
        ReadSideConfiguration(index: .embedded(path: path))
    }

    /// `statePath`, or its default.
    package var resolvedStatePath: String {
        if let statePath { return statePath }
        guard case .embedded(let path) = index else { return "data/projection-elasticsearch.sqlite" }
        let url = URL(fileURLWithPath: path)
        let stem = url.deletingPathExtension().lastPathComponent
        let suffix = url.pathExtension.isEmpty ? "" : "." + url.pathExtension
        return url.deletingLastPathComponent().appendingPathComponent("\(stem)-state\(suffix)").relativePath
    }
}

/// A read side assembled from its configuration: the one place that puts an index, the
/// projection's state and the checkpoint's name together. The CLI, the server, the tests and
/// the benchmarks all open read sides here and build their projector, reindexer, dead-letter
/// retries and status from it.
package struct ReadSide: Sendable {
    /// The index (the query side reads it through `SearchIndexReader`, the projection writes it).
    package let index: any SearchIndex
    /// Its generations, for reindex.
    package let generations: any IndexGenerations
    /// The projection's checkpoints, dead letters and reindex jobs.
    package let state: ProjectionDatabase
    /// The live projector's checkpoint name; also the name of the read side's reindex lock.
    package let checkpointName: String
    /// For logs: where the documents go.
    package let location: String
    /// What must run while the read side is used, in the process's `ServiceGroup`.
    package let services: [any Service]

    package init(
        index: any SearchIndex, generations: any IndexGenerations, state: ProjectionDatabase, checkpointName: String, location: String,
        services: [any Service] = []
    ) {
        self.index = index
        self.generations = generations
        self.state = state
        self.checkpointName = checkpointName
        self.location = location
        self.services = services
    }

    /// Opens the index and the state file that `configuration` names.
    package static func open(_ configuration: ReadSideConfiguration, logger: Logger) throws -> ReadSide {
        let opened = try ReadIndex.open(configuration.index, logger: logger)
        return ReadSide(
            index: opened.index, generations: opened.generations, state: try ProjectionDatabase(path: configuration.resolvedStatePath),
            checkpointName: opened.identity, location: opened.location, services: opened.services)
    }

    /// The same read side writing through `index` (tests wrap the index to inject faults).
    package func writing(through index: any SearchIndex) -> ReadSide {
        ReadSide(
            index: index, generations: generations, state: state, checkpointName: checkpointName, location: location, services: services)
    }

    /// The same read side with its generations seen through `generations` (tests inject faults).
    package func generations(_ generations: any IndexGenerations) -> ReadSide {
        ReadSide(index: index, generations: generations, state: state, checkpointName: checkpointName, location: location, services: services)
    }

    /// What this read side's workers work with.
    package func context(
        store: EventStore, clock: any Clock<Duration> = ContinuousClock(), wallClock: any WallClock = SystemWallClock(), logger: Logger
    ) -> ProjectionContext {
        ProjectionContext(store: store, state: state, clock: clock, wallClock: wallClock, logger: logger)
    }

    /// The projector of this read side (`configuration.checkpointName` is set to this read side's).
    package func projector(
        store: EventStore, configuration: ProjectorConfiguration = .init(), clock: any Clock<Duration> = ContinuousClock(),
        wallClock: any WallClock = SystemWallClock(), logger: Logger
    ) -> Projector {
        var configuration = configuration
        configuration.checkpointName = checkpointName
        return Projector(
            context: context(store: store, clock: clock, wallClock: wallClock, logger: logger), index: index, configuration: configuration)
    }

    /// Its reindexer.
    package func reindexer(
        store: EventStore, options: ReindexOptions = .init(), clock: any Clock<Duration> = ContinuousClock(),
        wallClock: any WallClock = SystemWallClock(), logger: Logger
    ) -> Reindexer {
        Reindexer(
            context: context(store: store, clock: clock, wallClock: wallClock, logger: logger), generations: generations,
            readSide: checkpointName, options: options)
    }

    /// Its dead-letter retries.
    package func deadLetterRetry(
        store: EventStore, configuration: ProjectorConfiguration = .init(), clock: any Clock<Duration> = ContinuousClock(),
        wallClock: any WallClock = SystemWallClock(), logger: Logger
    ) -> DeadLetterRetry {
        DeadLetterRetry(
            context: context(store: store, clock: clock, wallClock: wallClock, logger: logger), index: index, configuration: configuration)
    }

    /// Checks that this read side is built from `store`'s log, recording it the first time;
    /// throws `ReadSideOfAnotherStore` otherwise. Every command that opens both calls it first.
    package func bind(to store: EventStore) async throws {
        let identity = try await store.identity()
        try await state.bind(toStore: identity, location: location)
        do {
            try await index.claim(forStore: identity)
        } catch let error as ReadSideOfAnotherStore {
            throw error
        } catch {
            // Unreachable now (Elasticsearch down at start): the projector claims it when it
            // starts, and retries that until it can.
        }
    }

    /// What `orders status` prints and `GET /admin/status` serves.
    package func status(store: EventStore, now: Date = Date()) async throws -> ReadSideStatus {
        try await ReadSideStatus.read(store: store, index: index, state: state, checkpointName: checkpointName, now: now)
    }
}
