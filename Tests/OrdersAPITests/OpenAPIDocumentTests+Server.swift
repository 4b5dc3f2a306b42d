import Foundation
import HTTPTypes
import LiveHTTP
import NIOCore
import OrdersAPI
import OrdersStore
import OrdersTestSupport
import Testing

/// The document against the server it describes, both read as they are: who may call each
/// operation, and the limits of every string and integer a request carries. Nothing here names
/// an operation or a field: a limit or a role changed on one side only fails a test.
extension OpenAPIDocumentTests {
    /// One operation of the document.
    struct Operation: CustomStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var object: [String: Any]

        var description: String { "\(method) \(path)" }
        /// `x-required-role`: none, reader, writer or admin.
        var role: String? { object["x-required-role"] as? String }
        /// The path with every parameter set to an id that names nothing.
        var uri: String { path.replacing(#/\{[a-z_]+\}/#, with: "x-1") }
    }

    /// A value at or past a limit: its JSON text and its text in a query.
    enum Value: CustomStringConvertible {
        case string(String)
        case integer(String)

        var json: String {
            switch self {
            case .string(let text): String(decoding: try! JSONSerialization.data(withJSONObject: text, options: .fragmentsAllowed), as: UTF8.self)
            case .integer(let text): text
            }
        }

        var query: String {
            switch self {
            case .string(let text), .integer(let text): text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            }
        }

        var description: String {
            switch self {
            case .string(let text): "a string of \(text.unicodeScalars.count)"
            case .integer(let text): text
            }
        }
    }

    static func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
    }

    static func operations(_ document: [String: Any]) throws -> [Operation] {
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        return paths.sorted { $0.key < $1.key }.flatMap { path, operations in
            operations.sorted { $0.key < $1.key }.compactMap { method, object in
                (object as? [String: Any]).map { Operation(method: HTTPRequest.Method(rawValue: method.uppercased())!, path: path, object: $0) }
            }
        }
    }

