import Foundation
import Logging
import OrdersDomain
import OrdersProjection
import OrdersSearch
import Testing

/// Issue 22, item 7: `orders search` in a terminal.
extension CLITests {
    /// A small store, projected into its default read index.
    static func seedAndProject(orders: Int, in directory: URL) throws {
        let seed = try run(["seed", "--customers", "8", "--products", "6", "--orders", "\(orders)", "--durability", "normal"], in: directory)
        try #require(seed.status == 0, "\(seed.stderr)")
        let project = try run(["project", "--once"], in: directory)
        try #require(project.status == 0, "\(project.stderr)")
    }

    /// An order whose customer name and city carry terminal escapes (written to the read index
    /// directly: the write side refuses control characters, the read side must not trust that).
    static func hostileOrder() -> OrderDocument {
        let at = Date(timeIntervalSince1970: 1_780_000_000)
        return OrderDocument(
            orderID: "o-hostile", status: .paid,
            customer: .init(id: "c-hostile", name: "Mallory \u{1B}[31mred\u{1B}]0;pwned\u{07} Evil", email: "m@example.com"),
            items: [.init(productID: "p-1", sku: "SKU-1", name: "Tea", quantity: 1, unitPriceMinor: 100)], currency: "EUR",
            shipping: .init(city: "Evil\u{9B}2JCity", country: "ES"), notes: nil, createdAt: at, updatedAt: at, version: 1_000_000)
    }

    @Test func searchShowsHighlightsAsEmphasisAndNeutralisesControlCharacters() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orders-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.seedAndProject(orders: 3, in: directory)
        let readSide = try ReadSide.open(.embedded(path: directory.appendingPathComponent("data/read.sqlite").path), logger: Logger(label: "test"))
        _ = try await readSide.index.apply([Self.hostileOrder()], waitForVisibility: true)

        let bold = "\u{1B}[1m"
        let normal = "\u{1B}[22m"
        // In a terminal: the match in bold, no tag, and no escape but ours.
        let terminal = try Self.runInTerminal(["search", "mallory"], in: directory)
        #expect(terminal.status == 0, "\(terminal.text)")
        #expect(terminal.text.contains("\(bold)Mallory\(normal)"), "\(terminal.text.debugDescription)")
        #expect(!terminal.text.contains("<em>"), "\(terminal.text)")
        let foreign = terminal.text.replacingOccurrences(of: bold, with: "").replacingOccurrences(of: normal, with: "")
        #expect(
            !foreign.unicodeScalars.contains { $0.properties.generalCategory == .control && !["\r", "\n"].contains($0) },
            "\(foreign.debugDescription)")
        #expect(foreign.contains("Mallory ␛[31mred␛]0;pwned␇ Evil") && foreign.contains("Evil\u{FFFD}2JCity"), "\(foreign.debugDescription)")

        // NO_COLOR, or not a terminal: plain text, neither tags nor escapes.
        let noColor = try Self.runInTerminal(["search", "mallory"], in: directory, environment: ["NO_COLOR": "1"])
        #expect(noColor.status == 0 && !noColor.text.contains("\u{1B}") && !noColor.text.contains("<em>"), "\(noColor.text.debugDescription)")
        #expect(noColor.text.contains("Mallory ␛[31mred␛]0;pwned␇ Evil"), "\(noColor.text.debugDescription)")
        let piped = try Self.run(["search", "mallory"], in: directory)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(
            !piped.stdout.contains("\u{1B}") && !piped.stdout.contains("\u{07}") && !piped.stdout.contains("<em>"), "\(piped.stdout.debugDescription)"
        )
        #expect(piped.stdout.contains("Mallory ␛[31mred␛]0;pwned␇ Evil"), "\(piped.stdout)")
    }

    /// The header says how many orders it shows out of how many match, in which order, and
    /// labels the status counts as counts of every match, whatever `--status`.
    @Test func searchHeaderCountsWhatItShowsAndLabelsTheFacets() throws {
        try Self.withDirectory { directory in
            try Self.seedAndProject(orders: 20, in: directory)
            let page = try Self.run(["search", "--size", "5"], in: directory)
            #expect(page.status == 0, "\(page.stderr)")
            let lines = page.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "showing 5 of 20 orders, newest first", "\(page.stdout)")
            #expect(lines.dropFirst().first?.hasPrefix("matches by status: ") == true, "\(page.stdout)")
            #expect(lines.count >= 7 && lines.last?.hasPrefix("next page: --after ") == true, "\(page.stdout)")

            let paid = try Self.run(["search", "--status", "paid", "--size", "100"], in: directory)
            let paidLines = paid.stdout.split(separator: "\n").map(String.init)
            let shown = paidLines.dropFirst(2).filter { !$0.hasPrefix(" ") }.count
            #expect(paidLines.first == "showing \(shown) of \(shown) orders, newest first", "\(paid.stdout)")
            #expect(paidLines.dropFirst().first?.hasPrefix("matches by status, before --status: ") == true, "\(paid.stdout)")
        }
    }

    /// Totals in different currencies are never compared: sorting by total needs `--currency`.
    @Test func sortingByTotalNeedsOneCurrency() throws {
        try Self.withDirectory { directory in
            try Self.seedAndProject(orders: 30, in: directory)
            for sort in ["-total", "total"] {
                let refused = try Self.run(["search", "--sort=\(sort)", "--json"], in: directory)
                #expect(refused.status == 64, "\(refused.stderr)")
                #expect(refused.stderr.contains("--sort \(sort) needs --currency"), "\(refused.stderr)")
                #expect(!refused.stderr.contains("Usage"), "\(refused.stderr)")
            }
            let all = try Self.run(["search", "--json", "--size", "100"], in: directory)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [String: Any])
            let currencies = try #require(object["hits"] as? [[String: Any]]).compactMap { ($0["order"] as? [String: Any])?["currency"] as? String }
            let currency = try #require(Dictionary(grouping: currencies, by: { $0 }).max { $0.value.count < $1.value.count }?.key)

            let sorted = try Self.run(["search", "--sort=-total", "--currency", currency, "--json", "--size", "100"], in: directory)
            #expect(sorted.status == 0, "\(sorted.stderr)")
            let hits = try #require(
                (try JSONSerialization.jsonObject(with: Data(sorted.stdout.utf8)) as? [String: Any])?["hits"] as? [[String: Any]])
            let orders = hits.compactMap { $0["order"] as? [String: Any] }
            #expect(orders.count == currencies.filter { $0 == currency }.count && orders.allSatisfy { $0["currency"] as? String == currency })
            let totals = orders.compactMap { $0["total_minor"] as? Int }
            #expect(totals == totals.sorted(by: >), "\(totals)")

            let text = try Self.run(["search", "--sort=-total", "--currency", currency, "--size", "3"], in: directory)
            #expect(text.stdout.hasPrefix("showing 3 of \(orders.count) orders, highest total first (\(currency) only)\n"), "\(text.stdout)")
        }
    }
}
