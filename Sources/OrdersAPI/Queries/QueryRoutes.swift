import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import OrdersDomain
import OrdersSearch

/// The read side over HTTP. `min_position` (+ `wait_ms`) waits until the projection has
/// acknowledged the position a command returned; the answer says when it may be stale.
struct QueryRoutes {
    let readModel: OrderReadModel

    struct SearchResponse: Encodable {
        struct Total: Encodable {
            var value: Int
            var exact: Bool
        }
        struct Hit: Encodable {
            var order: OrderSummary
            var highlights: [String: [String]]
        }
        var total: Total
        var hits: [Hit]
        var statusCounts: [String: Int]
        var nextCursor: String?
        var position: Int64
        var mayBeStale: Bool
        enum CodingKeys: String, CodingKey {
            case total, hits, statusCounts = "status_counts", nextCursor = "next_cursor", position, mayBeStale = "may_be_stale"
        }
    }

    struct CustomerOrders: Encodable {
        var orders: [OrderSummary]
        var nextCursor: String?
        enum CodingKeys: String, CodingKey { case orders, nextCursor = "next_cursor" }
    }

    func register(on router: some RouterMethods<APIContext>) {
        router.get("/orders/search") { request, context in
            var parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
            let (minPosition, wait) = try Self.freshness(&parameters)
            var query = try domain { try SearchOrdersQuery.parse(parameters) }
            if let scope = context.identity?.customerID {
                // A customer-scoped caller searches its own orders only.
                guard query.customerID == nil || query.customerID == scope.rawValue else { throw Self.notFound }
                query.customerID = scope.rawValue
            }
            let (result, freshness) = try await readModel.search(query, minPosition: minPosition, wait: wait)
            return try JSONResponse.make(
                SearchResponse(
                    total: .init(value: result.total, exact: result.totalIsExact),
                    hits: result.hits.map { .init(order: $0.order, highlights: $0.highlights) },
                    statusCounts: Dictionary(uniqueKeysWithValues: result.statusCounts.map { ($0.key.rawValue, $0.value) }),
                    nextCursor: result.nextCursor, position: freshness.position, mayBeStale: freshness.mayBeStale
                )
            )
        }
        router.get("/orders/:id") { request, context in
            var parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
            let (minPosition, wait) = try Self.freshness(&parameters)
            if let unknown = parameters.first {
                throw APIError.badRequest("unknown parameter '\(unknown.0.prefix(40))'", field: String(unknown.0.prefix(40)))
            }
            let id = try context.parameters.require("id")
            let (found, freshness) = try await readModel.order(id: id, minPosition: minPosition, wait: wait)
            // Another customer's order is, to a customer-scoped caller, an order that does not exist.
            let document = found.flatMap { document in
                context.identity?.customerID.map { $0.rawValue == document.customer.id } ?? true ? document : nil
            }
            guard let document else {
                throw APIError(
                    .notFound, code: "not_found",
                    "order \(id.prefix(64)) was not found" + (freshness.mayBeStale ? " (the read side may not have caught up yet)" : ""))
            }
            var headers = HTTPFields()
            headers[.init("X-Projection-Position")!] = String(freshness.position)
            if freshness.mayBeStale { headers[.init("X-May-Be-Stale")!] = "true" }
            return try JSONResponse.make(document, headers: headers)
        }
        router.get("/customers/:id/orders") { request, context in
            let id = try domain { try CustomerID(try context.parameters.require("id")) }.rawValue
            if let scope = context.identity?.customerID, scope.rawValue != id { throw Self.notFound }
            var size = 20
            var after: String?
            for (key, value) in request.uri.queryParameters {
                switch key {
                case "size":
                    guard let value = Int(value), SearchOrdersQuery.sizeRange.contains(value) else {
                        throw APIError.badRequest("must be a whole number from 1 to 100", field: "size")
                    }
                    size = value
                case "after": after = try domain { try SearchOrdersQuery.cursor(String(value)) }
                default: throw APIError.badRequest("unknown parameter '\(key.prefix(40))'", field: String(key.prefix(40)))
                }
            }
            let result = try await readModel.index.orders(customerID: id, size: size, after: after)
            return try JSONResponse.make(CustomerOrders(orders: result.orders, nextCursor: result.nextCursor))
        }
    }

    /// What a customer-scoped caller gets for another customer's orders: nothing that says they exist.
    static let notFound = APIError(.notFound, code: "not_found", "no such customer")

    /// Takes `min_position` and `wait_ms` out of the parameters.
    static func freshness(_ parameters: inout [(String, String)]) throws -> (Int64?, Duration?) {
        var minPosition: Int64?
        var wait: Duration?
        parameters.removeAll { name, value in
            switch name {
            case "min_position":
                minPosition = Int64(value) ?? -1
                return true
            case "wait_ms":
                wait = Int64(value).map { .milliseconds($0) } ?? .milliseconds(-1)
                return true
            default: return false
            }
        }
        if let minPosition, minPosition < 0 { throw APIError.badRequest("must be a non-negative position", field: "min_position") }
        if let wait, wait < .zero || wait > .seconds(30) { throw APIError.badRequest("must be from 0 to 30000", field: "wait_ms") }
        return (minPosition, wait)
    }
}
