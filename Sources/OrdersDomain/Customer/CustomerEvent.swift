/// Everything that can happen to a customer.
package enum CustomerEvent: Hashable, Sendable {
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
package struct CustomerRegistered: Hashable, Sendable, Codable {
    package var customerID: CustomerID
    package var name: String
    package var email: String

    package init(customerID: CustomerID, name: String, email: String) {
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
package struct CustomerRenamed: Hashable, Sendable, Codable {
    package var name: String

    package init(name: String) { self.name = name }
}

extension CustomerRenamed: EventPayload {
    static let eventType = "customer.renamed"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .customer(.renamed(self)) }
}

/// `customer.email_changed` v1.
package struct CustomerEmailChanged: Hashable, Sendable, Codable {
    package var email: String

    package init(email: String) { self.email = email }
}

extension CustomerEmailChanged: EventPayload {
    static let eventType = "customer.email_changed"
    static let schemaVersion = 1
    var domainEvent: DomainEvent { .customer(.emailChanged(self)) }
}
