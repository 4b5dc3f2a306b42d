/// What a caller may do, each role including the ones below it: `reader` (queries, analytics,
/// dashboard), `writer` (commands too), `admin` (everything, operator routes included).
package enum Role: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case reader, writer, admin

    package static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .reader: 0
        case .writer: 1
        case .admin: 2
        }
    }
}
