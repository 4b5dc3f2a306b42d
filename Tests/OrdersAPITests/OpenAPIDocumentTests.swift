import Foundation
import HTTPTypes
import LiveHTTP
import NIOCore
import OrdersAPI
import Testing

/// `GET /openapi.json` serves `Sources/OrdersAPI/openapi.json` as it is, and a server that cannot
/// find it says so; what the document says of roles and limits is what the server does
/// (`OpenAPIDocumentTests+Server.swift`). (That it lists exactly the routes served is in `APITests`.)
@Suite struct OpenAPIDocumentTests {
    /// The document in the repository, beside the sources.
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/OrdersAPI/openapi.json")

    @Test func theServedDocumentIsTheFileByteForByte() async throws {
        let file = try Data(contentsOf: Self.file)
        #expect(file.count > 10_000)
        try await APITests.with { _, client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(Data(response.body.readableBytesView) == file)
            }
        }
    }

    @Test func aMissingOrBrokenDocumentIsAnErrorNamingWhatIsWrong() throws {
        // Given a resource bundle without the document, then one where it is not JSON.
        try Self.withBundle(document: nil) { bundle in
            let error = #expect(throws: OpenAPIDocument.LoadError.self) { try OpenAPIDocument.load(from: bundle) }
            #expect(error?.description.contains("openapi.json is not in the resource bundle") == true, "\(String(describing: error))")
            #expect(error?.location == bundle.bundlePath)
        }
        try Self.withBundle(document: Data("{\"openapi\":".utf8)) { bundle in
            let error = #expect(throws: OpenAPIDocument.LoadError.self) { try OpenAPIDocument.load(from: bundle) }
            #expect(error?.description.contains("not a JSON object") == true, "\(String(describing: error))")
            #expect(error?.location.hasSuffix("/openapi.json") == true)
        }
    }

    /// A fresh directory as a bundle, holding `document` as `openapi.json` when given.
    static func withBundle(document: Data?, _ body: (Bundle) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        if let document { try document.write(to: directory.appendingPathComponent("openapi.json")) }
        try body(try #require(Bundle(path: directory.path)))
    }
}
