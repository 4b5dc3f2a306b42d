/// The query side: reads from the search index, optionally after waiting (bounded) until the
/// projection has acknowledged a position the caller wrote (read-your-writes).
package struct OrderReadModel: Sendable {
    package let index: any SearchIndexReader
    package let progress: any ProjectionProgress
    /// The longest a query may wait for `minPosition`. Default 5 s.
    package let maximumWait: Duration

    package init(index: any SearchIndexReader, progress: any ProjectionProgress, maximumWait: Duration = .seconds(5)) {
        self.index = index
        self.progress = progress
        self.maximumWait = maximumWait
    }

    /// What a read reflects.
    package struct Freshness: Sendable, Hashable {
        /// The projection position the answer reflects (at least).
        package var position: Int64
        /// True when `minPosition` was not reached in time: the answer may miss that write.
        package var mayBeStale: Bool
    }

    package func search(_ query: SearchOrdersQuery, minPosition: Int64? = nil, wait: Duration? = nil) async throws -> (SearchOrdersResult, Freshness)
    {
        let freshness = await reach(minPosition, wait: wait)
        return (try await index.search(query), freshness)
    }

    package func order(id: String, minPosition: Int64? = nil, wait: Duration? = nil) async throws -> (OrderDocument?, Freshness) {
        let freshness = await reach(minPosition, wait: wait)
        return (try await index.order(id: id), freshness)
    }

    package func analytics(_ panel: AnalyticsPanel, _ query: AnalyticsQuery) async throws -> (AnalyticsAnswer, Freshness) {
        let freshness = await reach(nil, wait: nil)
        return (try await index.analytics(panel, query), freshness)
    }

    private func reach(_ minPosition: Int64?, wait: Duration?) async -> Freshness {
        guard let minPosition else { return Freshness(position: await progress.acknowledgedPosition, mayBeStale: false) }
        let reached = await progress.waitForPosition(minPosition, timeout: min(wait ?? maximumWait, maximumWait))
        return Freshness(position: await progress.acknowledgedPosition, mayBeStale: !reached)
    }
}
