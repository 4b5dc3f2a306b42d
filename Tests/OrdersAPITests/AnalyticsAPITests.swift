import Foundation
import HTTPTypes
import LiveHTTP
import NIOCore
import OrdersDomain
import OrdersProjection
import OrdersStore
import OrdersTestSupport
import Testing

/// `/analytics/...` and `/dashboard` over HTTP, on orders placed through the API. The expected
/// figures are worked out by hand from the orders below.
@Suite struct AnalyticsAPITests {
    /// Three orders: o-1 paid (2 × 12.50 EUR, 2026-01-15 10:00Z, DE); o-2 submitted
    /// (12.50 + 3 × 4.00 EUR, 23:30Z the same day, which is January 16 in Berlin, FR); o-3 a
    /// draft in SEK (99.00 SEK, 2026-01-16 09:00Z). The customer's name needs escaping in HTML.
    static func placeOrders(_ harness: APITests.Harness, _ client: TestClient) async throws {
        let clock = harness.store.clock
        clock.set(Date(timeIntervalSince1970: 1_768_471_200))  // 2026-01-15T10:00:00Z
        try await APITests.send(
            client, .post, "/customers", #"{"customer_id":"c-1","name":"Zoë <b>Müller</b>","email":"zoe@example.de"}"#, expect: .created)
        try await APITests.send(
            client, .post, "/customers", #"{"customer_id":"c-2","name":"José Núñez","email":"jose@example.es"}"#, expect: .created)
        for (id, sku, name, price, currency) in [
            ("p-1", "CAFE", "Café Crème", 1250, "EUR"), ("p-2", "CUPS", "Espresso Cups", 400, "EUR"), ("p-3", "TEA", "Tea Set", 9900, "SEK"),
        ] {
            try await APITests.send(
                client, .post, "/products",
                #"{"product_id":"\#(id)","sku":"\#(sku)","name":"\#(name)","price_minor":\#(price),"currency":"\#(currency)"}"#,
                expect: .created)
        }
        func order(_ id: String, _ customer: String, _ country: String, _ currency: String, _ items: [(String, Int)]) async throws {
            try await APITests.send(
                client, .post, "/orders",
                #"{"order_id":"\#(id)","customer_id":"\#(customer)","shipping":{"city":"Town","country":"\#(country)"},"currency":"\#(currency)"}"#,
                expect: .created)
            for (product, quantity) in items {
                try await APITests.send(client, .post, "/orders/\(id)/items", #"{"product_id":"\#(product)","quantity":\#(quantity)}"#, expect: .ok)
            }
        }
        try await order("o-1", "c-1", "DE", "EUR", [("p-1", 2)])
        try await APITests.send(client, .post, "/orders/o-1/submit", expect: .ok)
        try await APITests.send(client, .post, "/orders/o-1/pay", #"{"amount_minor":2500,"currency":"EUR"}"#, expect: .ok)
        clock.set(Date(timeIntervalSince1970: 1_768_519_800))  // 2026-01-15T23:30:00Z
        try await order("o-2", "c-2", "FR", "EUR", [("p-1", 1), ("p-2", 3)])
        try await APITests.send(client, .post, "/orders/o-2/submit", expect: .ok)
        clock.set(Date(timeIntervalSince1970: 1_768_554_000))  // 2026-01-16T09:00:00Z
        try await order("o-3", "c-1", "SE", "SEK", [("p-3", 1)])
        let head = try await harness.store.store.headPosition()
        #expect(await harness.projector.waitForPosition(head, timeout: .seconds(30)))
    }

    @Test func panelsAnswerWithTheFiguresOfTheOrders() async throws {
        try await APITests.with { harness, client in
            try await Self.placeOrders(harness, client)
            let statuses = try await APITests.send(client, .get, "/analytics/status-breakdown?from=2026-01-15&to=2026-01-16", expect: .ok)
            let rows = try #require(statuses["statuses"] as? [[String: Any]])
            #expect(rows.map { $0["status"] as? String } == ["draft", "submitted", "paid"])
            #expect(rows.map { $0["orders"] as? Int } == [1, 1, 1])
            #expect(rows.map { (($0["revenue"] as? [[String: Any]])?.first?["amount_minor"] as? Int) } == [9900, 2450, 2500])
            #expect(statuses["time_zone"] as? String == "UTC" && statuses["from"] as? String == "2026-01-15T00:00:00.000Z")
            #expect(statuses["to"] as? String == "2026-01-17T00:00:00.000Z", "a plain 'to' date includes that whole day")

            let days = try await APITests.send(
                client, .get, "/analytics/orders-over-time?from=2026-01-15&to=2026-01-16&tz=Europe/Berlin", expect: .ok)
            let buckets = try #require(days["buckets"] as? [[String: Any]])
            #expect(buckets.map { $0["start"] as? String } == ["2026-01-14T23:00:00.000Z", "2026-01-15T23:00:00.000Z"])
            #expect(buckets.map { $0["orders"] as? Int } == [1, 2], "23:30 UTC is already January 16 in Berlin")

            let products = try await APITests.send(client, .get, "/analytics/top-products?from=2026-01-15&to=2026-01-16&currency=eur", expect: .ok)
            let eur = try #require((products["currencies"] as? [[String: Any]])?.first)
            #expect(eur["currency"] as? String == "EUR")
            let byRevenue = try #require(eur["by_revenue"] as? [[String: Any]])
            #expect(byRevenue.map { $0["product_id"] as? String } == ["p-1", "p-2"])
            #expect(byRevenue.map { $0["revenue_minor"] as? Int } == [3750, 1200])
            #expect(byRevenue.map { $0["orders"] as? Int } == [2, 1])
            #expect((eur["by_quantity"] as? [[String: Any]])?.map { $0["quantity"] as? Int } == [3, 3], "a tie, by product id")

            let customers = try await APITests.send(client, .get, "/analytics/top-customers?from=2026-01-15&to=2026-01-16&size=1", expect: .ok)
            let rankings = try #require(customers["currencies"] as? [[String: Any]])
            #expect(rankings.map { $0["currency"] as? String } == ["EUR", "SEK"])
            #expect(((rankings[0]["customers"] as? [[String: Any]])?.first?["name"] as? String) == "Zoë <b>Müller</b>")

            let countries = try await APITests.send(client, .get, "/analytics/revenue-by-country?from=2026-01-15&to=2026-01-16", expect: .ok)
            #expect(
                ((countries["currencies"] as? [[String: Any]])?.first?["countries"] as? [[String: Any]])?.map { $0["country"] as? String } == [
                    "DE", "FR",
                ])

            let averages = try await APITests.send(
                client, .get, "/analytics/averages?from=2026-01-15&to=2026-01-16&status=paid,submitted", expect: .ok)
            #expect(averages["orders"] as? Int == 2)
            #expect(averages["items_per_order"] as? Double == 3)
            #expect((averages["currencies"] as? [[String: Any]])?.first?["average_order_value_minor"] as? Double == 2475)
        }
    }

    @Test func badParametersGet400NamingTheParameter() async throws {
        try await APITests.with { harness, client in
            let cases: [(String, String)] = [
                ("/analytics/orders-over-time?interval=minute", "interval"),
                ("/analytics/averages?tz=Mars/Base", "tz"),
                ("/analytics/averages?from=2026-02-30", "from"),
                ("/analytics/averages?size=5", "size"),
                ("/analytics/top-products?size=0", "size"),
                ("/analytics/top-customers?status=lost", "status"),
                ("/analytics/revenue-by-country?country=Germany", "country"),
                ("/analytics/status-breakdown?currency=EURO", "currency"),
                ("/analytics/status-breakdown?customer_id=has%20space", "customer_id"),
                ("/analytics/status-breakdown?date_field=born_at", "date_field"),
            ]
            for (uri, field) in cases {
                let answer = try await APITests.send(client, .get, uri, expect: .badRequest)
                #expect((answer["error"] as? [String: Any])?["field"] as? String == field, "\(uri)")
            }
        }
    }

    @Test func theDashboardIsOneHTMLPageWithEveryPanel() async throws {
        try await APITests.with { harness, client in
            try await Self.placeOrders(harness, client)
            let (status, contentType, html) = try await client.execute(uri: "/dashboard?from=2026-01-15&to=2026-01-16&tz=Europe/Berlin", method: .get)
            {
                ($0.status, $0.headers[.contentType], String(buffer: $0.body))
            }
            #expect(status == .ok && contentType == "text/html; charset=utf-8")
            for panel in [
                "orders-over-time", "revenue-over-time", "status-breakdown", "revenue-by-country", "top-products-revenue", "top-products-quantity",
                "top-customers",
            ] {
                #expect(html.contains(#"id="\#(panel)""#), "panel \(panel)")
            }
            #expect(html.contains(#"<option value="EUR" selected>"#), "EUR has the most orders, so it is chosen")
            #expect(html.contains(#"<option value="SEK">"#))
            #expect(html.contains("37.50 EUR") && html.contains("49.50 EUR"), "product revenue and total revenue, in major units")
            #expect(html.contains("Zoë &lt;b&gt;Müller&lt;&#x2F;b&gt;") && !html.contains("<b>Müller"), "names are escaped")
            #expect(html.contains(#"<meta http-equiv="refresh" content="60">"#))
            let svgNamespaces = html.components(separatedBy: #"xmlns="http://www.w3.org/2000/svg""#).count - 1
            #expect(html.components(separatedBy: "://").count - 1 == svgNamespaces, "no URL but the SVG namespace: nothing loaded from elsewhere")
            #expect(!html.contains("<script"), "no script needed")

            let (badStatus, badHTML) = try await client.execute(uri: "/dashboard?interval=minute&refresh=0", method: .get) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(badStatus == .badRequest)
            #expect(badHTML.contains("interval: must be one of hour, day, week, month"))
            let (emptyStatus, emptyHTML) = try await client.execute(uri: "/dashboard?from=2030-01-01&refresh=0", method: .get) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(emptyStatus == .ok && emptyHTML.contains("No orders in this range.") && !emptyHTML.contains("http-equiv"))
        }
    }

    @Test(.enabled(if: Chromium.enabled, Comment(rawValue: Chromium.skipMessage)), .timeLimit(.minutes(2)))
    func theDashboardRendersInHeadlessChromium() async throws {
        try await APITests.with { harness, client in
            try await Self.placeOrders(harness, client)
            let url = "http://127.0.0.1:\(client.port)/dashboard?from=2026-01-15&to=2026-01-16&tz=Europe/Berlin&refresh=0"
            let dom = try await Chromium.run(["--dump-dom", url])
            #expect(dom.contains("<title>Orders dashboard</title>"))
            #expect(dom.components(separatedBy: "<svg").count - 1 == 7, "seven charts")
            #expect(dom.components(separatedBy: #"<g class="column" data-orders="1">"#).count - 1 == 2, "one EUR order on each Berlin day")
            #expect(dom.contains("Zoë &lt;b&gt;Müller&lt;/b&gt;"), "the name is text, not markup")
            #expect(!dom.contains(#"class="error""#))

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dashboard-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("dashboard.png")
            _ = try await Chromium.run(["--window-size=1280,1400", "--screenshot=\(file.path)", url])
            let png = try Data(contentsOf: file)
            #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG")
            // The IHDR chunk: width and height, big-endian, at bytes 16-23.
            let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
            let height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
            #expect(width == 1280 && height == 1400)
            #expect(png.count > 30_000, "charts and text drew something (\(png.count) bytes)")
        }
    }
}

/// Debian's headless Chromium, run as a child process with a throwaway profile.
enum Chromium {
    static let executable = ProcessInfo.processInfo.environment["CHROMIUM"] ?? "/usr/bin/chromium"
    /// Installed, or required anyway (CI installs it and must not skip silently).
    static var enabled: Bool { FileManager.default.isExecutableFile(atPath: executable) || ProcessInfo.processInfo.environment["CI"] != nil }
    static let skipMessage = "chromium is not installed (apt-get install chromium, or set CHROMIUM): the dashboard rendering test is skipped"

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `chromium --headless` with `arguments`; its standard output.
    static func run(_ arguments: [String]) async throws -> String {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
                "--user-data-dir=\(profile.path)",
            ] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read while it runs (a full pipe would block it), off the cooperative pool.
        let text = await Task.detached { String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }.value
        let diagnostics = await Task.detached { String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }.value
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failed(description: "chromium exited with \(process.terminationStatus): \(diagnostics.suffix(2000))")
        }
        return text
    }
}
