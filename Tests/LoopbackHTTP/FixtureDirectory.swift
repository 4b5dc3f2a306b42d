package import Foundation

/// `shared/es-fixtures` beside the package (or `ES_FIXTURES_DIR`): real Elasticsearch responses.
package enum FixtureDirectory {
    package static let url: URL = {
        if let path = ProcessInfo.processInfo.environment["ES_FIXTURES_DIR"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/es-fixtures")
    }()

    /// Present, or required anyway (CI must not skip fixture tests silently).
    package static var enabled: Bool {
        FileManager.default.fileExists(atPath: url.path) || ProcessInfo.processInfo.environment["CI"] != nil
    }

    package static let skipMessage = "shared/es-fixtures not found beside the package (set ES_FIXTURES_DIR): fixture tests skipped"
}
