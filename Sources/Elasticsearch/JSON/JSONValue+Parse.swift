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

    /// The unescaped text of a string's raw byte range (from `rawString()`).
    func text(_ range: Range<Int>) throws(Failure) -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[range])
        guard raw.contains(UInt8(ascii: "\\")) else { return String(decoding: raw, as: UTF8.self) }
        var utf16: [UInt16] = []
        utf16.reserveCapacity(raw.count)
        var index = raw.startIndex
        func hex4(_ at: Int) throws(Failure) -> UInt16 {
            guard at + 4 <= raw.endIndex else { throw Failure(offset: range.lowerBound + at, message: "short \\u escape") }
            var value: UInt16 = 0
            for byte in raw[at..<(at + 4)] {
                let digit: UInt8
                switch byte {
                case 0x30...0x39: digit = byte - 0x30
                case 0x41...0x46: digit = byte - 0x41 + 10
                case 0x61...0x66: digit = byte - 0x61 + 10
                default: throw Failure(offset: range.lowerBound + at, message: "bad \\u escape")
                }
                value = value << 4 | UInt16(digit)
            }
            return value
        }
        while index < raw.endIndex {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                // Plain UTF-8 up to the next escape.
                var end = index
                while end < raw.endIndex, raw[end] != UInt8(ascii: "\\") { end += 1 }
                utf16.append(contentsOf: String(decoding: UnsafeBufferPointer(rebasing: raw[index..<end]), as: UTF8.self).utf16)
                index = end
                continue
            }
            guard index + 1 < raw.endIndex else { throw Failure(offset: range.lowerBound + index, message: "bad string escape") }
            switch raw[index + 1] {
            case UInt8(ascii: "\""): utf16.append(0x22)
            case UInt8(ascii: "\\"): utf16.append(0x5C)
            case UInt8(ascii: "/"): utf16.append(0x2F)
            case UInt8(ascii: "b"): utf16.append(0x08)
            case UInt8(ascii: "f"): utf16.append(0x0C)
            case UInt8(ascii: "n"): utf16.append(0x0A)
            case UInt8(ascii: "r"): utf16.append(0x0D)
            case UInt8(ascii: "t"): utf16.append(0x09)
            case UInt8(ascii: "u"):
                utf16.append(try hex4(index + 2))
                index += 4
            default: throw Failure(offset: range.lowerBound + index, message: "bad string escape")
            }
            index += 2
        }
        // Lone surrogates become U+FFFD, as in Foundation.
        return String(decoding: utf16, as: UTF16.self)
    }
}
