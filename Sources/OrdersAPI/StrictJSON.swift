import Hummingbird
import JSONScanning
import NIOCore

/// Request bodies in: at most `maximumBytes` of UTF-8 holding one JSON object, read strictly
/// (RFC 8259's grammar, no key twice in an object, at most `maximumDepth` levels), then taken
/// field by field by the body's type (`JSONBody`), which refuses fields it does not know at any
/// depth and integers outside their documented range. Every refusal is a 400 that names the field
/// when there is one; a body too large is a 413.
enum StrictJSON {
    static let maximumBytes = 64 * 1024
    /// Far deeper than any body of the API, shallow enough for the reader's recursion.
    static let maximumDepth = 32

    /// A JSON value as read; numbers keep their text, checked against JSON's grammar.
    indirect enum Value {
        case object(Object)
        case array([Value])
        case string(String)
        case number(String)
        case bool(Bool)
        case null
    }

    static func decode<Body: JSONBody>(_ type: Body.Type, from request: Request) async throws -> Body {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBytes)
        } catch {
            throw APIError(.contentTooLarge, code: "body_too_large", "the request body must be at most \(maximumBytes) bytes")
        }
        var object = try parse(buffer)
        let body = try Body(json: &object)
        try object.finish()
        return body
    }

    /// The body's one JSON object, read strictly.
    static func parse(_ buffer: ByteBuffer) throws(APIError) -> Object {
        let result = buffer.withUnsafeReadableBytes { raw -> Result<Object, APIError> in
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            guard String(validating: bytes, as: UTF8.self) != nil else {
                return .failure(.badRequest("the request body must be UTF-8"))
            }
            var reader = Reader(scanner: JSONScanner(bytes))
            return Result { () throws(APIError) in try reader.body() }
        }
        return try result.get()
    }

    /// Reads values with the project's byte-level scanner, adding what a request body needs
    /// beyond it: the number grammar, no control characters in strings, no duplicate keys, a depth
    /// limit and nothing after the object.
    private struct Reader {
        var scanner: JSONScanner

        mutating func body() throws(APIError) -> Object {
            guard scanner.peek() == UInt8(ascii: "{") else { throw APIError.badRequest("the request body must be a JSON object") }
            let object = try self.object(path: "", depth: 1)
            scanner.skipWhitespace()
            guard scanner.offset == scanner.bytes.count else { throw malformed("nothing may follow the object") }
            return object
        }

        mutating func value(path: String, depth: Int) throws(APIError) -> Value {
            guard depth <= maximumDepth else { throw malformed("values nested more than \(maximumDepth) levels deep") }
            switch scanner.peek() ?? 0 {
            case UInt8(ascii: "{"): return .object(try object(path: path, depth: depth))
            case UInt8(ascii: "["):
                var elements: [Value] = []
                try expect("[")
                if scanner.consume(UInt8(ascii: "]")) { return .array(elements) }
                repeat { elements.append(try value(path: path, depth: depth + 1)) } while scanner.consume(UInt8(ascii: ","))
                try expect("]")
                return .array(elements)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "-"), 0x30...0x39: return .number(try number())
            default:
                if try literal("true") { return .bool(true) }
                if try literal("false") { return .bool(false) }
                if try literal("null") { return .null }
                throw malformed("expected a value")
            }
        }

        mutating func object(path: String, depth: Int) throws(APIError) -> Object {
            try expect("{")
            var object = Object(path: path)
            if scanner.consume(UInt8(ascii: "}")) { return object }
            repeat {
                let key = try string()
                let name = object.name(key)
                try expect(":")
                let value = try value(path: name, depth: depth + 1)
                guard object.add(key, value) else {
                    throw APIError.badRequest("'\(name.prefix(80))' is given twice", field: String(name.prefix(80)))
                }
            } while scanner.consume(UInt8(ascii: ","))
            try expect("}")
            return object
        }

        /// A string, unescaped; control characters must be escaped.
        mutating func string() throws(APIError) -> String {
            do throws(JSONScanner.Failure) {
                let range = try scanner.rawString()
                if let control = range.first(where: { scanner.bytes[$0] < 0x20 }) {
                    throw JSONScanner.Failure(offset: control, message: "a control character must be escaped")
                }
                return try scanner.text(range)
            } catch {
                throw malformed(error)
            }
        }

        mutating func expect(_ character: Unicode.Scalar) throws(APIError) {
            do { try scanner.expect(UInt8(ascii: character)) } catch { throw malformed(error) }
        }

        mutating func literal(_ word: StaticString) throws(APIError) -> Bool {
            do { return try scanner.literal(word) } catch { throw malformed(error) }
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, as written.
        mutating func number() throws(APIError) -> String {
            scanner.skipWhitespace()
            let bytes = scanner.bytes
            let start = scanner.offset
            var index = start
            func digits() -> Int {
                let first = index
                while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
                return index - first
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            let leadingZero = index < bytes.count && bytes[index] == 0x30
            let whole = digits()
            var valid = whole > 0 && !(leadingZero && whole > 1)
            if valid, index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                valid = digits() > 0
            }
            if valid, index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                valid = digits() > 0
            }
            guard valid else {
                scanner.offset = index
                throw malformed("a malformed number")
            }
            scanner.offset = index
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }

        func malformed(_ failure: JSONScanner.Failure) -> APIError {
            APIError.badRequest("the request body is not valid JSON: \(failure.message) at byte \(failure.offset)")
        }

        func malformed(_ problem: String) -> APIError { malformed(scanner.failure(problem)) }
    }
}

/// A request body: taken from the strict reading of a JSON object, field by field.
protocol JSONBody {
    init(json: inout StrictJSON.Object) throws(APIError)
}
