import Foundation
import Testing

/// Which module may import which: the module map of DESIGN.md, checked against every `import`
/// in `Sources/`. A module that is not in the table, or an import the table does not allow,
/// fails the build's tests.
enum ModuleMap {
    /// Modules of the toolchain any module may import.
    static let system: Set<String> = ["Foundation", "FoundationEssentials", "Synchronization", "Dispatch", "Glibc", "Musl", "Darwin"]

    static let metrics: Set<String> = ["Metrics", "CoreMetrics"]

    /// What each module of `Sources/` may import besides the system's modules.
    static let allowed: [String: Set<String>] = {
        var table: [String: Set<String>] = [
            // Byte-level JSON, SQLite rows stepped in place, one backoff formula: leaves.
            "JSONScanning": [],
            "RowScanning": ["GRDB", "GRDBSQLite"],
            "Timing": [],
            "CCurl": [],
            // Pure domain: no I/O.
            "OrdersDomain": ["JSONScanning"],
            // The write side.
            "OrdersStore": Set(["OrdersDomain", "RowScanning", "Timing", "GRDB", "Logging", "Crypto"]).union(metrics),
            // A general Elasticsearch client: knows nothing about orders.
            "Elasticsearch": ["CCurl", "JSONScanning", "Timing", "Logging", "ServiceLifecycle"],
            // The read model and its backends: never the write side or the projection.
            "OrdersSearch": Set(["OrdersDomain", "Elasticsearch", "RowScanning", "Timing", "GRDB", "GRDBSQLite", "Logging", "ServiceLifecycle"])
                .union(metrics),
            // The projection: reads the write side, writes the read side; never Elasticsearch itself.
            "OrdersProjection": Set(["OrdersDomain", "OrdersStore", "OrdersSearch", "Timing", "GRDB", "Logging", "ServiceLifecycle"]).union(metrics),
        ]
        // Request bodies are read with the byte-level JSON scanner (`StrictJSON`).
        table["OrdersAPI"] = Set([
            "OrdersDomain", "OrdersStore", "OrdersSearch", "OrdersProjection", "JSONScanning", "Timing", "Hummingbird", "HummingbirdAuth",
            "HummingbirdCore", "JWTKit", "Crypto", "HTTPTypes", "NIOCore", "NIOHTTPTypes", "Logging", "Prometheus", "ServiceLifecycle",
        ]).union(metrics)
        table["orders"] = table["OrdersAPI"]!.union(["OrdersAPI", "Elasticsearch", "ArgumentParser", "UnixSignals"])
        return table
    }()

    /// Narrower rules for folders inside a module: the query side of the API sees the read
    /// model only (its routes must not reach into the projection or the write side), and the
    /// operational routes do not reach into the projection.
    static let folders: [(path: String, forbidden: Set<String>)] = [
        ("OrdersAPI/Queries/", ["OrdersProjection", "OrdersStore"]),
        ("OrdersAPI/Operations/OpsRoutes.swift", ["OrdersProjection"]),
    ]

    /// The modules a Swift file imports.
    static func imports(of source: String) -> Set<String> {
        var modules: Set<String> = []
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            // `@testable`, `@_exported`, `@preconcurrency`; `public`, `package`, `internal`, ...
            while let first = words.first, first.hasPrefix("@") || ["public", "package", "internal", "fileprivate", "private"].contains(first) {
                words.removeFirst()
            }
            guard words.first == "import", words.count >= 2 else { continue }
            // `import struct Foo.Bar` names the kind first.
            let name =
                ["struct", "class", "enum", "protocol", "func", "var", "let", "typealias"].contains(words[1]) && words.count >= 3
                ? words[2] : words[1]
            modules.insert(String(name.split(separator: ".").first ?? ""))
        }
        return modules
    }

    /// Every import the table does not allow, as "<file>: imports <module>".
    static func violations(module: String, file: String, source: String) -> [String] {
        guard let allowed = allowed[module] else { return ["\(file): module \(module) is not in the module map"] }
        let forbidden = folders.filter { file.hasPrefix($0.path) }.reduce(into: Set<String>()) { $0.formUnion($1.forbidden) }
        return imports(of: source).subtracting(system).filter { !allowed.contains($0) || forbidden.contains($0) }.sorted().map {
            "\(file): imports \($0)"
        }
    }
}

@Suite struct ModuleImportTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    @Test func everyModuleImportsOnlyWhatTheModuleMapAllows() throws {
        let modules = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(Set(modules) == Set(ModuleMap.allowed.keys), "every module of Sources/ is in the map, and only those")
        var violations: [String] = []
        var files = 0
        for module in modules {
            let root = Self.sources.appendingPathComponent(module)
            guard let walker = FileManager.default.enumerator(atPath: root.path) else { continue }
            for case let path as String in walker where path.hasSuffix(".swift") {
                files += 1
                let source = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
                violations += ModuleMap.violations(module: module, file: "\(module)/\(path)", source: source)
            }
        }
        #expect(files > 100, "the sources were found (\(files) files)")
        #expect(violations == [], "imports the module map does not allow:\n\(violations.joined(separator: "\n"))")
    }

    @Test func aForbiddenImportIsReported() {
        let source = """
            import Foundation
            @preconcurrency package import OrdersProjection
            import struct OrdersStore.EventStore
            // import Hummingbird (a comment)
            """
        #expect(ModuleMap.imports(of: source) == ["Foundation", "OrdersProjection", "OrdersStore"])
        #expect(
            ModuleMap.violations(module: "OrdersSearch", file: "OrdersSearch/X.swift", source: source) == [
                "OrdersSearch/X.swift: imports OrdersProjection", "OrdersSearch/X.swift: imports OrdersStore",
            ])
        #expect(
            ModuleMap.violations(module: "OrdersAPI", file: "OrdersAPI/Queries/QueryRoutes.swift", source: source) == [
                "OrdersAPI/Queries/QueryRoutes.swift: imports OrdersProjection", "OrdersAPI/Queries/QueryRoutes.swift: imports OrdersStore",
            ], "the query routes see the read model only")
        #expect(ModuleMap.violations(module: "OrdersAPI", file: "OrdersAPI/Operations/AdminRoutes.swift", source: source) == [])
        #expect(
            ModuleMap.violations(module: "NewModule", file: "NewModule/A.swift", source: "") == [
                "NewModule/A.swift: module NewModule is not in the module map"
            ])
    }
}
