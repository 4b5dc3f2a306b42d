import OrdersDomain

/// One handler per customer command. Emails are claimed as unique keys in the append transaction.
enum CustomerHandlers {
    static func register(in handlers: inout CommandHandlers, repository: AggregateRepository) {
        handlers.register(RegisterCustomer.self) { command, context in
            try await repository.execute(Customer.self, command, context: context, creates: true) { loaded in
                guard loaded.state == nil else {
                    throw DomainError(.alreadyExists, "customer \(command.customerID) already exists", field: "customer_id")
                }
                return Decision(Customer.register(command), claims: [.customerEmail(command.email)])
            }
        }
        handlers.register(RenameCustomer.self) { command, context in
            try await repository.execute(Customer.self, command, context: context) { loaded in
                Decision(try existing(loaded, command.customerID).rename(command))
            }
        }
        handlers.register(ChangeCustomerEmail.self) { command, context in
            try await repository.execute(Customer.self, command, context: context) { loaded in
                let customer = try existing(loaded, command.customerID)
                return Decision(
                    customer.changeEmail(command), claims: [.customerEmail(command.email)], releases: [.customerEmail(customer.email)]
                )
            }
        }
    }

    private static func existing(_ loaded: Loaded<Customer>, _ id: CustomerID) throws(DomainError) -> Customer {
        guard let customer = loaded.state else { throw DomainError(.notFound, "customer \(id) does not exist", field: "customer_id") }
        return customer
    }
}
