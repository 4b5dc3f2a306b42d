/// The customer aggregate. Email uniqueness across customers is enforced by the event store in
/// the same transaction as the append (the aggregate cannot see other customers).
package struct Customer: EventSourced, Hashable {
    package let id: CustomerID
    package private(set) var name: String
    package private(set) var email: String

    package init?(first event: CustomerEvent) {
        guard case .registered(let e) = event else { return nil }
        id = e.customerID
        name = e.name
        email = e.email
    }

    package mutating func apply(_ event: CustomerEvent) {
        switch event {
        case .registered: break
        case .renamed(let e): name = e.name
        case .emailChanged(let e): email = e.email
        }
    }

    package static func register(_ command: RegisterCustomer) -> [CustomerEvent] {
        [.registered(CustomerRegistered(customerID: command.customerID, name: command.name, email: command.email))]
    }

    /// Renaming to the current name changes nothing.
    package func rename(_ command: RenameCustomer) -> [CustomerEvent] {
        command.name == name ? [] : [.renamed(CustomerRenamed(name: command.name))]
    }

    /// Changing to the current email changes nothing.
    package func changeEmail(_ command: ChangeCustomerEmail) -> [CustomerEvent] {
        command.email == email ? [] : [.emailChanged(CustomerEmailChanged(email: command.email))]
    }

    package static func event(from event: DomainEvent) -> CustomerEvent? {
        guard case .customer(let event) = event else { return nil }
        return event
    }

    package static func domainEvent(_ event: CustomerEvent) -> DomainEvent { .customer(event) }
}
