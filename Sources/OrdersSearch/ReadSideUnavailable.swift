/// The read side cannot answer now, and may if asked again later: its cluster is unreachable,
/// timing out, overloaded or shutting down. Backends throw it in place of their own errors, so
/// that callers (the HTTP API answers 503 with `Retry-After`) need not know which backend it
/// was. `description` names the cause for logs; it is not for clients (it names nodes).
package struct ReadSideUnavailable: Error, Sendable, CustomStringConvertible {
    /// How long a caller should wait before asking again. Default 5 s.
    package var retryAfter: Duration
    /// The backend's own error.
    package var underlying: any Error

    package init(underlying: any Error, retryAfter: Duration = .seconds(5)) {
        self.underlying = underlying
        self.retryAfter = retryAfter
    }

    package var description: String { "the read side cannot answer now: \(underlying)" }
}
