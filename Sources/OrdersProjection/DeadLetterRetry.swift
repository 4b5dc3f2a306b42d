import Logging
package import OrdersSearch
package import OrdersStore

/// Retries dead-lettered orders: each is folded again from the log at the head and written to
/// the index; when the index takes it, its dead letters are removed and the projector (in this
/// process or another) unparks it at its next batch. An order whose events still cannot be
/// projected, or whose document the index still refuses, keeps (or gets) its dead letter.
package struct DeadLetterRetry: Sendable {
    package let context: ProjectionContext
    package let index: any SearchIndexWriter
    package var configuration: ProjectorConfiguration
    package var store: EventStore { context.store }
    package var state: ProjectionDatabase { context.state }

    package init(context: ProjectionContext, index: any SearchIndexWriter, configuration: ProjectorConfiguration = .init()) {
        self.context = context
        self.index = index
        self.configuration = configuration
    }

    package enum Outcome: Sendable, Hashable, CustomStringConvertible {
        /// Written at this version; its dead letters are gone.
        case retried(orderID: String, version: Int64)
        /// Still cannot be projected or stored: the reason.
        case stillFailing(orderID: String, reason: String)

        package var description: String {
            switch self {
            case .retried(let orderID, let version): "order \(orderID): written at version \(version), dead letters removed"
            case .stillFailing(let orderID, let reason): "order \(orderID): still failing: \(reason)"
            }
        }
    }

    /// Retries the orders of the given dead letters (all open ones when `ids` is empty).
    package func retry(ids: [Int64] = []) async throws -> [Outcome] {
        let letters = try await state.deadLetters.all().filter { $0.discardedAt == nil && (ids.isEmpty || ids.contains($0.id)) }
        if let missing = ids.first(where: { id in !letters.contains { $0.id == id } }) {
            throw ReindexError(reason: "no open dead letter #\(missing) (see `orders dead-letters list`)")
        }
        let head = try await store.headPosition()
        var outcomes: [Outcome] = []
        for orderID in Set(letters.map(\.orderID)).sorted() {
            let result = try await store.fold(order: orderID, through: head)
            if let failure = result.failure {
                outcomes.append(.stillFailing(orderID: orderID, reason: "event at position \(failure.position): \(failure.reason)"))
                continue
            }
            guard let document = result.document else {
                outcomes.append(.stillFailing(orderID: orderID, reason: "the log holds no such order"))
                continue
            }
            let writer = DocumentWriter(context: context, index: index, retry: configuration.retry)
            if try await writer.write([document]).rejected.isEmpty {
                try await state.deadLetters.remove(orderID: orderID)
                outcomes.append(.retried(orderID: orderID, version: document.version))
                context.logger.notice("dead letter retried", metadata: ["order.id": "\(orderID)", "projection.position": "\(document.version)"])
            } else {
                outcomes.append(.stillFailing(orderID: orderID, reason: "the index refused the document again (see `orders dead-letters list`)"))
            }
        }
        return outcomes
    }
}
