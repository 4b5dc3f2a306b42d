import Foundation
import OrdersDomain
import OrdersSearch

/// Charts drawn on the server as inline SVG: no script, no external library, readable with
/// JavaScript off and in any browser. Every text is escaped.
enum SVGCharts {
    /// The statuses' colours, in lifecycle order (distinct for colour-blind readers too).
    static let statusColours: [OrderStatus: String] = [
        .draft: "#9aa5b1", .submitted: "#5b8def", .paid: "#2f9e44", .shipped: "#f08c00", .delivered: "#1c7c54", .cancelled: "#e03131",
    ]

    struct Bar {
        var label: String
        var value: Double
        var text: String
    }

    /// Horizontal bars with a label on the left and the value's text on the right.
    static func horizontalBars(_ bars: [Bar], title: String, colour: String = "#5b8def", width: Int = 460) -> String {
        guard !bars.isEmpty else { return empty(title) }
        let rowHeight = 24
        let labelWidth = 150
        let textWidth = 110
        let barSpace = Double(width - labelWidth - textWidth - 10)
        let largest = max(bars.map(\.value).max() ?? 0, 1)
        var svg = open(width: width, height: bars.count * rowHeight + 4, title: title)
        for (n, bar) in bars.enumerated() {
            let y = n * rowHeight + 2
            let length = max(bar.value / largest * barSpace, bar.value > 0 ? 1 : 0)
            svg += """
                <g class="bar"><text x="\(labelWidth - 6)" y="\(y + 16)" text-anchor="end">\(HTML.escape(truncated(bar.label, 22)))</text>\
                <rect x="\(labelWidth)" y="\(y + 3)" width="\(format(length))" height="\(rowHeight - 8)" fill="\(colour)" rx="2">\
                <title>\(HTML.escape(bar.label)): \(HTML.escape(bar.text))</title></rect>\
                <text x="\(labelWidth + Int(length) + 6)" y="\(y + 16)" class="value">\(HTML.escape(bar.text))</text></g>
                """
        }
        return svg + "</svg>"
    }

    /// One column per bucket, stacked by status, with a few axis labels.
    static func stackedColumns(
        _ columns: [(label: String, parts: [(OrderStatus, Int)])], title: String, width: Int = 940, height: Int = 220
    ) -> String {
        guard !columns.isEmpty else { return empty(title) }
        let left = 44
        let bottom = 24
        let plotWidth = Double(width - left - 8)
        let plotHeight = Double(height - bottom - 8)
        let largest = max(columns.map { $0.parts.reduce(0) { $0 + $1.1 } }.max() ?? 0, 1)
        let step = plotWidth / Double(columns.count)
        var svg = open(width: width, height: height, title: title)
        for tick in ticks(largest) {
            let y = 8 + plotHeight - Double(tick) / Double(largest) * plotHeight
            svg += #"<line x1="\#(left)" x2="\#(width - 8)" y1="\#(format(y))" y2="\#(format(y))" class="grid"/>"#
            svg += #"<text x="\#(left - 4)" y="\#(format(y + 4))" text-anchor="end" class="axis">\#(tick)</text>"#
        }
        let labelEvery = max(1, columns.count / 12)
        for (n, column) in columns.enumerated() {
            let x = Double(left) + Double(n) * step
            var top = 8 + plotHeight
            let total = column.parts.reduce(0) { $0 + $1.1 }
            svg += #"<g class="column" data-orders="\#(total)">"#
            for (status, count) in column.parts where count > 0 {
                let height = Double(count) / Double(largest) * plotHeight
                top -= height
                svg += """
                    <rect x="\(format(x + step * 0.1))" y="\(format(top))" width="\(format(max(step * 0.8, 1)))" height="\(format(height))" \
                    fill="\(statusColours[status]!)"><title>\(HTML.escape(column.label)): \(count) \(status.rawValue)</title></rect>
                    """
            }
            svg += "</g>"
            if n % labelEvery == 0 {
                svg +=
                    #"<text x="\#(format(x + step / 2))" y="\#(height - 6)" text-anchor="middle" class="axis">\#(HTML.escape(column.label))</text>"#
            }
        }
        return svg + "</svg>"
    }

    /// A line over the buckets (revenue), with its area lightly filled.
    static func line(_ points: [(label: String, value: Double, text: String)], title: String, width: Int = 940, height: Int = 160) -> String {
        guard !points.isEmpty else { return empty(title) }
        let left = 70
        let plotWidth = Double(width - left - 8)
        let plotHeight = Double(height - 32)
        let largest = max(points.map(\.value).max() ?? 0, 1)
        let step = points.count > 1 ? plotWidth / Double(points.count - 1) : 0
        let coordinates = points.enumerated().map { n, point in
            (x: Double(left) + Double(n) * step, y: 8 + plotHeight - point.value / largest * plotHeight)
        }
        var svg = open(width: width, height: height, title: title)
        svg += #"<line x1="\#(left)" x2="\#(width - 8)" y1="\#(format(8 + plotHeight))" y2="\#(format(8 + plotHeight))" class="grid"/>"#
        let path = coordinates.map { "\(format($0.x)),\(format($0.y))" }.joined(separator: " ")
        svg +=
            #"<polygon points="\#(left),\#(format(8 + plotHeight)) \#(path) \#(format(coordinates.last!.x)),\#(format(8 + plotHeight))" class="area"/>"#
        svg += #"<polyline points="\#(path)" class="line"/>"#
        for (point, at) in zip(points, coordinates) {
            svg +=
                #"<circle cx="\#(format(at.x))" cy="\#(format(at.y))" r="2.5" class="point"><title>\#(HTML.escape(point.label)): \#(HTML.escape(point.text))</title></circle>"#
        }
        let highest = points.max { $0.value < $1.value }!
        svg += #"<line x1="\#(left)" x2="\#(width - 8)" y1="8" y2="8" class="grid"/>"#
        svg += #"<text x="\#(left - 4)" y="12" text-anchor="end" class="axis">max</text>"#
        svg += #"<text x="\#(left + 4)" y="20" class="axis">\#(HTML.escape(highest.text)) (\#(HTML.escape(highest.label)))</text>"#
        return svg + "</svg>"
    }

    static func open(width: Int, height: Int, title: String) -> String {
        #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(width) \#(height)" width="\#(width)" height="\#(height)" role="img" aria-label="\#(HTML.escape(title))">"#
    }

    static func empty(_ title: String) -> String {
        #"<p class="empty" aria-label="\#(HTML.escape(title))">No orders in this range.</p>"#
    }

    /// Up to five round gridline values from 0 to `largest`.
    static func ticks(_ largest: Int) -> [Int] {
        let rough = Double(largest) / 4
        let magnitude = pow(10, floor(log10(max(rough, 1))))
        let step = Int([1, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? magnitude * 10)
        return Array(stride(from: 0, through: largest, by: max(step, 1)))
    }

    static func format(_ value: Double) -> String { String(Int((value * 10).rounded())) == "0" ? "0" : String((value * 10).rounded() / 10) }

    static func truncated(_ text: String, _ length: Int) -> String { text.count > length ? String(text.prefix(length - 1)) + "…" : text }
}

/// Text in a page: user text escaped as highlights are (`&`, `<`, `>`, `"`, `'`, `/`), so it is
/// text in element content and in quoted attributes alike.
enum HTML {
    static func escape(_ text: String) -> String { HighlightText.escape(text) }
}
