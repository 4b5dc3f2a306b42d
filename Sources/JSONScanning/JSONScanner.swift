/// A minimal, strict JSON tokenizer over bytes, for hand-written decoders on hot paths (the
/// `_bulk` response, aggregation answers, stored event payloads). Keys are compared as raw
/// bytes; values not needed are skipped. The small methods are `@inlinable`: they run per byte.
package struct JSONScanner {
    package struct Failure: Error, CustomStringConvertible {
        package var offset: Int
        package var message: String
        package init(offset: Int, message: String) {
            self.offset = offset
            self.message = message
        }
        package var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    package let bytes: UnsafeBufferPointer<UInt8>
    /// Where the next token starts.
    package var offset = 0

    @inlinable
    package init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    package func failure(_ message: String) -> Failure { Failure(offset: offset, message: message) }

    @inlinable
    package mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, not consumed.
    @inlinable
    package mutating func peek() -> UInt8? {
        skipWhitespace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    @inlinable
    package mutating func expect(_ byte: UInt8) throws(Failure) {
        guard peek() == byte else { throw failure("expected '\(Character(Unicode.Scalar(byte)))'") }
        offset += 1
    }

    /// Consumes `byte` if it comes next.
    @inlinable
    package mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        offset += 1
        return true
    }

    /// Iterates the members of an object: `body` is called at each key (the scanner then sits at
    /// the value, which `body` must consume).
    @inlinable
    package mutating func object(_ body: (inout JSONScanner, Range<Int>) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "{"))
        if consume(UInt8(ascii: "}")) { return }
        repeat {
            let key = try rawString()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// Iterates the elements of an array; `body` must consume each element.
    @inlinable
    package mutating func array(_ body: (inout JSONScanner) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "["))
        if consume(UInt8(ascii: "]")) { return }
        repeat { try body(&self) } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
    }

    /// Whether the bytes in `range` spell `literal`.
    @inlinable
    package func equals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let pointer = literal.utf8Start
        for index in 0..<range.count where bytes[range.lowerBound + index] != pointer[index] { return false }
        return true
    }

    /// A string's raw bytes between its quotes (escapes left as they are).
    @inlinable
    package mutating func rawString() throws(Failure) -> Range<Int> {
        try expect(UInt8(ascii: "\""))
        let start = offset
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: "\""):
                offset += 1
                return start..<(offset - 1)
            case UInt8(ascii: "\\"): offset += 2
            default: offset += 1
            }
        }
        throw failure("unterminated string")
    }

    /// A string value, unescaped.
    package mutating func string() throws(Failure) -> String {
        try text(try rawString())
    }

    /// `null` or a string.
    package mutating func optionalString() throws(Failure) -> String? {
        if try literal("null") { return nil }
        return try string()
    }

    /// An integer (a float with a zero fraction, as some counts are rendered, is accepted).
    package mutating func integer() throws(Failure) -> Int64 {
        skipWhitespace()
        let range = try number()
        var value: Int64 = 0
        var negative = false
        for index in range {
            let byte = bytes[index]
            if byte == UInt8(ascii: "-") {
                negative = true
            } else if byte >= 0x30 && byte <= 0x39 {
                let (multiplied, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (added, overflow2) = multiplied.addingReportingOverflow(Int64(byte - 0x30))
                guard !overflow1, !overflow2 else { throw Failure(offset: index, message: "integer overflows 64 bits") }
                value = added
            } else if byte == UInt8(ascii: ".") {
                // `2.0`: accepted when every fraction digit is zero.
                guard ((index + 1)..<range.upperBound).allSatisfy({ bytes[$0] == 0x30 }) else {
                    throw Failure(offset: index, message: "expected an integer")
                }
                break
            } else {
                throw Failure(offset: index, message: "expected an integer")
            }
        }
        return negative ? -value : value
    }

    package mutating func bool() throws(Failure) -> Bool {
        if try literal("true") { return true }
        if try literal("false") { return false }
        throw failure("expected true or false")
    }

    /// Consumes `word` (`null`, `true`, `false`) if it comes next.
    @inlinable
    package mutating func literal(_ word: StaticString) throws(Failure) -> Bool {
        skipWhitespace()
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count, equals(offset..<(offset + count), word) else { return false }
        offset += count
        return true
    }

    /// Skips any value and returns its byte range.
    @discardableResult
    package mutating func skipValue() throws(Failure) -> Range<Int> {
        guard let first = peek() else { throw failure("unexpected end") }
        let start = offset
        switch first {
        case UInt8(ascii: "\""): _ = try rawString()
        case UInt8(ascii: "{"): try object { scanner, _ throws(Failure) in try scanner.skipValue() }
        case UInt8(ascii: "["): try array { scanner throws(Failure) in try scanner.skipValue() }
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"):
            guard try literal("null") else { throw failure("unexpected value") }
        default: _ = try number()
        }
        return start..<offset
    }

    private mutating func number() throws(Failure) -> Range<Int> {
        let start = offset
        scan: while offset < bytes.count {
            switch bytes[offset] {
            case 0x30...0x39, UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): offset += 1
            default: break scan
            }
        }
        guard offset > start else { throw failure("expected a value") }
        return start..<offset
    }

    /// The unescaped text of a string's raw byte range (from `rawString()`).
    package func text(_ range: Range<Int>) throws(Failure) -> String {
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
