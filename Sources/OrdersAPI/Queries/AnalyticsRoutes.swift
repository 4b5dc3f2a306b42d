import Foundation
import Hummingbird
import OrdersDomain
import OrdersSearch

/// `GET /analytics/<panel>`: one aggregation panel as JSON, with the range it covers and the
/// projection position it reflects.
struct AnalyticsRoutes {
    let readModel: OrderReadModel

    /// The panel's answer with what it was asked, flattened into one object.
    struct Response: Encodable {
        var answer: AnalyticsAnswer
        var query: AnalyticsQuery
        var position: Int64

        enum CodingKeys: String, CodingKey {
            case from, to, timeZone = "time_zone", dateField = "date_field", statuses = "status", currency, country, customerID = "customer_id"
            case position
        }

        func encode(to encoder: any Encoder) throws {
            try answer.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(query.from, forKey: .from)
            try container.encode(query.to, forKey: .to)
            try container.encode(query.timeZoneName, forKey: .timeZone)
            try container.encode(query.dateField.rawValue, forKey: .dateField)
            if !query.statuses.isEmpty { try container.encode(query.statuses.map(\.rawValue).sorted(), forKey: .statuses) }
            try container.encodeIfPresent(query.currency, forKey: .currency)
            try container.encodeIfPresent(query.country, forKey: .country)
            try container.encodeIfPresent(query.customerID, forKey: .customerID)
            try container.encode(position, forKey: .position)
        }
    }

    func register(on router: some RouterMethods<APIContext>) {
        for panel in AnalyticsPanel.allCases {
            router.get("/analytics/\(panel.rawValue)") { request, context in
                let parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
                let query = try domain { try AnalyticsQuery.parse(parameters, panel: panel) }
                let (answer, freshness) = try await readModel.analytics(panel, query)
                return try JSONResponse.make(Response(answer: answer, query: query, position: freshness.position))
            }
        }
    }
}
