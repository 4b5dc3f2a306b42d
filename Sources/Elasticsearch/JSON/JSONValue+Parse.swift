import JSONScanning

extension JSONValue {
    /// Parses JSON text byte by byte (no `Decoder`: `JSONDecoder` into an enum tries each type
    /// in turn and builds an error for every miss, ~50× slower on aggregation answers).
    public static func parse(bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONScanner.Failure) in
            var scanner = JSONScanner(buffer)
            let value = try scanner.value(depth: 0)
            scanner.skipWhitespace()
            guard scanner.offset == buffer.count else { throw scanner.failure("unexpected text after the value") }
            return value
        }
    }
}

extension JSONScanner {
    /// Deeper than any Elasticsearch answer; refuses pathological input instead of overflowing the stack.
    static let maximumDepth = 512

    mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard depth < Self.maximumDepth else { throw failure("nested deeper than \(Self.maximumDepth) levels") }
        guard let first = peek() else { throw failure("unexpected end") }
        switch first {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"):
            var members: [String: JSONValue] = [:]
            try object { scanner, key throws(Failure) in members[try scanner.text(key)] = try scanner.value(depth: depth + 1) }
            return .object(members)
        case UInt8(ascii: "["):
            var elements: [JSONValue] = []
            try array { scanner throws(Failure) in elements.append(try scanner.value(depth: depth + 1)) }
            return .array(elements)
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool(try bool())
        case UInt8(ascii: "n"):
            guard try literal("null") else { throw failure("unexpected value") }
            return .null
        default:
            let range = try skipValue()
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            let isInteger = !text.contains { $0 == "." || $0 == "e" || $0 == "E" }
            if isInteger, let value = Int64(text) { return .int(value) }
            guard let value = Double(text) else { throw Failure(offset: range.lowerBound, message: "'\(text.prefix(40))' is not a number") }
            // Whole numbers are `.int` however written (`450.0`), as through `Decodable`.
            if value.rounded() == value, abs(value) < 9.007_199_254_740_992e15 { return .int(Int64(value)) }
            return .double(value)
        }
    }
}
