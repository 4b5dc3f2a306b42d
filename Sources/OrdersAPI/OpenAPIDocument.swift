package import Foundation
package import NIOCore

/// The OpenAPI 3 description of the routes: `openapi.json` beside this file, a resource of this
/// target (`Package.swift`), served byte for byte. A test checks that it documents every route
/// the router serves and that every path and method it lists is served.
package enum OpenAPIDocument {
    /// Why the document cannot be served: the resource is not where the build put it (an
    /// installation that left the `orders_OrdersAPI.resources` bundle behind), it cannot be
    /// read, or it is not a JSON object.
    package struct LoadError: Error, CustomStringConvertible {
        /// The bundle or file looked at.
        package var location: String
        package var reason: String

        package var description: String { "the OpenAPI document cannot be served: \(reason) (\(location))" }
    }

    /// The document, read from the target's resource bundle on first use and kept for the
    /// process life. `OpsRoutes` reads it while the router is built, so a server missing its
    /// document stops at start saying what is missing, rather than serving an empty one.
    static let bytes: ByteBuffer = {
        do {
            return try load(from: .module)
        } catch {
            fatalError("\(error)")
        }
    }()

    /// The document in `bundle`, as it is, once checked to be a JSON object.
    package static func load(from bundle: Bundle) throws -> ByteBuffer {
        guard let url = bundle.url(forResource: "openapi", withExtension: "json") else {
            throw LoadError(location: bundle.bundlePath, reason: "openapi.json is not in the resource bundle")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw LoadError(location: url.path, reason: "it cannot be read: \(error)")
        }
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw LoadError(location: url.path, reason: "it is not a JSON object")
        }
        return ByteBuffer(bytes: data)
    }
}
