import OrdersDomain
import OrdersStore

extension SnapshotFold {
    /// One customer's or product's facts, in position order, compacted as they grow.
    ///
    /// Compaction keeps what any order can still tell apart: the customer's registration (the
    /// product's addition) at its position, carrying the values as of the compaction, and the
    /// last change that reached orders at its position. An order takes the values at its
    /// creation (its item's addition) and at every later change, and its document keeps only
    /// the newest values and the position of the newest event it reflects: from the compacted
    /// facts it folds to the same document, unless its fold stops at a failure before the
    /// compaction (the document is then as of the failure): `fold(orderEvents:)` says so.
    struct History: Sendable {
        var facts: [Fact] = []
        /// Facts at or below this position were compacted (0: never).
        var compactedThrough: Int64 = 0
        /// Compact again once the facts reach this count.
        private var nextCompaction = 0

        /// Appends `fact` (the newest); compacts when `limit` more came in since the last time.
        mutating func append(_ fact: Fact, compactingEvery limit: Int?, with compact: ([Fact]) -> [Fact]?) {
            facts.append(fact)
            guard let limit, facts.count >= max(nextCompaction, limit) else { return }
            // A history compaction cannot read (a log no command writes) is left whole.
            if let compacted = compact(facts) {
                facts = compacted
                compactedThrough = fact.event.position
            }
            nextCompaction = facts.count + limit
        }

        /// A customer's facts as its registration, with the name and email as of now, and its
        /// last change to orders (a rename to the same name: what the orders created before it
        /// take from it is its position).
        static func compactCustomer(_ facts: [Fact]) -> [Fact]? {
            guard let first = facts.first, case .customer(.registered(var registered)) = first.domain else { return nil }
            var values: DocumentTransitions.CustomerFacts?
            var lastChange: Fact?
            for fact in facts {
                guard case .customer(let e) = fact.domain else { return nil }
                if case .registered = e, fact.event.position != first.event.position { return nil }
                if DocumentTransitions.apply(e, to: &values) { lastChange = fact }
            }
            guard let values else { return nil }
            registered.name = values.name
            registered.email = values.email
            var compacted = [Fact(event: first.event, domain: .customer(.registered(registered)))]
            if let lastChange { compacted.append(Fact(event: lastChange.event, domain: .customer(.renamed(CustomerRenamed(name: values.name))))) }
            return compacted
        }

        /// A product's facts as its addition and its last rename, both with the name as of now
        /// (price changes do not reach orders: items keep the price they were added at).
        static func compactProduct(_ facts: [Fact]) -> [Fact]? {
            guard let first = facts.first, case .product(.added(var added)) = first.domain else { return nil }
            var values: DocumentTransitions.ProductFacts?
            var lastRename: Fact?
            for fact in facts {
                guard case .product(let e) = fact.domain else { return nil }
                if case .added = e, fact.event.position != first.event.position { return nil }
                if DocumentTransitions.apply(e, to: &values) != nil { lastRename = fact }
            }
            guard let values else { return nil }
            added.name = values.name
            var compacted = [Fact(event: first.event, domain: .product(.added(added)))]
            if let lastRename { compacted.append(Fact(event: lastRename.event, domain: .product(.renamed(ProductRenamed(name: values.name))))) }
            return compacted
        }
    }
}
