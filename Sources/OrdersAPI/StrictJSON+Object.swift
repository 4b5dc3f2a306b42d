extension StrictJSON {
    /// A JSON object as a body type reads it: each field taken by name, with its type and range
    /// checked; `finish()` refuses what is left, a field the type does not know. Every refusal
    /// names the field with its path (`shipping.city`).
    struct Object {
        /// Where the object sits in the body: empty for the body itself, else its field's name.
        let path: String
        private var members: [String: Value] = [:]
        /// The keys in the order given, for the first unknown one.
        private var keys: [String] = []
        private var taken: Set<String> = []

        init(path: String) { self.path = path }

        /// A field's name as errors give it.
        func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        /// Adds a member; false if the key is there already.
        mutating func add(_ key: String, _ value: Value) -> Bool {
            guard members.updateValue(value, forKey: key) == nil else { return false }
            keys.append(key)
            return true
        }

        /// A required string.
        mutating func string(_ key: String) throws(APIError) -> String {
            guard let value = try optionalString(key) else { throw missing(key, "a string") }
            return value
        }

        /// A string, or nil when absent or `null`.
        mutating func optionalString(_ key: String) throws(APIError) -> String? {
            switch take(key) {
            case .string(let text): return text
            case .null, nil: return nil
            default: throw mistyped(key, "a string")
            }
        }

        /// A required whole number in `range`.
        mutating func integer<Integer: FixedWidthInteger>(_ key: String, in range: ClosedRange<Integer>) throws(APIError) -> Integer {
            guard let value = try optionalInteger(key, in: range) else { throw missing(key, wholeNumber(range)) }
            return value
        }

        /// A whole number in `range`, or nil when absent or `null`. A fraction (`2.5`, even
        /// `2.0`), an exponent (`1e2`) or a value beyond 64 bits is refused like one out of range.
        mutating func optionalInteger<Integer: FixedWidthInteger>(_ key: String, in range: ClosedRange<Integer>) throws(APIError) -> Integer? {
            switch take(key) {
            case .number(let text):
                guard let value = Int64(text), let integer = Integer(exactly: value), range.contains(integer) else {
                    throw APIError.badRequest("'\(name(key))' must be \(wholeNumber(range)), got \(text.prefix(40))", field: name(key))
                }
                return integer
            case .null, nil: return nil
            default: throw mistyped(key, wholeNumber(range))
            }
        }

        /// A required object, read by `read`; its unknown fields are refused too.
        mutating func object<T>(_ key: String, _ read: (inout Object) throws(APIError) -> T) throws(APIError) -> T {
            switch take(key) {
            case .object(var object):
                let value = try read(&object)
                try object.finish()
                return value
            case .null, nil: throw missing(key, "an object")
            default: throw mistyped(key, "an object")
            }
        }

        /// Refuses the first field no one took.
        func finish() throws(APIError) {
            guard let unknown = keys.first(where: { !taken.contains($0) }) else { return }
            let field = String(name(unknown).prefix(80))
            throw APIError.badRequest("unknown field '\(field)'", field: field)
        }

        private mutating func take(_ key: String) -> Value? {
            taken.insert(key)
            return members[key]
        }

        private func missing(_ key: String, _ expected: String) -> APIError {
            members[key] == nil
                ? APIError.badRequest("'\(name(key))' is required", field: name(key))
                : APIError.badRequest("'\(name(key))' must be \(expected), not null", field: name(key))
        }

        private func mistyped(_ key: String, _ expected: String) -> APIError {
            APIError.badRequest("'\(name(key))' must be \(expected)", field: name(key))
        }

        private func wholeNumber(_ range: ClosedRange<some FixedWidthInteger>) -> String {
            "a whole number from \(range.lowerBound) to \(range.upperBound)"
        }
    }
}
