/// Any event of any aggregate, as stored in the one event log.
package enum DomainEvent: Hashable, Sendable {
    case order(OrderEvent)
    case customer(CustomerEvent)
    case product(ProductEvent)

    /// The payload type of every event: the list `EventCodec` derives its table from. Each
    /// aggregate's event enum lists its own next to its cases.
    static let payloadTypes: [any EventPayload.Type] = OrderEvent.payloadTypes + CustomerEvent.payloadTypes + ProductEvent.payloadTypes

    /// The payload this event carries, which declares how it is stored.
    var payload: any EventPayload {
        switch self {
        case .order(let event): event.payload
        case .customer(let event): event.payload
        case .product(let event): event.payload
        }
    }
}
