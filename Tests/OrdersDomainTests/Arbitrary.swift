import OrdersStore

/// Arbitrary values of any `Decodable` type, for properties that must hold for every event type:
/// each string, number, `nil` and array length a type's `init(from:)` asks for is drawn from
/// pools of values that readers get wrong.
///
/// A type that validates a string (an identifier, a currency code) refuses most texts. The field
/// it refused is then remembered and drawn from `tokens` instead, minus the tokens it refused, so
/// after a few attempts every value decodes.
final class Arbitrary {
    private var random: SeededGenerator
    private let texts: [String]
    private let tokens: [String]
    private let integers: [Int64]
    /// Fields (coding paths) that validate their strings, with the strings they refused.
    private var refused: [String: Set<String>] = [:]
    /// The string drawn for each field in the current attempt.
    private var drawn: [String: String] = [:]

    init(seed: UInt64, texts: [String], tokens: [String], integers: [Int64]) {
        self.random = SeededGenerator(seed: seed)
        self.texts = texts
        self.tokens = tokens
        self.integers = integers
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// An arbitrary value of `type`.
    func value<Value: Decodable>(of type: Value.Type) throws -> Value {
        for _ in 0..<100 {
            drawn = [:]
            do {
                return try Value(from: Decoding(arbitrary: self, codingPath: []))
            } catch DecodingError.dataCorrupted(let context) {
                let field = Self.field(context.codingPath)
                guard let string = drawn[field] else { throw Failure(description: "\(Value.self) refused \(field): \(context)") }
                refused[field, default: []].insert(string)
            }
        }
        throw Failure(description: "no value of \(Value.self) decoded in 100 attempts")
    }

    private static func field(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue == nil ? $0.stringValue : "[]" }.joined(separator: ".")
    }

    fileprivate func string(at path: [any CodingKey]) throws -> String {
        let field = Self.field(path)
        var string = texts.randomElement(using: &random)!
        if let refused = refused[field] {
            guard let token = tokens.filter({ !refused.contains($0) }).randomElement(using: &random) else {
                throw Failure(description: "\(field) refused every token")
            }
            string = token
        }
        drawn[field] = string
        return string
    }

    fileprivate func integer() -> Int64 { integers.randomElement(using: &random)! }
    fileprivate func bool() -> Bool { Bool.random(using: &random) }
    fileprivate func isNil() -> Bool { Int.random(in: 0..<3, using: &random) == 0 }
    fileprivate func count() -> Int { Int.random(in: 0...3, using: &random) }
}

/// The decoder `Arbitrary` hands to `init(from:)`; also the single-value container of its field.
private struct Decoding: Decoder, SingleValueDecodingContainer {
    let arbitrary: Arbitrary
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func child(_ key: any CodingKey) -> Decoding { Decoding(arbitrary: arbitrary, codingPath: codingPath + [key]) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedDecodingContainer<Key> { KeyedDecodingContainer(Keyed(decoding: self)) }
    func unkeyedContainer() -> any UnkeyedDecodingContainer { Unkeyed(decoding: self, count: arbitrary.count()) }
    func singleValueContainer() -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { arbitrary.isNil() }

    /// Every primitive `decode` requirement, and any other `Decodable` through its `init(from:)`.
    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        switch type {
        case is String.Type: return try arbitrary.string(at: codingPath) as! Value
        case is Bool.Type: return arbitrary.bool() as! Value
        case let integer as any FixedWidthInteger.Type: return integer.init(truncatingIfNeeded: arbitrary.integer()) as! Value
        case let float as any BinaryFloatingPoint.Type: return float.init(Double(arbitrary.integer() % 100_000) / 8) as! Value
        default: return try Value(from: self)
        }
    }
}

private struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoding: Decoding
    var codingPath: [any CodingKey] { decoding.codingPath }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) -> Bool { decoding.arbitrary.isNil() }
    func decode<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value { try decoding.child(key).decode(type) }
    func nestedContainer<Nested: CodingKey>(keyedBy type: Nested.Type, forKey key: Key) -> KeyedDecodingContainer<Nested> {
        decoding.child(key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedDecodingContainer { decoding.child(key).unkeyedContainer() }
    func superDecoder() -> any Decoder { decoding.child(Index(intValue: 0)) }
    func superDecoder(forKey key: Key) -> any Decoder { decoding.child(key) }
}

private struct Unkeyed: UnkeyedDecodingContainer {
    let decoding: Decoding
    let count: Int?
    var currentIndex = 0
    var codingPath: [any CodingKey] { decoding.codingPath }
    var isAtEnd: Bool { currentIndex >= count ?? 0 }

    init(decoding: Decoding, count: Int) {
        self.decoding = decoding
        self.count = count
    }

    mutating func decodeNil() -> Bool {
        guard decoding.arbitrary.isNil() else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode<Value: Decodable>(_ type: Value.Type) throws -> Value { try next().decode(type) }
    mutating func nestedContainer<Nested: CodingKey>(keyedBy type: Nested.Type) -> KeyedDecodingContainer<Nested> {
        next().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedDecodingContainer { next().unkeyedContainer() }
    mutating func superDecoder() -> any Decoder { next() }

    private mutating func next() -> Decoding {
        defer { currentIndex += 1 }
        return decoding.child(Index(intValue: currentIndex))
    }
}

private struct Index: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }

    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}
