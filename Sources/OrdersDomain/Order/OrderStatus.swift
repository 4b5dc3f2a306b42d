/// The lifecycle of an order:
///
/// ```
/// draft ─submit─► submitted ─pay─► paid ─ship─► shipped ─deliver─► delivered
///   └──────────────┴──────────────┴─cancel─► cancelled
/// ```
package enum OrderStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case draft, submitted, paid, shipped, delivered, cancelled

    /// Cancelling is allowed until the order has shipped.
    package var isCancellable: Bool {
        switch self {
        case .draft, .submitted, .paid: true
        case .shipped, .delivered, .cancelled: false
        }
    }
}
