/// What became of one document handed to a search index.
package enum ApplyOutcome: Sendable, Hashable {
    /// Stored (it was new, or newer than the stored version).
    case applied
    /// The index already holds this version or a newer one: nothing to do, counts as done.
    case stale
    /// Not stored now, may be later (overload, unavailable): retry this document.
    case retryable(String)
    /// Refused for good (mapping/parse error): dead-letter it with this reason.
    case rejected(String)
}

/// The read index (or the alias writes go through) does not exist: it was deleted while the
/// projection ran. Thrown by `SearchIndexWriter.apply`; the projector then prepares the index
/// again (which recreates it) and projects from the first event.
package struct SearchIndexMissing: Error, CustomStringConvertible {
    package var reason: String

    package init(reason: String) {
        self.reason = reason
    }

    package var description: String { "the read index is missing: \(reason)" }
}

/// What the query side reads from the read side, whichever backend serves it (the embedded
/// SQLite FTS5 index or Elasticsearch). Both backends give the same answers on the same
/// documents (the behavioural suite holds them to it).
package protocol SearchIndexReader: Sendable {
    func search(_ query: SearchOrdersQuery) async throws -> SearchOrdersResult

    /// The stored document of an order.
    func order(id: String) async throws -> OrderDocument?

    /// A customer's orders, newest first, `size` per page after the cursor.
    func orders(customerID: String, size: Int, after: String?) async throws -> (orders: [OrderSummary], nextCursor: String?)

    func stats() async throws -> IndexStats

    /// One analytics panel over the orders `query` selects.
    func analytics(_ panel: AnalyticsPanel, _ query: AnalyticsQuery) async throws -> AnalyticsAnswer

    /// What an operator must know before trusting the index (`/ready`, `orders status`), such as
    /// a mapping older than the definition. Empty when all is well.
    func problems() async throws -> [String]

    /// The backend describes itself for status: what it is, where, what it holds. Never throws:
    /// an index that cannot be reached says so in `problems`.
    func describe() async -> IndexDescription
}

/// What the projection writes to the read side. Writes are idempotent and never regress: a
/// document is stored only when its `version` is higher than the stored one.
package protocol SearchIndexWriter: Sendable {
    /// Stores a batch; one outcome per document, in order. With `waitForVisibility`, returns
    /// only once searches see the batch (someone is waiting for it: read-your-writes).
    func apply(_ documents: [OrderDocument], waitForVisibility: Bool) async throws -> [ApplyOutcome]

    /// Makes the index ready to be written, creating it if needed. `true` when it holds no order
    /// (new, or lost): the projector then projects everything again from the start.
    func prepare() async throws -> Bool

    /// Makes everything stored so far visible to searches: a reader came to wait for a batch
    /// that was stored without `waitForVisibility`.
    func makeVisible() async throws

    /// Records that this index is built from the event store `storeID`, or checks that it is
    /// (throws `ReadSideOfAnotherStore`): for a backend shared beyond one read side's state,
    /// such as an Elasticsearch alias that two stores' state files could both name.
    func claim(forStore storeID: String) async throws
}

/// A backend: read by the query side, written by the projection.
package typealias SearchIndex = SearchIndexReader & SearchIndexWriter

extension SearchIndexReader {
    package func problems() async throws -> [String] { [] }
}

extension SearchIndexWriter {
    /// Nothing to do where a stored batch is visible at once (the embedded index).
    package func makeVisible() async throws {}

    /// Nothing to record where the index lives beside the state that records it (the embedded
    /// index: `ProjectionDatabase.bind`).
    package func claim(forStore storeID: String) async throws {}

    /// Stores a batch without waiting for it to become visible.
    package func apply(_ documents: [OrderDocument]) async throws -> [ApplyOutcome] {
        try await apply(documents, waitForVisibility: false)
    }
}

extension SearchIndexWriter where Self: SearchIndexReader {
    package func prepare() async throws -> Bool { try await stats().documents == 0 }
}

package struct IndexStats: Sendable, Hashable {
    package var documents: Int
    /// The highest document version stored (the newest event position reflected anywhere).
    package var highestVersion: Int64

    package init(documents: Int, highestVersion: Int64) {
        self.documents = documents
        self.highestVersion = highestVersion
    }
}

/// A read index as it describes itself (`orders status`, `GET /admin/status`).
package struct IndexDescription: Sendable, Hashable, Encodable {
    /// `embedded` or `elasticsearch`.
    package var backend: String
    /// For people: the file, or the alias and nodes.
    package var location: String
    /// The concrete index or file behind the stable name.
    package var name: String?
    package var documents: Int?
    package var mappingVersion: Int64?
    package var expectedMappingVersion: Int64?
    /// Drift, unreachable, ...: empty when all is well.
    package var problems: [String]

    package init(
        backend: String, location: String, name: String? = nil, documents: Int? = nil, mappingVersion: Int64? = nil,
        expectedMappingVersion: Int64? = nil, problems: [String] = []
    ) {
        self.backend = backend
        self.location = location
        self.name = name
        self.documents = documents
        self.mappingVersion = mappingVersion
        self.expectedMappingVersion = expectedMappingVersion
        self.problems = problems
    }

    enum CodingKeys: String, CodingKey {
        case backend, location, name, documents, mappingVersion = "mapping_version"
        case expectedMappingVersion = "expected_mapping_version", problems
    }
}