    /// `object`, or what its `$ref` names.
    static func resolve(_ object: Any?, in document: [String: Any]) -> [String: Any] {
        guard let object = object as? [String: Any] else { return [:] }
        guard let reference = object["$ref"] as? String else { return object }
        var node: Any? = document
        for key in reference.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(key)] }
        return resolve(node, in: document)
    }

    /// The operation's JSON request body schema, if it takes one.
    static func bodySchema(_ operation: Operation, _ document: [String: Any]) -> [String: Any]? {
        let body = resolve(operation.object["requestBody"], in: document)
        let content = body["content"] as? [String: Any]
        return (content?["application/json"] as? [String: Any]).map { resolve($0["schema"], in: document) }
    }

    /// Every property of an object schema, those of nested objects with their path.
    static func properties(_ schema: [String: Any], _ document: [String: Any], under path: [String] = []) -> [([String], [String: Any])] {
        let properties = (schema["properties"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }
        return properties.flatMap { name, property in
            let property = resolve(property, in: document)
            if property["type"] as? String == "object" { return Self.properties(property, document, under: path + [name]) }
            return [(path + [name], property)]
        }
    }

    /// A string of `length` characters for a property with `pattern`: `x`s where they match it,
    /// else an email address (a 64-character local part, the domain filled up with `b`s).
    static func string(length: Int, matching pattern: String?) -> String {
        let xs = String(repeating: "x", count: length)
        guard let pattern, !matches(xs, pattern) else { return xs }
        let local = String(repeating: "a", count: min(64, max(1, length - 6)))
        return local + "@" + String(repeating: "b", count: max(1, length - local.count - 5)) + ".com"
    }

    static func matches(_ text: String, _ pattern: String) -> Bool {
        let expression = try! NSRegularExpression(pattern: pattern)
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The values at each limit the schema states (they must pass) and just past it (refused).
    static func limitValues(_ schema: [String: Any]) -> [(value: Value, passes: Bool)] {
        let pattern = schema["pattern"] as? String
        var values: [(Value, Bool)] = []
        switch schema["type"] as? String {
        case "string":
            if let maximum = schema["maxLength"] as? Int {
                values += [
                    (.string(string(length: maximum, matching: pattern)), true), (.string(string(length: maximum + 1, matching: pattern)), false),
                ]
            }
            if let minimum = schema["minLength"] as? Int, minimum > 0 {
                values += [(.string(string(length: minimum, matching: pattern)), true), (.string(String(repeating: "x", count: minimum - 1)), false)]
            }
        case "integer":
            // As decimal text: one past `Int64.max` is still a number in JSON and in a query.
            if let maximum = (schema["maximum"] as? NSNumber)?.int64Value {
                values += [(.integer(String(maximum)), true), (.integer("\(Decimal(maximum) + 1)"), false)]
            }
            if let minimum = (schema["minimum"] as? NSNumber)?.int64Value {
                values += [(.integer(String(minimum)), true), (.integer("\(Decimal(minimum) - 1)"), false)]
            }
        default: break
        }
        return values
    }

    /// `example` as JSON text, the property at `path` set to `value`.
    static func body(_ example: [String: Any], setting path: [String], to value: Value) throws -> String {
        let placeholder = "\u{1F4CC}value"
        func set(_ object: [String: Any], _ path: ArraySlice<String>) -> [String: Any] {
            var object = object
            let key = path.first!
            object[key] = path.count == 1 ? placeholder : set(object[key] as? [String: Any] ?? [:], path.dropFirst())
            return object
        }
        let data = try JSONSerialization.data(withJSONObject: set(example, path[...]), options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"\(placeholder)\"", with: value.json)
    }

    /// The status, headers and error (`field`, `code`) of one request.
    static func send(
        _ client: TestClient, _ method: HTTPRequest.Method, _ uri: String, body: String?, token: String?
    ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, error: [String: Any]?) {
        var headers: HTTPFields = [:]
        if let body, !body.isEmpty { headers[.contentType] = "application/json" }
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            let object = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            return (response.status, response.headers, object?["error"] as? [String: Any])
        }
    }

    /// An operation as documented: its request body is its schema's `example`.
    static func call(
        _ client: TestClient, _ operation: Operation, _ document: [String: Any], token: String?
    ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields) {
        let example = bodySchema(operation, document).flatMap { $0["example"] as? [String: Any] }
        let body = try example.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        let answer = try await send(client, operation.method, operation.uri, body: body, token: token)
        return (answer.status, answer.headers)
    }

    /// Each operation's `x-required-role`, `security` and 401/403 responses agree, and the router
    /// answers each caller as they say: on a server with keys, anonymous callers get 401 with the
    /// Bearer challenge where a role is needed and a lesser role 403; a bad key is 401 everywhere.
    /// On loopback with nothing set up, anonymous callers are writers: the `{}` alternative of
    /// reader and writer operations holds, and admin operations answer them 403.
    @Test func everyOperationAnswersEachCallerAsItsRoleSays() async throws {
        let document = try Self.document()
        let operations = try Self.operations(document)
        #expect(operations.count == 31)
        let ranks = ["none": 0, "reader": 1, "writer": 2, "admin": 3]
        for operation in operations {
            let rank = try #require(operation.role.flatMap { ranks[$0] }, "\(operation): x-required-role")
            let security = try #require(operation.object["security"] as? [[String: [String]]], "\(operation): security")
            let bearer = ["bearer": [String]()]
            let expected = rank == 0 ? [[:], bearer] : rank == 3 ? [bearer] : [bearer, [:]]
            #expect(security == expected, "\(operation): security")
            let responses = operation.object["responses"] as? [String: Any] ?? [:]
            #expect(responses["401"] != nil, "\(operation) documents 401")
            #expect((responses["403"] != nil) == (rank > 0), "\(operation) documents 403 where a role is needed")
            let stated = rank == 0 ? "Anyone may call it" : "Needs the \(operation.role ?? "") role"
            #expect((operation.object["description"] as? String)?.contains(stated) == true, "\(operation): the description says who may call")
        }
        // The JSON is not Sendable: each server's closure reads the document again.
        try await AuthenticationTests.with { h, client in
            let document = try Self.document()
            let operations = try Self.operations(document)
            let now = h.store.clock.now()
            let keys = [
                try await h.keys.create(name: "reader", role: .reader, now: now).secret,
                try await h.keys.create(name: "writer", role: .writer, now: now).secret,
                try await h.keys.create(name: "admin", role: .admin, now: now).secret,
            ]
            let unknown = "orders_0123456789ab_" + String(repeating: "A", count: 43)
            for operation in operations {
                let rank = ranks[operation.role ?? ""] ?? 0
                let anonymous = try await Self.call(client, operation, document, token: nil)
                if rank == 0 {
                    #expect(![.unauthorized, .forbidden].contains(anonymous.status), "\(operation) anonymous")
                } else {
                    #expect(anonymous.status == .unauthorized, "\(operation) anonymous")
                    #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer ") == true, "\(operation) anonymous")
                }
                for (index, key) in keys.enumerated() {
                    let status = try await Self.call(client, operation, document, token: key).status
                    let expected = index + 1 >= rank ? "served" : "403"
                    let got = status == .forbidden ? "403" : status == .unauthorized ? "401" : "served"
                    #expect(got == expected, "\(operation) as \(["reader", "writer", "admin"][index]): \(status)")
                }
                #expect(try await Self.call(client, operation, document, token: unknown).status == .unauthorized, "\(operation) unknown key")
            }
        }
        try await APITests.with { _, client in
            let document = try Self.document()
            for operation in try Self.operations(document) {
                let status = try await Self.call(client, operation, document, token: nil).status
                if operation.role == "admin" {
                    #expect(status == .forbidden, "\(operation) anonymous on loopback")
                } else {
                    #expect(![.unauthorized, .forbidden].contains(status), "\(operation) anonymous on loopback: \(status)")
                }
            }
        }
    }

    /// The limits the document states are the server's. For every string with a `maxLength` or
    /// `minLength` and every integer with a `maximum` or `minimum`, in a request body (the
    /// schema's `example` with that one property changed) or a query: the value at the limit,
    /// checked against the property's `pattern`, passes validation (no 400), and one past it is a
    /// 400 naming the property (its path in the body) or the parameter.
    @Test func theDocumentedLimitsAreTheServersLimits() async throws {
        try await APITests.with { _, client in
            let document = try Self.document()
            var tried: Set<String> = []
            func check(
                _ operation: Operation, _ name: String, _ value: Value, _ passes: Bool, _ schema: [String: Any], uri: String, body: String?
            ) async throws {
                if passes, case .string(let text) = value, let pattern = schema["pattern"] as? String {
                    #expect(Self.matches(text, pattern), "\(operation) \(name): the test's value must match the pattern")
                }
                let answer = try await Self.send(client, operation.method, uri, body: body, token: nil)
                let shown = "\(operation) \(name) = \(value): \(answer.status) \(answer.error ?? [:])"
                if passes {
                    #expect(answer.status != .badRequest && answer.status.code < 500, "\(shown)")
                } else {
                    #expect(answer.status == .badRequest, "\(shown)")
                    // The dashboard answers with a page, not the JSON error.
                    if answer.headers[.contentType]?.hasPrefix("application/json") == true {
                        #expect(answer.error?["field"] as? String == name, "\(shown)")
                    }
                }
                tried.insert("\(operation) \(name)")
            }
            for operation in try Self.operations(document) {
                if let schema = Self.bodySchema(operation, document) {
                    let example = try #require(schema["example"] as? [String: Any], "\(operation): the body schema's example")
                    for (path, property) in Self.properties(schema, document) {
                        for (value, passes) in Self.limitValues(property) {
                            let body = try Self.body(example, setting: path, to: value)
                            try await check(operation, path.joined(separator: "."), value, passes, property, uri: operation.uri, body: body)
                        }
                    }
                }
                let parameters = (operation.object["parameters"] as? [Any] ?? []).map { Self.resolve($0, in: document) }
                let waits = parameters.contains { $0["name"] as? String == "wait_ms" }
                for parameter in parameters where parameter["in"] as? String == "query" {
                    let name = try #require(parameter["name"] as? String)
                    let schema = Self.resolve(parameter["schema"], in: document)
                    for (value, passes) in Self.limitValues(schema) {
                        // A reader's wait for `min_position` ends at once.
                        let uri = operation.uri + "?" + (waits && name != "wait_ms" ? "wait_ms=0&" : "") + "\(name)=\(value.query)"
                        try await check(operation, name, value, passes, schema, uri: uri, body: nil)
                    }
                }
            }
            #expect(tried.count > 40, "\(tried.sorted())")
        }
    }
}
