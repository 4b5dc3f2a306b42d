import Foundation
import Testing

@testable import OrdersDomain

/// The fast payload reader (`PayloadReadable`) against `JSONDecoder`: whatever the fast path
/// returns, `JSONDecoder` returns too, and every payload decodes to the same outcome with the
/// fast path as without it.
@Suite struct PayloadReadingTests {
    /// Texts with what a reader can get wrong: multi-byte UTF-8, quotes and backslashes (escaped
    /// by the encoder, so read by `JSONDecoder`), control characters, `/`, emoji, empty.
    static let texts = [
        "", "Zoë Müller", "Иван", "山田 太郎", "a \"quoted\" word", #"back\slash"#, "tab\there", "line\nbreak", "🧑‍🍳 chef",
        "a/b", "\u{7F}del", "\u{0}nul", "Bitte beim Nachbarn abgeben", String(repeating: "x", count: 300),
    ]

    /// Values a type's fields are drawn from when it refuses texts: identifiers and currency codes.
    static let tokens = ["o-1", "c_2", "p-3", String(repeating: "a", count: 64), "X9", "EUR", "JPY", "KWD"]
    static let integers: [Int64] = [0, 1, 2, 199, 1000, -1, -5, 1_000_000_000_000, Int64.max, Int64.min]

    /// An arbitrary event of the type `payload` declares.
    static func event(_ payload: any EventPayload.Type, _ arbitrary: Arbitrary) throws -> DomainEvent {
        try arbitrary.value(of: payload).domainEvent
    }

    /// Both readers' outcome for a payload: the event, or the error's description.
    static func outcomes(_ type: String, _ payload: Data) -> (fast: String, reference: String) {
        func describe(_ readingBytes: Bool) -> String {
            do {
                let version = EventCodec.currentVersions[type] ?? 1
                return "\(try EventCodec.decode(type: type, schemaVersion: version, payload: payload, readingBytes: readingBytes))"
            } catch {
                return "error: \(error)"
            }
        }
        return (describe(true), describe(false))
    }

    /// Every event type the codec knows, each with payloads generated from its `Codable` shape: what
    /// the encoder writes decodes to the event, and the fast path, where the type has one, reads it
    /// as `JSONDecoder` does.
    @Test func encodedEventsReadTheSameWithoutJSONDecoder() throws {
        let arbitrary = Arbitrary(seed: 7, texts: Self.texts, tokens: Self.tokens, integers: Self.integers)
        let perType = 200
        var (read, readable) = (0, 0)
        for (type, payload) in EventCodec.payloadTypes.sorted(by: { $0.key < $1.key }) {
            let hasReader = payload is any PayloadReadable.Type
            var readOfType = 0
            for _ in 0..<perType {
                let event = try Self.event(payload, arbitrary)
                let encoded = try EventCodec.encode(event)
                #expect(encoded.type == type, "\(payload) wraps itself into an event of its own type")
                let fast = EventCodec.readBytes(type: encoded.type, payload: encoded.payload)
                let reference = try EventCodec.decode(
                    type: encoded.type, schemaVersion: encoded.schemaVersion, payload: encoded.payload, readingBytes: false)
                #expect(reference == event)
                if let fast {
                    #expect(hasReader, "\(type) has no fast path")
                    #expect(fast == reference, "\(String(decoding: encoded.payload, as: UTF8.self))")
                    readOfType += 1
                } else if hasReader {
                    // Only escapes send an encoded payload to `JSONDecoder`.
                    #expect(String(decoding: encoded.payload, as: UTF8.self).contains("\\"), "\(String(decoding: encoded.payload, as: UTF8.self))")
                }
            }
            if hasReader {
                #expect(readOfType > perType / 4, "the fast path read \(readOfType) of \(perType) \(type) payloads")
                readable += perType
            }
            read += readOfType
        }
        #expect(read > readable * 2 / 3, "the fast path read \(read) of \(readable) payloads")
    }

    /// A payload type without a reader of its own is read by `JSONDecoder` alone.
    @Test func aTypeWithoutAReaderIsReadByJSONDecoder() throws {
        let note = EventCodecTests.Unlisted(text: "hello")
        let bytes = try JSONEncoder().encode(note)
        #expect(bytes.withUnsafeBytes { EventCodecTests.Unlisted.readEvent($0) } == nil)
        #expect(try EventCodecTests.Unlisted.decodeEvent(bytes, with: JSONDecoder()) == note.domainEvent)
    }

