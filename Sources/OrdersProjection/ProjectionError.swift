/// An event the projection cannot turn into a document. The projector dead-letters it and parks
/// the order's later events behind it; it never skips it silently.
package struct ProjectionError: Error, Sendable, Hashable, CustomStringConvertible {
    package var position: Int64
    package var streamID: String
    package var reason: String
    /// A gap in positions (or events out of order): the projector must halt, never skip.
    package var isHole: Bool

    package init(position: Int64, streamID: String, reason: String, isHole: Bool = false) {
        self.position = position
        self.streamID = streamID
        self.reason = reason
        self.isHole = isHole
    }

    package var description: String {
        // Not about one event (the checkpoint itself): no stream to name.
        guard streamID != "-" else { return "the projection cannot go on from position \(position): \(reason)" }
        return "cannot project event at position \(position) (stream \(streamID)): \(reason)"
    }
}
