/// Everything that can happen to a customer.
public enum CustomerEvent: Hashable, Sendable {
    case registered(CustomerRegistered)
    case renamed(CustomerRenamed)
    case emailChanged(CustomerEmailChanged)

    /// The payload types of these cases, for `EventCodec` (see `DomainEvent.payloadTypes`).
    static let payloadTypes: [any EventPayload.Type] = [CustomerRegistered.self, CustomerRenamed.self, CustomerEmailChanged.self]

    /// The payload this event carries.
    var payload: any EventPayload {
        switch self {
        case .registered(let payload): payload
        case .renamed(let payload): payload
        case .emailChanged(let payload): payload
        }
    }
}

/// `customer.registered` v1.
public struct CustomerRegistered: Hashable, Sendable, Codable {
    public var customerID: CustomerID
    public var name: String
    public var email: String

    public init(customerID: CustomerID, name: String, email: String) {
        self.customerID = customerID
        self.name = name
        self.email = email
    }

    enum CodingKeys: String, CodingKey {
        case customerID = "customer_id"
        case name, email
    }
}

extension CustomerRegistered: EventPayload {
    static let eventType = "customer.registered"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .customer(.registered(self)) }
}

/// `customer.renamed` v1.
public struct CustomerRenamed: Hashable, Sendable, Codable {
    public var name: String

    public init(name: String) { self.name = name }
}

extension CustomerRenamed: EventPayload {
    static let eventType = "customer.renamed"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .customer(.renamed(self)) }
}

/// `customer.email_changed` v1.
public struct CustomerEmailChanged: Hashable, Sendable, Codable {
    public var email: String

    public init(email: String) { self.email = email }
}

extension CustomerEmailChanged: EventPayload {
    static let eventType = "customer.email_changed"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .customer(.emailChanged(self)) }
}
