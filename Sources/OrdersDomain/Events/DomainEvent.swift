/// Any event of any aggregate, as stored in the one event log.
public enum DomainEvent: Hashable, Sendable {
    case order(OrderEvent)
    case customer(CustomerEvent)
    case product(ProductEvent)
}
