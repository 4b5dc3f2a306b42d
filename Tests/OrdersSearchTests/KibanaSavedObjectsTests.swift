import Foundation
import LoopbackHTTP
import OrdersSearch
import Testing

/// `kibana/orders.ndjson` (imported by `docker compose up`) can only be checked against Kibana
/// where one runs; here it is held to the index definition: every field a panel aggregates
/// exists with an aggregatable type, references resolve, the Vega panels' Elasticsearch bodies
/// validate against Elastic's schema, and the dashboard has the panels of `/dashboard`.
@Suite struct KibanaSavedObjectsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func objects() throws -> [[String: Any]] {
        let text = try String(contentsOf: root.appendingPathComponent("kibana/orders.ndjson"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    /// Field path → mapping type, with sub-fields (`customer.name.keyword`) and whether it sits under a nested object.
    static func fields() throws -> [String: (type: String, nested: Bool)] {
        let data = try Data(contentsOf: root.appendingPathComponent("index-mappings/orders.json"))
        let definition = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var fields: [String: (type: String, nested: Bool)] = [:]
        func walk(_ properties: [String: Any], prefix: String, nested: Bool) {
            for (name, value) in properties {
                guard let mapping = value as? [String: Any] else { continue }
                let path = prefix + name
                let type = mapping["type"] as? String ?? "object"
                fields[path] = (type, nested)
                for (sub, subMapping) in mapping["fields"] as? [String: Any] ?? [:] {
                    fields["\(path).\(sub)"] = ((subMapping as? [String: Any])?["type"] as? String ?? "?", nested)
                }
                if let children = mapping["properties"] as? [String: Any] { walk(children, prefix: path + ".", nested: nested || type == "nested") }
            }
        }
        walk(((definition["mappings"] as? [String: Any])?["properties"] as? [String: Any]) ?? [:], prefix: "", nested: false)
        return fields
    }

    static let aggregatable: Set<String> = ["keyword", "date", "long", "integer", "double", "float"]

    @Test func panelsAggregateFieldsOfTheIndexDefinition() throws {
        let objects = try Self.objects()
        let fields = try Self.fields()
        let ids = Set(objects.compactMap { $0["id"] as? String })
        #expect(ids.count == objects.count, "ids are unique")
        let dataView = try #require(objects.first { $0["type"] as? String == "index-pattern" })
        let viewAttributes = try #require(dataView["attributes"] as? [String: Any])
        #expect(viewAttributes["title"] as? String == ElasticsearchSearchIndex.Configuration().alias, "the data view reads the alias")
        #expect(fields[viewAttributes["timeFieldName"] as? String ?? ""]?.type == "date")

        var lensFields = 0
        for object in objects where object["type"] as? String == "lens" {
            let title = (object["attributes"] as? [String: Any])?["title"] as? String ?? "?"
            let state = ((object["attributes"] as? [String: Any])?["state"] as? [String: Any]) ?? [:]
            let layers = ((state["datasourceStates"] as? [String: Any])?["formBased"] as? [String: Any])?["layers"] as? [String: Any] ?? [:]
            #expect(!layers.isEmpty, "\(title) has a layer")
            for (layerID, layer) in layers {
                let references = object["references"] as? [[String: Any]] ?? []
                #expect(
                    references.contains {
                        $0["name"] as? String == "indexpattern-datasource-layer-\(layerID)" && $0["id"] as? String == dataView["id"] as? String
                    })
                for (_, column) in (layer as? [String: Any])?["columns"] as? [String: Any] ?? [:] {
                    guard let field = (column as? [String: Any])?["sourceField"] as? String, field != "___records___" else { continue }
                    let mapped = fields[field]
                    #expect(
                        mapped.map { Self.aggregatable.contains($0.type) && !$0.nested } == true, "\(title): \(field) is aggregatable and not nested")
                    lensFields += 1
                }
            }
        }
        #expect(lensFields >= 12)
    }

    @Test func vegaPanelsSendValidSearchBodies() throws {
        let fields = try Self.fields()
        var lines: [String] = []
        for object in try Self.objects() where object["type"] as? String == "visualization" {
            let attributes = try #require(object["attributes"] as? [String: Any])
            let visState = try #require(attributes["visState"] as? String)
            let state = try #require(try JSONSerialization.jsonObject(with: Data(visState.utf8)) as? [String: Any])
            #expect(state["type"] as? String == "vega")
            let specText = try #require((state["params"] as? [String: Any])?["spec"] as? String)
            let spec = try #require(try JSONSerialization.jsonObject(with: Data(specText.utf8)) as? [String: Any])
            let url = try #require((spec["data"] as? [String: Any])?["url"] as? [String: Any])
            #expect(
                url["%context%"] as? Bool == true && url["%timefield%"] as? String == "created_at", "follows the dashboard's time range and filters")
            var body = try #require(url["body"] as? [String: Any])
            // What Kibana adds before sending: the dashboard's query and time range.
            body["query"] = [
                "bool": [
                    "must": [
                        [
                            "range": [
                                "created_at": [
                                    "gte": "2026-01-01T00:00:00.000Z", "lte": "2026-01-31T23:59:59.999Z", "format": "strict_date_optional_time",
                                ]
                            ]
                        ]
                    ]
                ]
            ]
            let bodyText = String(decoding: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
            for match in bodyText.matches(of: /"field":"([^"]+)"/) {
                #expect(fields[String(match.1)].map { Self.aggregatable.contains($0.type) } == true, "\(match.1) is aggregatable")
            }
            #expect(bodyText.contains(#""nested":{"path":"items"}"#))
            lines.append(#"{"method":"POST","path":"/\#(url["index"] as? String ?? "")/_search","body":\#(bodyText)}"#)
        }
        #expect(lines.count == 2, "top products by revenue and by quantity")
        guard SpecValidator.enabled else { return }
        let (status, output) = try SpecValidator.validate(lines)
        #expect(status == 0, "\(output)")
    }

    @Test func theDashboardHasThePanelsOfTheServicesOwnPage() throws {
        let objects = try Self.objects()
        let dashboard = try #require(objects.first { $0["type"] as? String == "dashboard" })
        let references = try #require(dashboard["references"] as? [[String: Any]])
        let ids = Set(objects.compactMap { $0["id"] as? String })
        let shown = references.compactMap { $0["id"] as? String }
        #expect(shown.allSatisfy(ids.contains), "every panel is in the file")
        for panel in AnalyticsPanel.allCases {
            #expect(shown.contains { $0.hasPrefix(panel.rawValue) }, "\(panel.rawValue) is on the Kibana dashboard")
        }
        let attributes = try #require(dashboard["attributes"] as? [String: Any])
        let panelsJSON = try #require(attributes["panelsJSON"] as? String)
        let panels = try #require(try JSONSerialization.jsonObject(with: Data(panelsJSON.utf8)) as? [[String: Any]])
        #expect(Set(panels.compactMap { $0["panelRefName"] as? String }) == Set(references.compactMap { $0["name"] as? String }))
        let compose = try String(contentsOf: Self.root.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        #expect(compose.contains("api/saved_objects/_import") && compose.contains("kibana/orders.ndjson"), "docker compose up imports the file")
    }
}
