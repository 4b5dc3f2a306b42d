package import Foundation

extension RecordedEvent {
    /// The event as one line of NDJSON (with the trailing newline), payload embedded as stored:
    /// `{"position":1,"stream_id":"...","stream_version":1,"type":"...","schema_version":1,
    ///   "recorded_at":"2026-01-15T10:00:00.000Z","command_id":null,"correlation_id":null,"payload":{...}}`
    package func ndjsonLine() -> Data {
        var line = "{\"position\":\(position),\"stream_id\":"
        line.appendJSONString(streamID)
        line += ",\"stream_version\":\(streamVersion),\"type\":"
        line.appendJSONString(type)
        line += ",\"schema_version\":\(schemaVersion),\"recorded_at\":"
        line.appendJSONString(recordedAt.formatted(Self.timestampStyle))
        line += ",\"command_id\":"
        if let commandID { line.appendJSONString(commandID) } else { line += "null" }
        line += ",\"correlation_id\":"
        if let correlationID { line.appendJSONString(correlationID) } else { line += "null" }
        line += ",\"payload\":"
        var data = Data(line.utf8)
        data.append(payload)
        data.append(contentsOf: "}\n".utf8)
        return data
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}

extension String {
    /// Appends `value` as a JSON string literal (quoted, escaped per RFC 8259).
    mutating func appendJSONString(_ value: String) {
        append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": append("\\\"")
            case "\\": append("\\\\")
            case "\n": append("\\n")
            case "\r": append("\\r")
            case "\t": append("\\t")
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: unicodeScalars.append(scalar)
            }
        }
        append("\"")
    }
}
