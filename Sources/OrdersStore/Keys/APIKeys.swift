import Crypto
package import Foundation
package import GRDB

/// An API key as an operator sees it: never its secret.
package struct APIKey: Sendable, Hashable, Encodable {
    /// The public part of the key (`orders_<id>_<secret>`), for logs and lookups.
    package var id: String
    package var name: String
    package var role: Role
    package var createdAt: Date
    package var lastUsedAt: Date?
    package var revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, role, createdAt = "created_at", lastUsedAt = "last_used_at", revokedAt = "revoked_at"
    }
}

/// A key a server accepts: its identity and the SHA-256 of its secret.
package struct ActiveAPIKey: Sendable, Hashable {
    package var id: String
    package var name: String
    package var role: Role
    package var secretSHA256: [UInt8]
}

/// API keys, kept in the write store's database: hashed (the secret itself is shown once, when
/// the key is made, and never stored), revocable, with when each was last used.
///
/// A key reads `orders_<id>_<secret>`: the id finds the key, the secret's SHA-256 is compared in
/// constant time. Every change rewrites a small marker file beside the database
/// (`<db>.keys-changed`), which a running server checks on every request, so that a key made
/// or revoked by `orders keys` from another process counts at once.
package struct APIKeys: Sendable {
    package let writer: any DatabaseWriter
    /// The file rewritten on every change.
    package let changeMarker: String

    package init(database: StoreDatabase) {
        writer = database.writer
        changeMarker = database.configuration.path + ".keys-changed"
    }

    package static let prefix = "orders_"

    /// Makes a key; returns it and the whole key string, which is shown once and kept nowhere.
    package func create(name: String, role: Role, now: Date) async throws -> (key: APIKey, secret: String) {
        try Self.validate(name: name)
        let id = Self.random(bytes: 6).map { String(format: "%02x", $0) }.joined()
        let secret = Data(Self.random(bytes: 32)).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let key = APIKey(id: id, name: name, role: role, createdAt: now, lastUsedAt: nil, revokedAt: nil)
        do {
            try await writer.write { db in
                try db.execute(
                    sql: "INSERT INTO api_keys (id, name, role, secret_sha256, created_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [id, name, role.rawValue, Data(Self.sha256(secret)), Self.milliseconds(now)])
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw APIKeyError("a key named '\(name)' exists already: revoke it first, or choose another name")
        }
        try markChanged()
        return (key, Self.prefix + id + "_" + secret)
    }

    /// Every key, revoked ones too, oldest first.
    package func list() async throws -> [APIKey] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, role, created_at, last_used_at, revoked_at FROM api_keys ORDER BY created_at, id").map {
                row in
                APIKey(
                    id: row[0], name: row[1], role: Role(rawValue: row[2]) ?? .reader, createdAt: Self.date(row[3]),
                    lastUsedAt: (row[4] as Int64?).map(Self.date), revokedAt: (row[5] as Int64?).map(Self.date))
            }
        }
    }

    /// Revokes the key named `name`; false when there is no such key that is not revoked.
    package func revoke(name: String, now: Date) async throws -> Bool {
        let revoked = try await writer.write { db in
            try db.execute(
                sql: "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [Self.milliseconds(now), name])
            return db.changesCount == 1
        }
        if revoked { try markChanged() }
        return revoked
    }

    /// The keys not revoked, as a server checks them.
    package func active() async throws -> [ActiveAPIKey] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, role, secret_sha256 FROM api_keys WHERE revoked_at IS NULL").compactMap { row in
                guard let role = Role(rawValue: row[2]) else { return nil }
                return ActiveAPIKey(id: row[0], name: row[1], role: role, secretSHA256: Array(row[3] as Data))
            }
        }
    }

    /// Records when keys were last used (a server batches these).
    package func recordUse(_ uses: [String: Date]) async throws {
        guard !uses.isEmpty else { return }
        try await writer.write { db in
            for (id, at) in uses {
                try db.execute(
                    sql: "UPDATE api_keys SET last_used_at = max(coalesce(last_used_at, 0), ?) WHERE id = ?", arguments: [Self.milliseconds(at), id])
            }
        }
    }

    /// The id and secret of a key string, nil when it is not one.
    package static func parse(_ token: String) -> (id: String, secret: String)? {
        guard token.hasPrefix(prefix) else { return nil }
        let rest = token.dropFirst(prefix.count)
        guard let separator = rest.firstIndex(of: "_") else { return nil }
        let id = rest[..<separator]
        let secret = rest[rest.index(after: separator)...]
        guard id.count == 12, id.allSatisfy(\.isHexDigit), (32...128).contains(secret.count) else { return nil }
        return (String(id), String(secret))
    }

    package static func sha256(_ secret: String) -> [UInt8] { Array(SHA256.hash(data: Data(secret.utf8))) }

    /// Equal bytes, in a time that depends only on the lengths.
    package static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }

    private static func validate(name: String) throws {
        guard (1...64).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw APIKeyError("a key's name is 1 to 64 ASCII letters, digits, '-', '_' or '.', got '\(name.prefix(64))'")
        }
    }

    private static func random(bytes count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// Rewrites the marker file (a new file renamed over the old one: its identity changes).
    private func markChanged() throws {
        let temporary = changeMarker + ".\(ProcessInfo.processInfo.processIdentifier).tmp"
        try Data(UUID().uuidString.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, changeMarker) == 0 else {
            throw APIKeyError("cannot write \(changeMarker): \(String(cString: strerror(errno)))")
        }
    }

    private static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    private static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

/// A key operation that cannot be done, and why.
package struct APIKeyError: Error, Sendable, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}
