/// An event the projection cannot turn into a document. The projector dead-letters it and parks
/// the order's later events behind it; it never skips it silently.
public struct ProjectionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var position: Int64
    public var streamID: String
    public var reason: String

    public init(position: Int64, streamID: String, reason: String) {
        self.position = position
        self.streamID = streamID
        self.reason = reason
    }

    public var description: String { "cannot project event at position \(position) (stream \(streamID)): \(reason)" }
}
