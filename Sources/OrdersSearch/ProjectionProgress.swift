/// How far the projection has got, as the query side needs it for read-your-writes: the
/// projector conforms to it; the query side depends on nothing else of the projection.
package protocol ProjectionProgress: Sendable {
    /// The position of the last event the read side has acknowledged.
    var acknowledgedPosition: Int64 { get async }

    /// Waits until the read side has acknowledged `position` and searches see it, or `timeout`
    /// passed; true if they do.
    func waitForPosition(_ position: Int64, timeout: Duration) async -> Bool

    /// Why the projection stopped for good in this process (a hole in the log, a read side of
    /// another store or ahead of the log), nil while it runs: queries then answer what is
    /// projected, and `/ready/read` says it is not ready.
    var halted: String? { get async }
}

extension ProjectionProgress {
    package var halted: String? { get async { nil } }
}
