package import Foundation

/// Runs shared/es-spec/validate.py, Elastic's schema checker, over captured requests.
package enum SpecValidator {
    package static let script: URL = {
        if let path = ProcessInfo.processInfo.environment["ES_SPEC_DIR"] {
            return URL(fileURLWithPath: path).appendingPathComponent("validate.py")
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/es-spec/validate.py")
    }()

    /// Present, or required anyway (CI must not skip the check silently).
    package static var enabled: Bool {
        FileManager.default.fileExists(atPath: script.path) || ProcessInfo.processInfo.environment["CI"] != nil
    }

    package static let skipMessage = "shared/es-spec/validate.py not found beside the package (set ES_SPEC_DIR): schema check skipped"

    /// Validates the lines; returns the validator's exit status and output.
    package static func validate(_ lines: [String]) throws -> (status: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("es-requests-\(UUID().uuidString).jsonl")
        try lines.joined(separator: "\n").appending("\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
