import ArgumentParser
import Foundation
import Logging
import OrdersDomain
import OrdersProjection
import OrdersSearch

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search orders in the read index (Elasticsearch with --es-url or ES_URL, else embedded)."
    )

    @Argument(help: "Words to find (all must match); \"quoted phrases\"; a trailing * for a prefix.") var text: String?
    @Option(help: "From (inclusive): 2026-01-31 or 2026-01-31T08:00:00Z.") var from: String?
    @Option(help: "To: a date includes that whole day; a date-time is exclusive.") var to: String?
    @Option(help: "IANA time zone for plain dates (default UTC).") var tz: String?
    @Option(help: "The date the range applies to (created_at, paid_at, ...).") var dateField: String?
    @Option(help: "Status, or several separated by commas.") var status: String?
    @Option(help: "Only this customer's orders.") var customerID: String?
    @Option(help: "Currency code.") var currency: String?
    @Option(
        help: "relevance, -created_at, created_at, -total, total (by total: with --currency, as totals in different currencies are not compared).")
    var sort: String?
    @Option(help: "Results per page, 1 to 100.") var size: String?
    @Option(help: "The cursor printed with the previous page.") var after: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var read: ReadOptions
    /// Only `--db` matters: the default read index is the one beside it.
    @OptionGroup var store: StoreOptions

    func run() async throws {
        var parameters: [(String, String)] = []
        for (name, value) in [
            ("q", text), ("from", from), ("to", to), ("tz", tz), ("date_field", dateField), ("status", status), ("customer_id", customerID),
            ("currency", currency), ("sort", sort), ("size", size), ("after", after),
        ] {
            if let value { parameters.append((name, value)) }
        }
        let query: SearchOrdersQuery
        do {
            query = try SearchOrdersQuery.parse(parameters)
        } catch {
            throw ValidationError("\(error.field.map { "--\($0.replacingOccurrences(of: "_", with: "-")): " } ?? "")\(error.message)")
        }
        if [.totalAscending, .totalDescending].contains(query.effectiveSort), query.currency == nil {
            throw ValidationError("--sort \(query.effectiveSort.rawValue) needs --currency: totals in different currencies are not compared")
        }
        let logger = Logger(label: "orders")
        let readSide = try read.openExisting(logger: logger, besides: store.db)
        let result = try await withServices(readSide.services, logger: logger) { try await readSide.index.search(query) }
        if json {
            print(try Self.json(result))
            return
        }
        for line in Self.header(result, query: query) { print(line) }
        let terminal = TerminalText.standardOutput()
        for hit in result.hits {
            let order = hit.order
            let total =
                (try? Currency(order.currency)).map { Money(amountMinor: order.totalMinor, currency: $0).description }
                ?? "\(order.totalMinor) \(order.currency)"
            let status = order.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
            print(
                TerminalText.neutralised(
                    "\(order.orderID)  \(status)  \(order.createdAt.formatted(.iso8601))  \(order.customerName)  \(total)  \(order.city), \(order.country)"
                ))
            for (field, fragments) in hit.highlights.sorted(by: { $0.key < $1.key }) {
                print("    \(TerminalText.neutralised(field)): \(fragments.map(terminal.highlight).joined(separator: " … "))")
            }
        }
        if let next = result.nextCursor { print("next page: --after \(next)") }
    }

    /// What the page shows out of how many orders match, in which order; then the status
    /// counts, which count every match whatever `--status` (a facet).
    static func header(_ result: SearchOrdersResult, query: SearchOrdersQuery) -> [String] {
        let order =
            switch query.effectiveSort {
            case .relevance: "best match first"
            case .createdAtDescending: "newest first"
            case .createdAtAscending: "oldest first"
            case .totalDescending: "highest total first (\(query.currency ?? "") only)"
            case .totalAscending: "lowest total first (\(query.currency ?? "") only)"
            }
        let matching = result.totalIsExact ? "\(result.total)" : "at least \(result.total)"
        var lines = ["showing \(result.hits.count) of \(matching) \(result.total == 1 ? "order" : "orders"), \(order)"]
        if !result.statusCounts.isEmpty {
            let counts = result.statusCounts.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }
            lines.append("matches by status\(query.statuses.isEmpty ? "" : ", before --status"): \(counts.joined(separator: ", "))")
        }
        return lines
    }

    static func json(_ result: SearchOrdersResult) throws -> String {
        struct Output: Encodable {
            struct Hit: Encodable {
                var order: OrderSummary
                var highlights: [String: [String]]
            }
            var total: Int
            var totalIsExact: Bool
            var hits: [Hit]
            var statusCounts: [String: Int]
            var nextCursor: String?

            enum CodingKeys: String, CodingKey {
                case total, totalIsExact = "total_is_exact", hits, statusCounts = "status_counts", nextCursor = "next_cursor"
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let output = Output(
            total: result.total, totalIsExact: result.totalIsExact, hits: result.hits.map { .init(order: $0.order, highlights: $0.highlights) },
            statusCounts: Dictionary(uniqueKeysWithValues: result.statusCounts.map { ($0.key.rawValue, $0.value) }), nextCursor: result.nextCursor
        )
        return String(decoding: try encoder.encode(output), as: UTF8.self)
    }
}
