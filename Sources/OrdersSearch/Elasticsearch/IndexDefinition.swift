package import Elasticsearch
import Foundation

/// The Elasticsearch index definition (settings + mappings) from `index-mappings/orders.json`,
/// with the mapping version in its `_meta` that tells a live index built from an older file.
package struct IndexDefinition: Sendable, Hashable {
    /// The `PUT /<index>` body: `settings` and `mappings`.
    package var body: JSONValue
    /// `mappings._meta.mapping_version`.
    package var mappingVersion: Int64

    package init(body: JSONValue) throws(IndexDefinitionError) {
        guard body["settings"]?.object != nil, body["mappings"]?.object != nil else {
            throw IndexDefinitionError(reason: "needs a 'settings' and a 'mappings' object")
        }
        guard let version = body["mappings"]?["_meta"]?["mapping_version"]?.int else {
            throw IndexDefinitionError(reason: "needs mappings._meta.mapping_version (a whole number)")
        }
        self.body = body
        mappingVersion = version
    }

    /// Reads the file at `path`.
    package init(contentsOf path: String) throws(IndexDefinitionError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw IndexDefinitionError(reason: "cannot read \(path): \(error.localizedDescription)")
        }
        do {
            try self.init(body: try JSONValue.parse(data))
        } catch let error as IndexDefinitionError {
            throw IndexDefinitionError(reason: "\(path): \(error.reason)")
        } catch {
            throw IndexDefinitionError(reason: "\(path) is not JSON: \(error)")
        }
    }

    /// The file name under `index-mappings/`.
    package static let fileName = "orders.json"

    /// Where the definition is looked for when no path is given: `ORDERS_INDEX_MAPPINGS`, then
    /// `index-mappings/orders.json` in the working directory and in the folders above the
    /// executable (a checkout running `swift run`, or an install with `share/orders/`).
    package static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let path = environment["ORDERS_INDEX_MAPPINGS"] { return path }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("index-mappings/\(fileName)")]
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent("index-mappings/\(fileName)"))
            candidates.append(folder.appendingPathComponent("share/orders/index-mappings/\(fileName)"))
            folder.deleteLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }?.path
    }
}

package struct IndexDefinitionError: Error, Sendable, CustomStringConvertible {
    package var reason: String
    package var description: String { "index definition: \(reason)" }
}
