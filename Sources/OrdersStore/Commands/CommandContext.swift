package import Foundation
package import Logging
package import OrdersDomain

/// What the caller says about a command besides its content.
package struct CommandMetadata: Sendable, Hashable {
    /// Identifies this command; sending the same command id twice appends once and returns the
    /// first outcome (safe client retries).
    package var commandID: String?
    /// Ties the command's events to a wider operation (an HTTP request id).
    package var correlationID: String?
    /// When set, the command applies only if the aggregate is at exactly this stream version
    /// (HTTP `If-Match`); otherwise it fails with a concurrency conflict and is not retried.
    package var expectedVersion: Int?
    /// When set, the command may create and change only this customer's orders: another
    /// customer's order is as if it did not exist (a customer-scoped caller).
    package var customerScope: CustomerID?

    package init(commandID: String? = nil, correlationID: String? = nil, expectedVersion: Int? = nil, customerScope: CustomerID? = nil) {
        self.commandID = commandID
        self.correlationID = correlationID
        self.expectedVersion = expectedVersion
        self.customerScope = customerScope
    }
}

/// Passed along the middleware chain to the handler.
package struct CommandContext: Sendable {
    package var metadata: CommandMetadata
    package var logger: Logger
    /// The time recorded on the command's events, read once from the bus's clock.
    package var now: Date
}

/// What a handled command returns.
package struct CommandResult: Sendable, Hashable {
    /// The id of the aggregate the command changed.
    package var aggregateID: String
    /// The aggregate's stream version after the command.
    package var streamVersion: Int
    /// The global position of the aggregate's last event: pass it as `min_position` to a query
    /// to read your own write.
    package var position: Int64
    /// True when the command id had been handled before and this is that earlier outcome.
    package var replayed: Bool

    package init(aggregateID: String, streamVersion: Int, position: Int64, replayed: Bool = false) {
        self.aggregateID = aggregateID
        self.streamVersion = streamVersion
        self.position = position
        self.replayed = replayed
    }
}
