import Foundation
import OrdersDomain
import OrdersSearch

/// The dashboard as one HTML document: a form (range, zone, interval, currency, refresh), tiles
/// and SVG charts for every analytics panel, all for one currency.
struct DashboardPage {
    struct Panels {
        var averages: OrderAverages
        var overTime: OrdersOverTime
        var statuses: StatusBreakdown
        var products: TopProducts
        var customers: TopCustomers
        var countries: RevenueByCountry
    }

    var query: AnalyticsQuery
    /// Currencies with orders in the range (the picker's choices).
    var currencies: [String]
    var currency: String?
    var refreshSeconds: Int
    var panels: Panels?
    var error: String?

    func render() -> String {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            \(refreshSeconds > 0 ? #"<meta http-equiv="refresh" content="\#(refreshSeconds)">"# : "")
            <title>Orders dashboard</title>
            <style>\(Self.style)</style>
            </head><body>
            <header><h1>Orders</h1>\(form)</header>
            <main>
            """
        if let error {
            html += #"<p class="error" role="alert">\#(HTML.escape(error))</p>"#
        } else {
            html += body(panels)
        }
        html += """
            </main>
            <footer>\(HTML.escape(rangeText)) · \(HTML.escape(query.timeZoneName))\
            \(refreshSeconds > 0 ? " · refreshes every \(refreshSeconds) s" : "") · JSON: <a href="/openapi.json">/analytics/…</a></footer>
            </body></html>
            """
        return html
    }

    var form: String {
        let intervals = AnalyticsQuery.Interval.allCases.map { interval in
            #"<option value="\#(interval.rawValue)"\#(interval == query.interval ? " selected" : "")>\#(interval.rawValue)</option>"#
        }.joined()
        let currencyOptions = currencies.map { code in
            #"<option value="\#(HTML.escape(code))"\#(code == currency ? " selected" : "")>\#(HTML.escape(code))</option>"#
        }.joined()
        return """
            <form method="get" action="/dashboard">
            <label>From <input type="date" name="from" value="\(localDay(query.from))"></label>
            <label>To <input type="date" name="to" value="\(localDay(query.to.addingTimeInterval(-0.001)))"></label>
            <label>Time zone <input name="tz" value="\(HTML.escape(query.timeZoneName))" size="16"></label>
            <label>Interval <select name="interval">\(intervals)</select></label>
            <label>Currency <select name="currency">\(currencyOptions)</select></label>
            <label>Refresh (s) <input type="number" name="refresh" min="0" max="3600" value="\(refreshSeconds)"></label>
            <button type="submit">Show</button>
            </form>
            """
    }

    func body(_ panels: Panels?) -> String {
        guard let currency, let panels else {
            return #"<p class="empty">No orders in this range.</p>"#
        }
        let money = { (minor: Int64) in AmountText.format(minor, currency) }
        let figures = panels.averages.currencies.first { $0.currency == currency }
        let tiles = [
            ("Orders", String(panels.averages.orders)),
            ("Revenue", money(figures?.revenueMinor ?? 0)),
            ("Average order", figures.map { money(Int64($0.averageOrderValueMinor.rounded())) } ?? "–"),
            ("Items per order", panels.averages.itemsPerOrder.map { String(format: "%.2f", $0) } ?? "–"),
        ]
        let columns = panels.overTime.buckets.map { bucket in
            (label: bucketLabel(bucket.start), parts: bucket.statuses.map { ($0.status, $0.orders) })
        }
        let revenue = panels.overTime.buckets.map { bucket in
            let amount = bucket.revenue.first { $0.currency == currency }?.amountMinor ?? 0
            return (label: bucketLabel(bucket.start), value: Double(amount), text: money(amount))
        }
        let statusBars = panels.statuses.statuses.map { figures in
            let amount = figures.revenue.first { $0.currency == currency }?.amountMinor ?? 0
            return SVGCharts.Bar(label: figures.status.rawValue, value: Double(figures.orders), text: "\(figures.orders) · \(money(amount))")
        }
        let ranking = panels.products.currencies.first { $0.currency == currency }
        let productsByRevenue = (ranking?.byRevenue ?? []).map {
            SVGCharts.Bar(label: $0.name, value: Double($0.revenueMinor), text: money($0.revenueMinor))
        }
        let productsByQuantity = (ranking?.byQuantity ?? []).map {
            SVGCharts.Bar(label: $0.name, value: Double($0.quantity), text: "\($0.quantity) pcs")
        }
        let customers = (panels.customers.currencies.first { $0.currency == currency }?.customers ?? []).map {
            SVGCharts.Bar(label: $0.name, value: Double($0.revenueMinor), text: money($0.revenueMinor))
        }
        let countries = (panels.countries.currencies.first { $0.currency == currency }?.countries ?? []).map {
            SVGCharts.Bar(label: $0.country, value: Double($0.revenueMinor), text: money($0.revenueMinor))
        }
        let legend = OrderStatus.allCases.map { status in
            #"<span><i style="background:\#(SVGCharts.statusColours[status]!)"></i>\#(status.rawValue)</span>"#
        }.joined()
        return """
            <section class="tiles">\(tiles.map { #"<div class="tile"><span>\#($0.0)</span><strong>\#(HTML.escape($0.1))</strong></div>"# }.joined())</section>
            <section class="panel wide" id="orders-over-time"><h2>Orders per \(query.interval.rawValue), by status</h2>\
            <div class="legend">\(legend)</div>\(SVGCharts.stackedColumns(columns, title: "Orders per \(query.interval.rawValue)"))</section>
            <section class="panel wide" id="revenue-over-time"><h2>Revenue per \(query.interval.rawValue) (\(HTML.escape(currency)))</h2>\
            \(SVGCharts.line(revenue, title: "Revenue per \(query.interval.rawValue)"))</section>
            <div class="grid">
            <section class="panel" id="status-breakdown"><h2>Status breakdown</h2>\(SVGCharts.horizontalBars(statusBars, title: "Orders by status"))</section>
            <section class="panel" id="revenue-by-country"><h2>Revenue by country</h2>\(SVGCharts.horizontalBars(countries, title: "Revenue by country", colour: "#1c7c54"))</section>
            <section class="panel" id="top-products-revenue"><h2>Top products by revenue</h2>\(SVGCharts.horizontalBars(productsByRevenue, title: "Top products by revenue", colour: "#7048e8"))</section>
            <section class="panel" id="top-products-quantity"><h2>Top products by quantity</h2>\(SVGCharts.horizontalBars(productsByQuantity, title: "Top products by quantity", colour: "#ae3ec9"))</section>
            <section class="panel" id="top-customers"><h2>Top customers by revenue</h2>\(SVGCharts.horizontalBars(customers, title: "Top customers", colour: "#f08c00"))</section>
            </div>
            """
    }

    var rangeText: String {
        "\(localDay(query.from)) – \(localDay(query.to.addingTimeInterval(-0.001)))"
    }

    func localDay(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(dateSeparator: .dash, timeZone: query.timeZone).year().month().day())
    }

    func bucketLabel(_ start: Date) -> String {
        var style = Date.FormatStyle(timeZone: query.timeZone)
        style.locale = Locale(identifier: "en_US_POSIX")
        switch query.interval {
        case .hour: return start.formatted(style.month(.abbreviated).day().hour(.twoDigits(amPM: .omitted)).minute())
        case .day, .week: return start.formatted(style.month(.abbreviated).day())
        case .month: return start.formatted(style.month(.abbreviated).year())
        }
    }

    static let style = """
        body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2933;background:#f5f7fa}
        header{background:#1f2933;color:#fff;padding:12px 20px}header h1{margin:0 0 8px;font-size:20px}
        form{display:flex;flex-wrap:wrap;gap:10px;align-items:end}form label{display:flex;flex-direction:column;font-size:12px}
        input,select,button{font:inherit;padding:3px 6px}main{padding:16px 20px}
        .tiles{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:12px}.tile{background:#fff;border-radius:6px;padding:10px 16px;min-width:160px;box-shadow:0 1px 2px #0002}
        .tile span{display:block;font-size:12px;color:#52606d}.tile strong{font-size:20px}
        .panel{background:#fff;border-radius:6px;padding:10px 14px;margin-bottom:12px;box-shadow:0 1px 2px #0002;overflow-x:auto}
        .panel h2{font-size:15px;margin:0 0 6px}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(490px,1fr));gap:12px}
        .grid .panel{margin:0}svg text{font-size:11px;fill:#323f4b}svg .axis{fill:#7b8794}svg .grid{stroke:#e4e7eb}
        svg .line{fill:none;stroke:#5b8def;stroke-width:2}svg .area{fill:#5b8def22}svg .point{fill:#5b8def}
        .legend{display:flex;gap:12px;font-size:12px;margin-bottom:4px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
        .error{background:#ffe3e3;color:#a61e4d;padding:10px;border-radius:6px}.empty{color:#7b8794}
        footer{padding:8px 20px;color:#7b8794;font-size:12px}
        """
}

/// Amounts for people: the domain's `12.50 EUR` with thousands separators (`1,234.50 EUR`).
enum AmountText {
    static func format(_ minor: Int64, _ code: String) -> String {
        guard let currency = try? Currency(code) else { return "\(minor) \(code)" }
        let plain = Money(amountMinor: minor, currency: currency).description
        let digits = plain.prefix { $0 == "-" || $0.isNumber }
        let sign = digits.hasPrefix("-") ? "-" : ""
        var grouped = ""
        for (n, character) in digits.drop(while: { $0 == "-" }).reversed().enumerated() {
            if n > 0, n % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return sign + String(grouped.reversed()) + plain.dropFirst(digits.count)
    }
}
