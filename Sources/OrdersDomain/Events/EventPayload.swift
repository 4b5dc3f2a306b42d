import Foundation

/// The payload of one kind of event, declaring what `EventCodec` stores with it.
///
/// `EventCodec` derives its table from these declarations (through `DomainEvent.payloadTypes`),
/// so adding an event is: a payload type conforming to this protocol, a case carrying it in its
/// aggregate's event enum (listed in that enum's `payloadTypes`), and the code that decides and
/// folds it. Reading the payload straight from its bytes (`PayloadReadable`) is optional.
protocol EventPayload: Codable, Hashable, Sendable {
    /// The stable type name stored with the event (`order.item_added`); it never changes once
    /// shipped.
    static var eventType: String { get }

    /// The version of the payload's JSON shape. When the shape changes the version goes up, and
    /// `upcasters` gains the step from the previous version, so old events keep reading.
    static var schemaVersion: Int { get }

    /// Each step to the current shape: the upcaster keyed `n` rewrites version `n` into `n + 1`.
    /// Empty by default.
    static var upcasters: [Int: EventCodec.Upcaster] { get }

    /// This payload as the event it is (`.order(.itemAdded(self))`).
    var domainEvent: DomainEvent { get }

    // The codec's two readers, requirements so that a call through the table runs code
    // specialized for the type. Conforming types keep the default implementations.

    /// The event read from its current-version bytes without `JSONDecoder`, or nil when
    /// `JSONDecoder` must read it (always, for a type that is not `PayloadReadable`).
    static func readEvent(_ bytes: UnsafeRawBufferPointer) -> DomainEvent?

    /// The event read from its current-version bytes by `decoder`.
    static func decodeEvent(_ data: Data, with decoder: JSONDecoder) throws -> DomainEvent
}

extension EventPayload {
    static var upcasters: [Int: EventCodec.Upcaster] { [:] }

    static func readEvent(_ bytes: UnsafeRawBufferPointer) -> DomainEvent? { nil }

    static func decodeEvent(_ data: Data, with decoder: JSONDecoder) throws -> DomainEvent {
        try decoder.decode(Self.self, from: data).domainEvent
    }
}
