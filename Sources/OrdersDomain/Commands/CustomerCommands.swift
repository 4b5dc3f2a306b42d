public struct RegisterCustomer: CustomerCommand {
    public static let name = "customer.register"
    public var customerID: CustomerID
    public var name: String
    public var email: String

    public init(customerID: CustomerID, name: String, email: String) {
        self.customerID = customerID
        self.name = name
        self.email = email
    }

    public func validated() throws(DomainError) -> RegisterCustomer {
        var copy = self
        copy.name = try Validate.text(name, field: "name", maxLength: 200)
        copy.email = try Validate.email(email)
        return copy
    }
}

public struct RenameCustomer: CustomerCommand {
    public static let name = "customer.rename"
    public var customerID: CustomerID
    public var name: String

    public init(customerID: CustomerID, name: String) {
        self.customerID = customerID
        self.name = name
    }

    public func validated() throws(DomainError) -> RenameCustomer {
        var copy = self
        copy.name = try Validate.text(name, field: "name", maxLength: 200)
        return copy
    }
}

public struct ChangeCustomerEmail: CustomerCommand {
    public static let name = "customer.change_email"
    public var customerID: CustomerID
    public var email: String

    public init(customerID: CustomerID, email: String) {
        self.customerID = customerID
        self.email = email
    }

    public func validated() throws(DomainError) -> ChangeCustomerEmail {
        var copy = self
        copy.email = try Validate.email(email)
        return copy
    }
}
