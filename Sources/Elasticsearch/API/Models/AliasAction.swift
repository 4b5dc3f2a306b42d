/// One action of an atomic `POST /_aliases` request.
public enum AliasAction: Sendable, Hashable {
    case add(index: String, alias: String, isWriteIndex: Bool? = nil, filter: Query? = nil, routing: String? = nil)
    case remove(index: String, alias: String)
    /// Deletes the index in the same atomic request.
    case removeIndex(index: String)

    var json: JSONValue {
        switch self {
        case .add(let index, let alias, let isWriteIndex, let filter, let routing):
            var options: [String: JSONValue] = ["index": .string(index), "alias": .string(alias)]
            if let isWriteIndex { options["is_write_index"] = .bool(isWriteIndex) }
            if let filter { options["filter"] = filter.json }
            if let routing { options["routing"] = .string(routing) }
            return ["add": .object(options)]
        case .remove(let index, let alias): return ["remove": ["index": .string(index), "alias": .string(alias)]]
        case .removeIndex(let index): return ["remove_index": ["index": .string(index)]]
        }
    }

    /// The request body for a list of actions.
    public static func body(_ actions: [AliasAction]) -> JSONValue { ["actions": .array(actions.map(\.json))] }
}
