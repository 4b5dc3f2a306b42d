import Synchronization

/// Recently used aggregates by stream id, so a command does not re-read and re-decode its
/// stream. Bounded (oldest entries evicted first).
///
/// Only an optimization: every append still checks the stream's version (and the versions of the
/// aggregates the decision read) inside the write transaction, so a stale entry, left by another
/// process writing to the same file, turns into a conflict, which reloads from the store.
final class AggregateCache: Sendable {
    struct Entry: Sendable {
        var version: Int
        var lastPosition: Int64
        var state: any Sendable
    }

    private struct Storage: ~Copyable {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var head = 0
    }

    private let capacity: Int
    private let storage = Mutex(Storage())

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    func get(_ streamID: String) -> Entry? { storage.withLock { $0.entries[streamID] } }

    /// Stores `entry` unless a newer version of the aggregate is cached already (a command that
    /// lost a race may report its older state after the winner did).
    func put(_ streamID: String, _ entry: Entry) {
        storage.withLock { storage in
            if let existing = storage.entries[streamID] {
                if existing.version < entry.version { storage.entries[streamID] = entry }
                return
            }
            storage.entries[streamID] = entry
            // FIFO eviction over a ring of keys.
            if storage.order.count < capacity {
                storage.order.append(streamID)
            } else {
                storage.entries[storage.order[storage.head]] = nil
                storage.order[storage.head] = streamID
                storage.head = (storage.head + 1) % capacity
            }
        }
    }

    func remove(_ streamID: String) { storage.withLock { _ = $0.entries.removeValue(forKey: streamID) } }
}
