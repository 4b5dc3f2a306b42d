import Logging
package import OrdersDomain

/// An aggregate as loaded from its stream.
package struct Loaded<A: EventSourced>: Sendable {
    /// `nil` when the stream is empty (the aggregate does not exist).
    package var state: A?
    /// The stream's version (number of events); 0 when it does not exist.
    package var version: Int
    /// The global position of the stream's newest event; 0 when it does not exist.
    package var lastPosition: Int64
}

/// What a handler decided: the events to append, and the unique values they claim or release.
package struct Decision<Event: Sendable>: Sendable {
    package var events: [Event]
    package var claims: [UniqueKey]
    package var releases: [UniqueKey]
    /// Other aggregates the decision depends on, by stream id, at the versions it saw.
    package var readVersions: [String: Int]

    package init(_ events: [Event], claims: [UniqueKey] = [], releases: [UniqueKey] = [], reading readVersions: [String: Int] = [:]) {
        self.events = events
        self.claims = claims
        self.releases = releases
        self.readVersions = readVersions
    }
}

/// Loads aggregates by folding their streams, and runs the load → decide → append cycle of a
/// command with optimistic concurrency. Recently used aggregates are kept in a bounded cache;
/// correctness never depends on it (see `AggregateCache`).
package struct AggregateRepository: Sendable {
    package let store: EventStore
    /// How many times a command is decided again after a concurrent write to its stream.
    package let maximumAttempts: Int
    private let cache: AggregateCache?

    /// `cacheCapacity` aggregates are kept in memory (0 turns the cache off).
    package init(store: EventStore, maximumAttempts: Int = 5, cacheCapacity: Int = 50_000) {
        precondition(maximumAttempts > 0)
        self.store = store
        self.maximumAttempts = maximumAttempts
        self.cache = cacheCapacity > 0 ? AggregateCache(capacity: cacheCapacity) : nil
    }

    /// The aggregate in `streamID`, from the cache when it holds it, else folded from the store.
    package func load<A: EventSourced>(_ type: A.Type, streamID: String) async throws -> Loaded<A> {
        if let entry = cache?.get(streamID), let state = entry.state as? A {
            return Loaded(state: state, version: entry.version, lastPosition: entry.lastPosition)
        }
        let loaded = try await loadFromStore(A.self, streamID: streamID)
        if let state = loaded.state { cache?.put(streamID, .init(version: loaded.version, lastPosition: loaded.lastPosition, state: state)) }
        return loaded
    }

    private func loadFromStore<A: EventSourced>(_ type: A.Type, streamID: String) async throws -> Loaded<A> {
        let recorded = try await store.readStream(streamID)
        var events: [A.Event] = []
        events.reserveCapacity(recorded.count)
        for event in recorded {
            guard let own = A.event(from: try event.decode()) else {
                throw EventStoreError(
                    .corruptStream, "stream \(streamID) holds a \(event.type) event at position \(event.position), not a \(A.self) event",
                    streamID: streamID
                )
            }
            events.append(own)
        }
        do {
            return Loaded(state: try A.fold(events), version: recorded.last?.streamVersion ?? 0, lastPosition: recorded.last?.position ?? 0)
        } catch {
            throw EventStoreError(.corruptStream, "stream \(streamID): \(error.message)", streamID: streamID)
        }
    }

    /// Handles a command against the aggregate in `command.streamID`.
    ///
    /// A command id seen before returns its first outcome. A concurrent write to the stream
    /// between load and append makes the append fail; the command is then loaded and decided
    /// again (deciding is pure, so this is safe), up to `maximumAttempts` times, unless the caller
    /// pinned `expectedVersion`, in which case the conflict is the answer.
    ///
    /// `creates` marks commands that start a new aggregate: the first attempt assumes the stream
    /// is empty and skips reading it (the append's `expectedVersion: 0` checks that); if it exists
    /// after all, the conflict makes the next attempt load it, and `decide` refuses.
    package func execute<A: EventSourced>(
        _ type: A.Type, _ command: some Command, context: CommandContext, creates: Bool = false,
        decide: (Loaded<A>) async throws -> Decision<A.Event>
    ) async throws -> CommandResult {
        if let commandID = context.metadata.commandID, let earlier = try await store.processedCommand(commandID) {
            guard earlier.streamID == command.streamID else {
                throw EventStoreError(
                    .concurrencyConflict, "command id \(commandID) was already used for stream \(earlier.streamID)", streamID: command.streamID
                )
            }
            return CommandResult(
                aggregateID: command.aggregateID, streamVersion: earlier.result.streamVersion, position: earlier.result.position, replayed: true
            )
        }
        var attempt = 0
        while true {
            attempt += 1
            var loaded =
                creates && attempt == 1
                ? Loaded<A>(state: nil, version: 0, lastPosition: 0) : try await load(A.self, streamID: command.streamID)
            if let expected = context.metadata.expectedVersion, expected != loaded.version {
                // The cache may be behind another process: confirm against the store before refusing.
                loaded = try await loadFromStore(A.self, streamID: command.streamID)
                if expected != loaded.version {
                    throw EventStoreError.conflict(streamID: command.streamID, expected: expected, actual: loaded.version)
                }
            }
            let decision = try await decide(loaded)
            guard !decision.events.isEmpty else {
                // Nothing to change (renaming to the same name): report where the aggregate is.
                return CommandResult(aggregateID: command.aggregateID, streamVersion: loaded.version, position: loaded.lastPosition)
            }
            let request = AppendRequest(
                streamID: command.streamID,
                expectedVersion: loaded.version,
                events: try decision.events.map { try EventCodec.encode(A.domainEvent($0)) },
                metadata: EventMetadata(
                    commandID: context.metadata.commandID, correlationID: context.metadata.correlationID, recordedAt: context.now
                ),
                claims: decision.claims,
                releases: decision.releases,
                readVersions: decision.readVersions
            )
            let outcome: Result<AppendResult, EventStoreError>
            do {
                outcome = .success(try await store.append(request))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let appended):
                remember(A.self, command.streamID, after: loaded, decision.events, appended)
                return CommandResult(
                    aggregateID: command.aggregateID, streamVersion: appended.streamVersion, position: appended.position,
                    replayed: appended.replayed
                )
            case .failure(let error) where error.code == .concurrencyConflict:
                cache?.remove(command.streamID)
                if let other = error.streamID { cache?.remove(other) }
                guard context.metadata.expectedVersion == nil, attempt < maximumAttempts || (creates && attempt == 1) else { throw error }
                context.logger.debug(
                    "concurrent write, deciding again",
                    metadata: ["stream.id": "\(error.streamID ?? command.streamID)", "command.attempt": "\(attempt)"]
                )
            case .failure(let error) where error.code == .uniqueKeyTaken:
                throw DomainError(
                    .alreadyExists, "\(error.uniqueKey ?? "value") is already taken by another \(String(describing: A.self).lowercased())",
                    field: Self.field(forScope: error.uniqueScope)
                )
            case .failure(let error):
                throw error
            }
        }
    }

    /// Caches the state after a successful append: the loaded state with the new events applied.
    private func remember<A: EventSourced>(_ type: A.Type, _ streamID: String, after loaded: Loaded<A>, _ events: [A.Event], _ appended: AppendResult)
    {
        guard let cache else { return }
        guard !appended.replayed, var state = loaded.state ?? events.first.flatMap(A.init(first:)) else {
            cache.remove(streamID)
            return
        }
        for event in loaded.state == nil ? Array(events.dropFirst()) : events { state.apply(event) }
        cache.put(streamID, .init(version: appended.streamVersion, lastPosition: appended.position, state: state))
    }

    private static func field(forScope scope: String?) -> String? {
        switch scope {
        case UniqueKey.customerEmail("").scope: "email"
        case UniqueKey.productSKU("").scope: "sku"
        default: scope
        }
    }
}
