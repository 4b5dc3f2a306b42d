import Foundation
import Hummingbird
import NIOCore

/// Request bodies in: at most `maximumBytes`, a JSON object, no fields beyond the type's, and every
/// problem reported with the field it concerns.
enum StrictJSON {
    static let maximumBytes = 64 * 1024

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, allowed: Set<String>) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBytes)
        } catch {
            throw APIError(.contentTooLarge, code: "body_too_large", "the request body must be at most \(maximumBytes) bytes")
        }
        let data = Data(buffer.readableBytesView)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw APIError.badRequest("the request body must be a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.badRequest("unknown field '\(unknown.prefix(60))'", field: String(unknown.prefix(60)))
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            throw APIError.badRequest("'\(path)' is required", field: path)
        } catch let DecodingError.typeMismatch(type, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError.badRequest("'\(path)' must be \(describe(type))", field: path)
        } catch let DecodingError.valueNotFound(type, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError.badRequest("'\(path)' must be \(describe(type)), not null", field: path)
        } catch let DecodingError.dataCorrupted(context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError.badRequest("'\(path)': \(context.debugDescription)", field: path.isEmpty ? nil : path)
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Bool.Type: "true or false"
        default: "an object of the documented shape"
        }
    }
}
