extension ElasticsearchClient {
    /// `PUT /<index>` with settings and mappings (`{"settings": ..., "mappings": ..., "aliases": ...}`).
    @discardableResult
    public func createIndex(_ index: String, body: JSONValue) async throws(ElasticsearchError) -> Acknowledged {
        try await send(HTTPRequest(.put, Self.path(index), body: body.serialized), as: Acknowledged.self)
    }

    @discardableResult
    public func deleteIndex(_ index: String) async throws(ElasticsearchError) -> Acknowledged {
        try await send(HTTPRequest(.delete, Self.path(index)), as: Acknowledged.self)
    }

    /// `HEAD /<index>`: true on 200, false on 404.
    public func indexExists(_ index: String) async throws(ElasticsearchError) -> Bool {
        let request = HTTPRequest(.head, Self.path(index))
        let response = try await transport.send(request)
        switch response.status {
        case 200: return true
        case 404: return false
        default: throw ElasticsearchError(response: response, method: "HEAD", path: request.target, node: nil)
        }
    }

    /// `POST /<index>/_refresh`: makes recent writes searchable.
    @discardableResult
    public func refresh(_ index: String) async throws(ElasticsearchError) -> ShardStatistics? {
        struct Refreshed: Decodable {
            var _shards: ShardStatistics?
        }
        return try await send(HTTPRequest(.post, Self.path(index, "_refresh"), isIdempotent: true), as: Refreshed.self)._shards
    }

    /// `GET /<index>/_mapping`: the mappings by concrete index name (an alias resolves to its indices).
    public func mapping(_ index: String) async throws(ElasticsearchError) -> [String: JSONValue] {
        struct Entry: Decodable {
            var mappings: JSONValue
        }
        return try await send(HTTPRequest(.get, Self.path(index, "_mapping")), as: [String: Entry].self).mapValues(\.mappings)
    }

    /// `PUT /<index>/_mapping`: adds fields or replaces `_meta` (`{"_meta": {...}}` replaces it
    /// whole: send every key to keep).
    @discardableResult
    public func putMapping(_ index: String, body: JSONValue) async throws(ElasticsearchError) -> Acknowledged {
        try await send(HTTPRequest(.put, Self.path(index, "_mapping"), body: body.serialized, isIdempotent: true), as: Acknowledged.self)
    }

    /// `GET /<index>/_settings`: the settings by concrete index name.
    public func settings(_ index: String) async throws(ElasticsearchError) -> [String: JSONValue] {
        struct Entry: Decodable {
            var settings: JSONValue
        }
        return try await send(HTTPRequest(.get, Self.path(index, "_settings")), as: [String: Entry].self).mapValues(\.settings)
    }

    /// `PUT /<index>/_settings` for the dynamic settings a bulk load toggles. `refreshInterval`
    /// `"-1"` disables refresh; `nil` leaves a setting alone.
    @discardableResult
    public func updateSettings(
        _ index: String, refreshInterval: String? = nil, numberOfReplicas: Int? = nil
    ) async throws(ElasticsearchError)
        -> Acknowledged
    {
        var settings: [String: JSONValue] = [:]
        if let refreshInterval { settings["refresh_interval"] = .string(refreshInterval) }
        if let numberOfReplicas { settings["number_of_replicas"] = .int(Int64(numberOfReplicas)) }
        let body: JSONValue = ["index": .object(settings)]
        return try await send(HTTPRequest(.put, Self.path(index, "_settings"), body: body.serialized), as: Acknowledged.self)
    }
}
