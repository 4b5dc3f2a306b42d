/// A small, fast, deterministic random number generator (SplitMix64), so `orders seed --seed S`
/// produces the same data every time on the same starting log.
package struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A random UUID-shaped identifier (lower-case hex, version 4 layout).
    mutating func uuid() -> String {
        let hex = Array("0123456789abcdef".utf8)
        var bytes = [UInt8](repeating: 0, count: 36)
        var a = next()
        var b = next()
        var out = 0
        for index in 0..<32 {
            if [8, 12, 16, 20].contains(index) {
                bytes[out] = UInt8(ascii: "-")
                out += 1
            }
            var nibble: UInt8
            if index < 16 {
                nibble = UInt8(a & 0xF)
                a >>= 4
            } else {
                nibble = UInt8(b & 0xF)
                b >>= 4
            }
            if index == 12 { nibble = 4 }
            if index == 16 { nibble = 8 | (nibble & 3) }
            bytes[out] = hex[Int(nibble)]
            out += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A random string of upper-case letters and digits.
    mutating func code(_ length: Int) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789".utf8)
        return String(decoding: (0..<length).map { _ in alphabet.randomElement(using: &self)! }, as: UTF8.self)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
}
