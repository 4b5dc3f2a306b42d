package import Hummingbird
import HummingbirdAuth
package import NIOCore

/// The request context of every route: Hummingbird's, with the caller's identity (set by the
/// `Authenticator`) and the address the connection comes from (what rate limits key anonymous
/// callers by). hummingbird-auth's `BasicAuthRequestContext` plus the address.
package struct APIContext: AuthRequestContext, RemoteAddressRequestContext {
    package var coreContext: CoreRequestContextStorage
    package var identity: Identity?
    /// The peer of the connection; nil when the channel has none (an in-process channel).
    package let remoteAddress: SocketAddress?

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
        remoteAddress = source.channel.remoteAddress
    }
}
