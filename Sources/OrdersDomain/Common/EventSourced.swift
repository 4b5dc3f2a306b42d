/// An aggregate whose state is the fold of its events.
package protocol EventSourced: Sendable {
    associatedtype Event: Sendable

    /// The state after the stream's first event, or `nil` if that event cannot start a stream.
    init?(first event: Event)

    /// The state after one more event. Events were validated when decided, so applying never fails.
    mutating func apply(_ event: Event)

    /// This aggregate's event inside any domain event, or `nil` if it belongs to another aggregate.
    static func event(from event: DomainEvent) -> Event?
    /// This aggregate's event as a domain event.
    static func domainEvent(_ event: Event) -> DomainEvent
}

extension EventSourced {
    /// Folds a whole stream. `nil` for an empty stream; a stream that does not begin with a
    /// creation event is corrupt and reported as such.
    package static func fold(_ events: some Sequence<Event>) throws(DomainError) -> Self? {
        var state: Self?
        for event in events {
            if state == nil {
                guard let initial = Self(first: event) else {
                    throw DomainError(.invalidTransition, "stream of \(Self.self) does not begin with a creation event: \(event)")
                }
                state = initial
            } else {
                state!.apply(event)
            }
        }
        return state
    }
}
