/// Everything that can happen to a customer.
public enum CustomerEvent: Hashable, Sendable {
    case registered(CustomerRegistered)
    case renamed(CustomerRenamed)
    case emailChanged(CustomerEmailChanged)
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

/// `customer.renamed` v1.
public struct CustomerRenamed: Hashable, Sendable, Codable {
    public var name: String

    public init(name: String) { self.name = name }
}

/// `customer.email_changed` v1.
public struct CustomerEmailChanged: Hashable, Sendable, Codable {
    public var email: String

    public init(email: String) { self.email = email }
}
