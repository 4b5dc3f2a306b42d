import Foundation
import GRDB
import OrdersDomain

/// The embedded index's opaque page cursor: the sort it belongs to, the last row's sort value and
/// order id (the unique tie-breaker), base64url-encoded.
struct Cursor {
    enum Value {
        case integer(Int64)
        case real(Double)

        var databaseValue: DatabaseValue {
            switch self {
            case .integer(let value): value.databaseValue
            case .real(let value): value.databaseValue
            }
        }
    }

    var sort: String
    var value: Value
    var orderID: String

    init(sort: String, value: Value, orderID: String) {
        self.sort = sort
        self.value = value
        self.orderID = orderID
    }

    /// Reads a cursor made for `sort`; anything else is refused as a bad `after`.
    init(decoding text: String, sort expected: String) throws(DomainError) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { throw Self.invalid }
        let parts = String(decoding: data, as: UTF8.self).split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "v1", parts[1] == expected else { throw Self.invalid }
        if let integer = Int64(parts[2]) {
            value = .integer(integer)
        } else if let real = Double(parts[2]) {
            value = .real(real)
        } else {
            throw Self.invalid
        }
        sort = expected
        orderID = String(parts[3])
    }

    var encoded: String {
        let number: String =
            switch value {
            case .integer(let value): String(value)
            case .real(let value): "\(value)"
            }
        return Data("v1\n\(sort)\n\(number)\n\(orderID)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static let invalid = DomainError(.invalidCursor, "not a cursor from a previous page of this search", field: "after")
}
