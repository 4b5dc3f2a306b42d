import Elasticsearch
import Foundation
import LoopbackHTTP
import Testing

/// The real Elasticsearch responses in `shared/es-fixtures/` beside this package.
enum Fixtures {
    static var directory: URL { FixtureDirectory.url }
    static var enabled: Bool { FixtureDirectory.enabled }
    static let skipMessage = Comment(rawValue: FixtureDirectory.skipMessage)

    struct Entry: Decodable {
        var file: String
        var endpoint: String
        var kind: String
    }

    static func entries(endpoint: String, kind: String = "response") throws -> [Entry] {
        let manifest = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        return manifest.filter { $0.endpoint == endpoint && $0.kind == kind }
    }

    /// The file's bytes; partial `.txt` excerpts are repaired into JSON (see `lenient`).
    static func bytes(_ entry: Entry) throws -> [UInt8] {
        let data = try Data(contentsOf: directory.appendingPathComponent(entry.file))
        return entry.file.hasSuffix(".txt") ? Array(lenient(String(decoding: data, as: UTF8.self)).utf8) : Array(data)
    }

    static func json(_ entry: Entry) throws -> JSONValue { try JSONValue.parse(bytes(entry)) }

    /// Turns a documentation excerpt into JSON: drops `<1>` callouts and `...` lines, makes
    /// `: ...` null and `[...]` empty, folds line breaks inside strings, removes trailing commas.
    static func lenient(_ text: String) -> String {
        var text = text.replacingOccurrences(of: #"<\d+>"#, with: "", options: .regularExpression)
        text = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !["...", "...,"].contains($0.trimmingCharacters(in: .whitespaces)) }.joined(separator: "\n")
        text = text.replacingOccurrences(of: #":\s*\.\.\."#, with: ": null", options: .regularExpression)
        text = text.replacingOccurrences(of: #"\[\s*\.\.\.\s*\]"#, with: "[]", options: .regularExpression)
        var folded = ""
        var inString = false
        var escaped = false
        for character in text {
            if inString {
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inString = false
                } else if character == "\n" {
                    folded.append(" ")
                    continue
                }
            } else if character == "\"" {
                inString = true
            }
            folded.append(character)
        }
        return folded.replacingOccurrences(of: #",\s*([}\]])"#, with: "$1", options: .regularExpression)
    }
}
