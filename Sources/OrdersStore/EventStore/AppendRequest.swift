package import Foundation
package import OrdersDomain

/// A value that must be unique across streams (a customer email, a product SKU).
package struct UniqueKey: Hashable, Sendable {
    package var scope: String
    package var value: String

    package init(scope: String, value: String) {
        self.scope = scope
        self.value = value
    }

    package static func customerEmail(_ email: String) -> UniqueKey { UniqueKey(scope: "customer_email", value: email) }
    package static func productSKU(_ sku: String) -> UniqueKey { UniqueKey(scope: "product_sku", value: sku) }
}

/// Who caused an append, stored with each event.
package struct EventMetadata: Hashable, Sendable {
    /// The command's id. Appending twice with the same command id appends once.
    package var commandID: String?
    package var correlationID: String?
    package var recordedAt: Date

    package init(commandID: String? = nil, correlationID: String? = nil, recordedAt: Date) {
        self.commandID = commandID
        self.correlationID = correlationID
        self.recordedAt = recordedAt
    }
}

/// Events to append to one stream, atomically with the optimistic-concurrency check and the
/// unique-key claims.
package struct AppendRequest: Sendable {
    package var streamID: String
    /// The stream version the decision was based on (0: the stream must not exist yet).
    package var expectedVersion: Int
    package var events: [EncodedEvent]
    package var metadata: EventMetadata
    /// Values this stream takes; fails with `uniqueKeyTaken` if another stream holds one.
    package var claims: [UniqueKey]
    /// Values this stream gives up (the old email after an email change).
    package var releases: [UniqueKey]
    /// Other streams the decision read, at the versions it saw (the product whose price an item
    /// copies). If one of them has moved on, the append fails with a concurrency conflict.
    package var readVersions: [String: Int]

    package init(
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
package struct AppendResult: Hashable, Sendable {
    /// The stream's version after the append.
    package var streamVersion: Int
    /// The global position of the last appended event.
    package var position: Int64
    /// True when the command id had been appended before and this is that earlier outcome.
    package var replayed: Bool

    package init(streamVersion: Int, position: Int64, replayed: Bool = false) {
        self.streamVersion = streamVersion
        self.position = position
        self.replayed = replayed
    }
}
