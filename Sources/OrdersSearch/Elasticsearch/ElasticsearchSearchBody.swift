import Elasticsearch
import Foundation
import OrdersDomain

/// `SearchOrders` as an Elasticsearch `_search` body, with exactly the semantics of the embedded
/// backend. User text only reaches Elasticsearch as analyzed words and phrases (`multi_match`),
/// never as query syntax.
///
/// - Text: every word must match some text field (one `multi_match` per word; `.prefix`
///   edge-n-gram subfields for a trailing `*`; `type: phrase` for quoted phrases), or the text is
///   the order id (an exact `term`, boosted first) or a prefix of it (4+ characters).
/// - Filters are `filter` clauses (no scoring); `status` is a `post_filter`, so the status facet
///   (a `terms` aggregation) counts every status the other filters allow.
/// - Sorts end with `order_id`, a unique tie-breaker; pages continue with `search_after`.
struct ElasticsearchSearchBody {
    let query: SearchOrdersQuery
    let sort: SearchOrdersQuery.Sort

    init(_ query: SearchOrdersQuery) {
        self.query = query
        sort = query.effectiveSort
    }

    /// Text fields and their weights (those of the embedded index's BM25).
    static let textFields = [
        ("customer.name", 5), ("customer.email", 3), ("product_names", 4), ("skus", 3), ("shipping.city", 1), ("shipping.country", 1),
        ("notes", 1),
    ]
    static let statusAggregation = "statuses"

    /// API highlight names by Elasticsearch field (prefix subfields report as their field).
    static let highlightNames: [String: String] = [
        "customer.name": "customer.name", "customer.email": "customer.email", "product_names": "items.name", "skus": "items.sku",
        "shipping.city": "shipping.city", "notes": "notes",
    ]

    func request(after cursor: Cursor?) -> SearchRequest {
        var filters = self.filters
        var must: [Query] = []
        if let text = query.text { must.append(Self.textQuery(text)) }
        if must.isEmpty && filters.isEmpty { filters.append(.raw(["match_all": [:]])) }
        let statusFilter: Query? =
            query.statuses.isEmpty ? nil : .terms("status", query.statuses.map(\.rawValue).sorted().map(JSONValue.string))
        var request = SearchRequest(
            query: .bool(must: must, filter: filters), postFilter: statusFilter, size: query.size + 1, sort: sortClauses,
            aggregations: [Self.statusAggregation: .terms("status", size: OrderStatus.allCases.count)], trackTotalHits: .exact
        )
        if let cursor {
            let value: JSONValue =
                switch cursor.value {
                case .integer(let value): .int(value)
                case .real(let value): .double(value)
                }
            request.searchAfter = [value, .string(cursor.orderID)]
        }
        if query.text != nil {
            var fields = Self.highlightNames.keys.sorted()
            fields += fields.map { "\($0).prefix" }
            // Escaped HTML around the tags, as the embedded index answers (`HighlightText`).
            request.highlight = SearchRequest.Highlight(
                fields: fields, preTags: [HighlightText.preTag], postTags: [HighlightText.postTag], numberOfFragments: 0, encoder: .html)
        }
        return request
    }

    /// Every filter but status.
    var filters: [Query] {
        var filters: [Query] = []
        if query.from != nil || query.to != nil {
            filters.append(
                .range(
                    query.dateField.rawValue, gte: query.from.map { .string(Self.instant($0)) }, lt: query.to.map { .string(Self.instant($0)) },
                    timeZone: query.timeZone.identifier, format: "strict_date_optional_time"))
        }
        if let customer = query.customerID { filters.append(.term("customer.id", .string(customer))) }
        if query.minTotal != nil || query.maxTotal != nil {
            filters.append(.range("total_minor", gte: query.minTotal.map(JSONValue.int), lte: query.maxTotal.map(JSONValue.int)))
        }
        if let currency = query.currency { filters.append(.term("currency", .string(currency))) }
        return filters
    }

    /// An instant as Elasticsearch date math reads it: ISO 8601 in UTC with milliseconds. The
    /// range's `time_zone` is the user's (it governs any calendar rounding; these carry `Z`).
    static func instant(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }

    /// The words and phrases (all must match), or the order id.
    static func textQuery(_ text: TextQuery) -> Query {
        let fields = textFields.map { "\($0.0)^\($0.1)" }
        let prefixFields = textFields.map { "\($0.0).prefix^\($0.1)" }
        let words: [Query] = text.terms.map { term in
            switch term {
            case .word(let word, prefix: false): .multiMatch(word, fields: fields)
            case .word(let word, prefix: true): .multiMatch(word, fields: prefixFields)
            case .phrase(let words): .multiMatch(words.joined(separator: " "), fields: fields, type: .phrase)
            }
        }
        var should: [Query] = [.term("order_id", .string(text.raw), boost: 1000)]
        if text.raw.count >= 4 { should.append(.match("order_id.prefix", text.raw, boost: 100)) }
        if !words.isEmpty { should.append(.bool(must: words)) }
        return .bool(should: should, minimumShouldMatch: 1)
    }

    var sortClauses: [SearchRequest.Sort] {
        switch sort {
        case .relevance: [.score(.desc), .field("order_id", .asc)]
        case .createdAtDescending: [.field("created_at", .desc), .field("order_id", .desc)]
        case .createdAtAscending: [.field("created_at", .asc), .field("order_id", .asc)]
        case .totalDescending: [.field("total_minor", .desc), .field("order_id", .desc)]
        case .totalAscending: [.field("total_minor", .asc), .field("order_id", .asc)]
        }
    }

    /// The cursor of a hit's `sort` values.
    func cursor(sortValues: [JSONValue]?) -> Cursor? {
        Self.cursor(sort: sort.rawValue, score: sort == .relevance, sortValues: sortValues)
    }

    /// A cursor from `[value, order_id]` sort values: a score (relevance) or a whole number.
    static func cursor(sort: String, score: Bool, sortValues: [JSONValue]?) -> Cursor? {
        guard let values = sortValues, values.count == 2, let orderID = values[1].string else { return nil }
        let value: Cursor.Value
        if score {
            guard let number = values[0].double else { return nil }
            value = .real(number)
        } else {
            guard let number = values[0].int else { return nil }
            value = .integer(number)
        }
        return Cursor(sort: sort, value: value, orderID: orderID)
    }
}