    /// Payloads the encoder never writes: each reads the same with the fast path as without it
    /// (the fast path steps aside and `JSONDecoder` decides), valid or not.
    @Test(arguments: [
        ("order.item_added", #"{"quantity":2,"unit_price":{"currency":"EUR","amount_minor":5},"product_id":"p1"}"#),
        (
            "order.item_added",
            " \n{ \"product_id\" : \"p1\" , \"quantity\" : 2 , \"unit_price\" : { \"amount_minor\" : 5 , \"currency\" : \"EUR\" } } \n"
        ),
        ("order.item_added", #"{"product_id":"p1","quantity":2.0,"unit_price":{"amount_minor":5,"currency":"EUR"}}"#),
        ("order.item_added", #"{"product_id":"p1","quantity":2e0,"unit_price":{"amount_minor":5,"currency":"EUR"}}"#),
        ("order.item_added", #"{"product_id":"p1","quantity":02,"unit_price":{"amount_minor":5,"currency":"EUR"}}"#),
        ("order.item_added", #"{"product_id":"p1","quantity":-0,"unit_price":{"amount_minor":5,"currency":"EUR"}}"#),
        ("order.item_added", #"{"product_id":"p1","quantity":99999999999999999999,"unit_price":{"amount_minor":5,"currency":"EUR"}}"#),
        ("order.item_added", #"{"product_id":"p1","quantity":"2","unit_price":{"amount_minor":5,"currency":"EUR"}}"#),
        ("order.item_added", #"{"product_id":"p1","quantity":2,"quantity":3,"unit_price":{"amount_minor":5,"currency":"EUR"}}"#),
        ("order.item_added", #"{"product_id":"p1","quantity":2,"unit_price":{"amount_minor":5,"currency":"EUR"},"extra":[1,{"a":null}]}"#),
        ("order.item_added", #"{"product_id":"p1","quantity":2,"unit_price":{"amount_minor":5,"currency":"EUR","extra":true}}"#),
        ("order.item_added", #"{"product_id":"p1","quantity":2}"#),
        ("order.item_added", #"{"product_id":"p 1","quantity":2,"unit_price":{"amount_minor":5,"currency":"EUR"}}"#),
        ("order.item_added", #"{"product_id":"p1","quantity":2,"unit_price":{"amount_minor":5,"currency":"XXX"}}"#),
        ("order.item_added", #"{"product_id":"p1","quantity":2,"unit_price":{"amount_minor":5,"currency":"EUR"}} x"#),
        ("order.item_added", #"{"product_id":"p1","quantity":2,"unit_price":{"amount_minor":5,"currency":"EUR"}"#),
        ("order.item_added", #"{"product\u005fid":"p1","quantity":2,"unit_price":{"amount_minor":5,"currency":"EUR"}}"#),
        ("order.item_added", #"[]"#),
        ("order.item_added", ""),
        ("order.created", #"{"order_id":"o1","customer_id":"c1","shipping":{"city":"K\u00f6ln","country":"DE"},"notes":null,"currency":"EUR"}"#),
        ("order.created", #"{"order_id":"o1","customer_id":"c1","shipping":{"city":"Köln","country":"DE"},"currency":"EUR"}"#),
        ("order.created", #"{"order_id":"o1","customer_id":"c1","shipping":{"city":"Köln"},"currency":"EUR"}"#),
        ("order.created", #"{"order_id":"o1","customer_id":"c1","shipping":{"city":"Köln","country":"DE"},"notes":7,"currency":"EUR"}"#),
        ("order.delivered", #"{}"#),
        ("order.delivered", #"{"at":1}"#),
        ("order.paid", #"{"amount":{"amount_minor":5,"currency":"EUR"},"payment_reference":null}"#),
        ("customer.renamed", "{\"name\":\"tab\there\"}"),
        ("customer.renamed", #"{"name":"\ud800"}"#),
        ("customer.renamed", #"{"name":null}"#),
    ])
    func unusualPayloadsReadTheSameWithOrWithoutTheFastPath(type: String, json: String) {
        let outcome = Self.outcomes(type, Data(json.utf8))
        #expect(outcome.fast == outcome.reference)
    }

    /// Invalid UTF-8 in a name: a stray byte; a 4-byte sequence cut short, which decoding would
    /// repair into a replacement character of the same length; an overlong `/`; a surrogate.
    @Test(arguments: [[0xFF], [0xF0, 0x9F, 0x98], [0xC0, 0xAF], [0xED, 0xA0, 0x80]] as [[UInt8]])
    func invalidUTF8ReadsTheSame(invalid: [UInt8]) {
        let bytes = Data(#"{"name":"a"#.utf8) + invalid + Data(#"b"}"#.utf8)
        let outcome = Self.outcomes("customer.renamed", bytes)
        #expect(outcome.fast == outcome.reference)
        #expect(EventCodec.readBytes(type: "customer.renamed", payload: bytes) == nil)
    }

    /// The fast path does read what the encoder writes, in the encoder's key order and in any other.
    @Test func theFastPathReadsTheEncodersShape() {
        #expect(
            EventCodec.readBytes(
                type: "order.item_added", payload: Data(#"{"product_id":"p1","quantity":2,"unit_price":{"amount_minor":5,"currency":"EUR"}}"#.utf8))
                != nil)
        #expect(
            EventCodec.readBytes(
                type: "order.item_added", payload: Data(#"{"unit_price":{"currency":"EUR","amount_minor":5},"quantity":2,"product_id":"p1"}"#.utf8))
                != nil)
        #expect(
            EventCodec.readBytes(
                type: "order.item_added",
                payload: Data(#"{"product_id":"p1","quantity":2,"quantity":2,"unit_price":{"amount_minor":5,"currency":"EUR"}}"#.utf8)) == nil)
    }
}
