import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OrdersDomain
import OrdersSearch

/// `GET /dashboard`: the analytics panels as an HTML page drawn on the server. Parameters are
/// those of `/analytics/...` (`from`, `to`, `tz`, `date_field`, `status`, `country`,
/// `customer_id`, `interval`), plus `currency` (default: the one with the most orders in the
/// range) and `refresh` (seconds between automatic reloads, default 60, 0 for none).
struct DashboardRoutes {
    let readModel: OrderReadModel

    static let defaultRefresh = 60
    static let rankingSize = 10

    func register(on router: some RouterMethods<APIContext>) {
        router.get("/dashboard") { request, context in
            let parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
            do {
                return HTMLResponse.make(try await self.page(parameters).render())
            } catch let error as DomainError {
                let message = error.field.map { "\($0): \(error.message)" } ?? error.message
                // The API's status for the refusal: 400 for a malformed parameter, 422 for a range it cannot draw.
                return HTMLResponse.make(Self.errorPage(parameters, message).render(), status: APIError(error).status)
            } catch let error as ReadSideUnavailable {
                // The API's 503 (`Retry-After` too), as a page.
                context.logger.warning("read side unavailable", metadata: failureMetadata(request, error))
                let answer = APIError(error)
                return HTMLResponse.make(
                    Self.errorPage(parameters, "The figures cannot be read now; try again in a moment.").render(), status: answer.status,
                    headers: answer.headers)
            }
        }
    }

    /// The form again, with what of the request still reads, and the error.
    static func errorPage(_ parameters: [(String, String)], _ message: String) -> DashboardPage {
        let query =
            (try? AnalyticsQuery.parse(parameters.filter { AnalyticsQuery.commonParameters.contains($0.0) }, panel: .averages))
            ?? AnalyticsQuery(from: Date(), to: Date().addingTimeInterval(1))
        var page = DashboardPage(query: query, currencies: [], currency: nil, refreshSeconds: Self.defaultRefresh)
        page.error = message
        return page
    }

    func page(_ parameters: [(String, String)]) async throws -> DashboardPage {
        var refresh = Self.defaultRefresh
        var currency: String?
        var interval: String?
        var common: [(String, String)] = []
        for (name, value) in parameters {
            switch name {
            case "refresh":
                guard let seconds = Int(value), (0...3600).contains(seconds) else {
                    throw DomainError(.invalidArgument, "must be a whole number of seconds from 0 to 3600", field: "refresh")
                }
                refresh = seconds
            case "currency" where !value.isEmpty: currency = try Currency(value.uppercased()).code
            case "currency": break
            case "interval": interval = value
            default: common.append((name, value))
            }
        }
        let all = try AnalyticsQuery.parse(common, panel: .averages)
        // The interval (given, or one that suits the range) is checked even when nothing is drawn.
        let overTime = try AnalyticsQuery.parse(common + [("interval", interval ?? Self.interval(for: all).rawValue)], panel: .ordersOverTime)
        guard case .averages(let overall) = try await readModel.analytics(.averages, all).0 else { throw DashboardError() }
        let chosen = currency ?? overall.currencies.max { ($0.orders, $1.currency) < ($1.orders, $0.currency) }?.currency
        var page = DashboardPage(
            query: overTime, currencies: Set(overall.currencies.map(\.currency) + [chosen].compactMap { $0 }).sorted(), currency: chosen,
            refreshSeconds: refresh)
        guard let chosen else { return page }

        var selected = overTime
        selected.currency = chosen
        selected.size = Self.rankingSize
        async let averages = readModel.analytics(.averages, selected).0
        async let timeline = readModel.analytics(.ordersOverTime, selected).0
        async let statuses = readModel.analytics(.statusBreakdown, selected).0
        async let products = readModel.analytics(.topProducts, selected).0
        async let customers = readModel.analytics(.topCustomers, selected).0
        async let countries = readModel.analytics(.revenueByCountry, selected).0
        guard case .averages(let a) = try await averages, case .ordersOverTime(let t) = try await timeline,
            case .statusBreakdown(let s) = try await statuses, case .topProducts(let p) = try await products,
            case .topCustomers(let c) = try await customers, case .revenueByCountry(let r) = try await countries
        else { throw DashboardError() }
        page.panels = .init(averages: a, overTime: t, statuses: s, products: p, customers: c, countries: r)
        return page
    }

    /// An interval that gives a readable number of columns for the range.
    static func interval(for query: AnalyticsQuery) -> AnalyticsQuery.Interval {
        let days = query.to.timeIntervalSince(query.from) / 86_400
        return days <= 2 ? .hour : days <= 92 ? .day : days <= 730 ? .week : .month
    }
}

/// A panel answered with another panel's shape: a backend bug, reported as a server error.
struct DashboardError: Error, CustomStringConvertible {
    var description: String { "dashboard: a panel's answer had the wrong shape" }
}
