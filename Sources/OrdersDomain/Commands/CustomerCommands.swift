package struct RegisterCustomer: CustomerCommand {
    package static let name = "customer.register"
    package var customerID: CustomerID
    package var name: String
    package var email: String

    package init(customerID: CustomerID, name: String, email: String) {
        self.customerID = customerID
        self.name = name
        self.email = email
    }

    package func validated() throws(DomainError) -> RegisterCustomer {
        var copy = self
        copy.name = try Validate.text(name, field: "name", maxLength: 200)
        copy.email = try Validate.email(email)
        return copy
    }
}

package struct RenameCustomer: CustomerCommand {
    package static let name = "customer.rename"
    package var customerID: CustomerID
    package var name: String

    package init(customerID: CustomerID, name: String) {
        self.customerID = customerID
        self.name = name
    }

    package func validated() throws(DomainError) -> RenameCustomer {
        var copy = self
        copy.name = try Validate.text(name, field: "name", maxLength: 200)
        return copy
    }
}

package struct ChangeCustomerEmail: CustomerCommand {
    package static let name = "customer.change_email"
    package var customerID: CustomerID
    package var email: String

    package init(customerID: CustomerID, email: String) {
        self.customerID = customerID
        self.email = email
    }

    package func validated() throws(DomainError) -> ChangeCustomerEmail {
        var copy = self
        copy.email = try Validate.email(email)
        return copy
    }
}
