import Foundation
import OrdersAPI
import Testing

/// Every metric family on `/metrics` says what it counts (`# HELP`).
@Suite struct MetricsHelpTests {
    /// The metric names the sources create (`label: "orders_..."`).
    static func labelsInSources() throws -> Set<String> {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        let label = try Regex(#"label: "(orders_[a-z_]+)""#)
        var names: Set<String> = []
        for case let file as URL in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: label) { names.insert(String(match.output[1].substring ?? "")) }
        }
        return names
    }

    @Test func everyFamilyTheSourcesCreateHasHelpText() throws {
        let names = try Self.labelsInSources()
        #expect(names.count >= 19, "the scan finds the metrics: \(names.sorted())")
        #expect(names.subtracting(MetricsHelp.text.keys).sorted() == [], "families without help text")
        #expect(Set(MetricsHelp.text.keys).subtracting(names).sorted() == [], "help text for families nothing creates")
        for (name, help) in MetricsHelp.text { #expect(!help.isEmpty && !help.contains("\n"), "\(name)") }
    }

    @Test func theExpositionGetsAHelpLineBeforeEachKnownFamily() {
        let exposition = """
            # TYPE orders_commands_total counter
            orders_commands_total{command="customer.register",outcome="ok"} 1
            # HELP orders_http_rate_limited_total Already described.
            # TYPE orders_http_rate_limited_total counter
            orders_http_rate_limited_total 0
            # TYPE someone_elses gauge
            someone_elses 1

            """
        let annotated = String(decoding: MetricsHelp.annotate(Array(exposition.utf8)), as: UTF8.self)
        let lines = annotated.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "# HELP orders_commands_total \(MetricsHelp.text["orders_commands_total"]!)")
        #expect(lines[1] == "# TYPE orders_commands_total counter")
        #expect(annotated.components(separatedBy: "# HELP orders_http_rate_limited_total").count == 2, "not described twice")
        #expect(!annotated.contains("# HELP someone_elses"), "nothing made up for an unknown family")
        #expect(annotated.hasSuffix("someone_elses 1\n"), "the exposition ends as it did")
        #expect(MetricsHelp.annotate([]) == [])
    }
}
