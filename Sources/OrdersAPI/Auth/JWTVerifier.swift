import Foundation
import JWTKit
import OrdersDomain
package import OrdersStore

/// Where JWTs come from and what they must say. Issuer and audience are required: a token for
/// another service of the same identity provider must not get in.
package struct JWTConfiguration: Sendable {
    /// The shared secret of HS256 tokens (`ORDERS_JWT_SECRET`).
    package var hs256Secret: String?
    /// A JWKS file (`{"keys": [...]}`) with the RS256 or ES256 public keys of the provider.
    package var jwks: String?
    /// The `iss` the tokens must carry.
    package var issuer: String
    /// An `aud` the tokens must include.
    package var audience: String
    /// The claim that names the role (`reader`, `writer` or `admin`). Default `role`.
    package var roleClaim: String
    /// The claim that scopes a token to one customer. Default `customer_id`.
    package var customerClaim: String

    package init(
        hs256Secret: String? = nil, jwks: String? = nil, issuer: String, audience: String, roleClaim: String = "role",
        customerClaim: String = "customer_id"
    ) {
        self.hs256Secret = hs256Secret
        self.jwks = jwks
        self.issuer = issuer
        self.audience = audience
        self.roleClaim = roleClaim
        self.customerClaim = customerClaim
    }
}

/// Checks JWTs locally (no network call): signature (jwt-kit), expiry, issuer, audience, then
/// takes the role and the optional customer from the claims.
package struct JWTVerifier: Sendable {
    private let keys: JWTKeyCollection
    private let configuration: JWTConfiguration
    private let wallClock: any WallClock

    package init(configuration: JWTConfiguration, wallClock: any WallClock = SystemWallClock()) async throws {
        let keys = JWTKeyCollection()
        if let secret = configuration.hs256Secret {
            guard secret.utf8.count >= 32 else { throw JWTConfigurationError("the HS256 secret must be at least 32 bytes") }
            await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        }
        if let jwks = configuration.jwks {
            do {
                try await keys.add(jwksJSON: jwks)
            } catch {
                throw JWTConfigurationError("the JWKS could not be read: \(error)")
            }
        }
        guard configuration.hs256Secret != nil || configuration.jwks != nil else {
            throw JWTConfigurationError("give an HS256 secret or a JWKS file")
        }
        self.keys = keys
        self.configuration = configuration
        self.wallClock = wallClock
    }

    /// The caller a token names, or why it is refused.
    package func identity(for token: String) async throws(AuthenticationFailure) -> Identity {
        let claims: Claims
        do {
            claims = try await keys.verify(token, as: Claims.self)
        } catch {
            throw AuthenticationFailure("the token's signature or form is not valid")
        }
        do {
            try claims.exp.verifyNotExpired(currentDate: wallClock.now())
        } catch {
            throw AuthenticationFailure("the token has expired")
        }
        guard claims.iss?.value == configuration.issuer else { throw AuthenticationFailure("the token is for another issuer") }
        guard claims.aud?.value.contains(configuration.audience) == true else { throw AuthenticationFailure("the token is for another audience") }
        guard let name = claims.strings[configuration.roleClaim], let role = Role(rawValue: name) else {
            throw AuthenticationFailure("the token's '\(configuration.roleClaim)' claim must be reader, writer or admin")
        }
        var identity = Identity(kind: .jwt, name: claims.sub?.value ?? "jwt", role: role)
        if let customer = claims.strings[configuration.customerClaim] {
            guard let id = try? CustomerID(customer) else {
                throw AuthenticationFailure("the token's '\(configuration.customerClaim)' claim is not a customer id")
            }
            // A customer's token acts for that customer, never as an operator.
            identity.customerID = id
            identity.role = min(role, .writer)
        }
        return identity
    }

    /// The claims read: the registered ones, and every string claim (the role and customer
    /// claims are configurable).
    struct Claims: JWTPayload {
        var sub: SubjectClaim?
        var iss: IssuerClaim?
        var aud: AudienceClaim?
        var exp: ExpirationClaim
        var strings: [String: String]

        enum CodingKeys: String, CodingKey { case sub, iss, aud, exp }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            sub = try container.decodeIfPresent(SubjectClaim.self, forKey: .sub)
            iss = try container.decodeIfPresent(IssuerClaim.self, forKey: .iss)
            aud = try container.decodeIfPresent(AudienceClaim.self, forKey: .aud)
            exp = try container.decode(ExpirationClaim.self, forKey: .exp)
            let any = try decoder.container(keyedBy: AnyKey.self)
            var strings: [String: String] = [:]
            for key in any.allKeys { if let value = try? any.decode(String.self, forKey: key) { strings[key.stringValue] = value } }
            self.strings = strings
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in strings where CodingKeys(rawValue: key) == nil { try container.encode(value, forKey: AnyKey(stringValue: key)) }
            var registered = encoder.container(keyedBy: CodingKeys.self)
            try registered.encodeIfPresent(sub, forKey: .sub)
            try registered.encodeIfPresent(iss, forKey: .iss)
            try registered.encodeIfPresent(aud, forKey: .aud)
            try registered.encode(exp, forKey: .exp)
        }

        /// Expiry, issuer and audience are checked by `identity(for:)`, against the server's clock.
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// Why credentials were refused (the message is safe to send back: it names no secret).
package struct AuthenticationFailure: Error, Sendable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// A JWT configuration that cannot work, and why.
package struct JWTConfigurationError: Error, Sendable, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}
