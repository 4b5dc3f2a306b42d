public import Foundation
public import OrdersDomain

/// A value that must be unique across streams (a customer email, a product SKU).
public struct UniqueKey: Hashable, Sendable {
    public var scope: String
    public var value: String

    public init(scope: String, value: String) {
        self.scope = scope
        self.value = value
    }

    public static func customerEmail(_ email: String) -> UniqueKey { UniqueKey(scope: "customer_email", value: email) }
    public static func productSKU(_ sku: String) -> UniqueKey { UniqueKey(scope: "product_sku", value: sku) }
}

/// Who caused an append, stored with each event.
public struct EventMetadata: Hashable, Sendable {
    /// The command's id. Appending twice with the same command id appends once.
    public var commandID: String?
    public var correlationID: String?
    public var recordedAt: Date

    public init(commandID: String? = nil, correlationID: String? = nil, recordedAt: Date) {
        self.commandID = commandID
        self.correlationID = correlationID
        self.recordedAt = recordedAt
    }
}

/// Events to append to one stream, atomically with the optimistic-concurrency check and the
/// unique-key claims.
public struct AppendRequest: Sendable {
    public var streamID: String
    /// The stream version the decision was based on (0: the stream must not exist yet).
    public var expectedVersion: Int
    public var events: [EncodedEvent]
    public var metadata: EventMetadata
    /// Values this stream takes; fails with `uniqueKeyTaken` if another stream holds one.
    public var claims: [UniqueKey]
    /// Values this stream gives up (the old email after an email change).
    public var releases: [UniqueKey]
    /// Other streams the decision read, at the versions it saw (the product whose price an item
    /// copies). If one of them has moved on, the append fails with a concurrency conflict.
    public var readVersions: [String: Int]

    public init(
        streamID: String, expectedVersion: Int, events: [EncodedEvent], metadata: EventMetadata,
        claims: [UniqueKey] = [], releases: [UniqueKey] = [], readVersions: [String: Int] = [:]
    ) {
        self.streamID = streamID
        self.expectedVersion = expectedVersion
        self.events = events
        self.metadata = metadata
        self.claims = claims
        self.releases = releases
        self.readVersions = readVersions
    }
}

/// Where an append landed.
public struct AppendResult: Hashable, Sendable {
    /// The stream's version after the append.
    public var streamVersion: Int
    /// The global position of the last appended event.
    public var position: Int64
    /// True when the command id had been appended before and this is that earlier outcome.
    public var replayed: Bool

    public init(streamVersion: Int, position: Int64, replayed: Bool = false) {
        self.streamVersion = streamVersion
        self.position = position
        self.replayed = replayed
    }
}
