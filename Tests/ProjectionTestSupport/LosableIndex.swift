package import Foundation
package import OrdersSearch
import Synchronization

/// An embedded index that a test can delete while the projection runs, as an operator (or an
/// ILM policy) deletes an Elasticsearch index: once lost, every write throws
/// `SearchIndexMissing` (what Elasticsearch's per-item `index_not_found_exception` becomes),
/// until `prepare()` creates a new, empty index, as the Elasticsearch backend's bootstrap does.
package final class LosableIndex: SearchIndexWriter {
    private struct State {
        var current: EmbeddedSearchIndex
        var lost = false
        var generation = 1
    }

    private let state: Mutex<State>
    private let directory: URL

    /// Starts with `first`; new indexes are files in `directory`.
    package init(first: EmbeddedSearchIndex, directory: URL) {
        state = Mutex(State(current: first))
        self.directory = directory
    }

    /// The index as it is now (the one to read).
    package var current: EmbeddedSearchIndex { state.withLock { $0.current } }

    /// How many indexes were created after the first (after losses).
    package var recreations: Int { state.withLock { $0.generation - 1 } }

    /// Deletes the index: writes fail until it is prepared again.
    package func lose() { state.withLock { $0.lost = true } }

    package func prepare() async throws -> Bool {
        let recreated = try state.withLock { state -> EmbeddedSearchIndex? in
            guard state.lost else { return nil }
            state.generation += 1
            state.current = try EmbeddedSearchIndex(path: directory.appendingPathComponent("lost-\(state.generation).sqlite").path)
            state.lost = false
            return state.current
        }
        if recreated != nil { return true }
        return try await current.prepare()
    }

    package func apply(_ documents: [OrderDocument], waitForVisibility: Bool) async throws -> [ApplyOutcome] {
        let index = try state.withLock { state in
            guard !state.lost else { throw SearchIndexMissing(reason: "404 index_not_found_exception: no such index [orders]") }
            return state.current
        }
        return try await index.apply(documents, waitForVisibility: waitForVisibility)
    }
}
