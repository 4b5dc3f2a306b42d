/// What became of one document handed to a search index.
public enum ApplyOutcome: Sendable, Hashable {
    /// Stored (it was new, or newer than the stored version).
    case applied
    /// The index already holds this version or a newer one: nothing to do, counts as done.
    case stale
    /// Not stored now, may be later (overload, unavailable): retry this document.
    case retryable(String)
    /// Refused for good (mapping/parse error): dead-letter it with this reason.
    case rejected(String)
}

/// The read side's storage, whichever backend serves it (the embedded SQLite FTS5 index or
/// Elasticsearch). Writes are idempotent and never regress: a document is stored only when its
/// `version` is higher than the stored one.
public protocol SearchIndex: Sendable {
    /// Stores a batch; one outcome per document, in order. With `waitForVisibility`, returns
    /// only once searches see the batch (someone is waiting for it: read-your-writes).
    func apply(_ documents: [OrderDocument], waitForVisibility: Bool) async throws -> [ApplyOutcome]

    func search(_ query: SearchOrdersQuery) async throws -> SearchOrdersResult

    /// The stored document of an order.
    func order(id: String) async throws -> OrderDocument?

    /// A customer's orders, newest first, `size` per page after the cursor.
    func orders(customerID: String, size: Int, after: String?) async throws -> (orders: [OrderSummary], nextCursor: String?)

    func stats() async throws -> IndexStats

    /// One analytics panel over the orders `query` selects. Both backends give the same answer
    /// on the same documents.
    func analytics(_ panel: AnalyticsPanel, _ query: AnalyticsQuery) async throws -> AnalyticsAnswer

    /// Makes the index ready to be written, creating it if needed. `true` when it holds no order
    /// (new, or lost): the projector then projects everything again from the start.
    func prepare() async throws -> Bool

    /// What an operator must know before trusting the index (`/ready`, `orders status`), such as
    /// a mapping older than the definition. Empty when all is well.
    func problems() async throws -> [String]

    /// Makes everything stored so far visible to searches: a reader came to wait for a batch
    /// that was stored without `waitForVisibility`.
    func makeVisible() async throws
}

extension SearchIndex {
    public func prepare() async throws -> Bool { try await stats().documents == 0 }
    public func problems() async throws -> [String] { [] }
    /// Nothing to do where a stored batch is visible at once (the embedded index).
    public func makeVisible() async throws {}

    /// Stores a batch without waiting for it to become visible.
    public func apply(_ documents: [OrderDocument]) async throws -> [ApplyOutcome] {
        try await apply(documents, waitForVisibility: false)
    }
}

public struct IndexStats: Sendable, Hashable {
    public var documents: Int
    /// The highest document version stored (the newest event position reflected anywhere).
    public var highestVersion: Int64

    public init(documents: Int, highestVersion: Int64) {
        self.documents = documents
        self.highestVersion = highestVersion
    }
}
