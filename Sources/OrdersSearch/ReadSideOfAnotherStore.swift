/// A read side was opened with an event store other than the one it was built from.
package struct ReadSideOfAnotherStore: Error, CustomStringConvertible {
    package var location: String
    package var recorded: String
    package var store: String

    package init(location: String, recorded: String, store: String) {
        self.location = location
        self.recorded = recorded
        self.store = store
    }

    package var description: String {
        "the read side at \(location) was built from another event store (\(recorded)), not this one (\(store)): "
            + "it would serve that store's orders. Give this store its own read side (--read-db, or --state-db with "
            + "another --es-alias), or delete that one to rebuild it from this store."
    }
}
