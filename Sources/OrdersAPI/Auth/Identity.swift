import HummingbirdAuth
package import OrdersDomain
package import OrdersStore

/// Who is calling, once authenticated: a name for logs and rate limits, a role, and for a
/// customer-scoped caller the one customer whose orders it may see and change.
package struct Identity: Sendable, Hashable, RoleProviding {
    package enum Kind: String, Sendable, Hashable {
        /// An API key (`orders keys create`).
        case apiKey = "api_key"
        /// A JWT from the shop's identity provider.
        case jwt
        /// `ORDERS_ADMIN_TOKEN`, an admin key kept for compatibility.
        case adminToken = "admin_token"
        /// No credentials, where the configuration allows that (a loopback set-up without
        /// authentication, or `--allow-anonymous`).
        case anonymous
    }

    package var kind: Kind
    /// The key's name, the token's subject, `admin-token` or `anonymous`.
    package var name: String
    package var role: Role
    /// Set for a customer-scoped caller: it may see and change only this customer's orders.
    package var customerID: CustomerID?

    package init(kind: Kind, name: String, role: Role, customerID: CustomerID? = nil) {
        self.kind = kind
        self.name = name
        self.role = role
        self.customerID = customerID
    }

    /// Each role includes those below it.
    package var roles: Set<Role> { Set(Role.allCases.filter { $0 <= role }) }

    /// Who calls without credentials where that is allowed: a writer, as before authentication.
    package static let anonymous = Identity(kind: .anonymous, name: "anonymous", role: .writer)
}
