import Foundation
import OrdersDomain
import Testing

@testable import OrdersSearch

/// The hand-written `_source` writer must write exactly what `JSONEncoder` writes.
@Suite struct DocumentJSONTests {
    static var awkward: [OrderDocument] {
        var everything = SearchIndexBehaviour.document(
            "ord-\"quoted\"\\back", status: .cancelled, customer: ("c-\n1", "Zoë \"Zo\" Müller\t/\u{01}", "zoe+tag@example.de"),
            items: [("山田 Café\r\n", "SKU-1", 3, 1250), ("Crème \u{1F}Brûlée", "SKU/2", 1, -5), ("", "", 0, 0)], notes: "line\u{08}\u{0C}end 🚚",
            created: -86_400.125, version: Int64.max)  // dates carry whole milliseconds, as recorded_at does
        everything.paidAt = Date(timeIntervalSince1970: 1_767_225_600.5)
        everything.shippedAt = Date(timeIntervalSince1970: 0)
        everything.deliveredAt = Date(timeIntervalSince1970: 4_102_444_800)
        everything.cancelledAt = Date(timeIntervalSince1970: 1_767_225_601.999)
        everything.cancelReason = "changed\u{7F} mind"
        everything.carrier = "DHL"
        everything.trackingNumber = "TRK-1"
        var empty = SearchIndexBehaviour.document("ord-empty", status: .draft, items: [], notes: nil, version: 0)
        empty.totalMinor = Int64.min + 1
        return SearchIndexBehaviour.corpus + [everything, empty]
    }

    @Test(arguments: awkward)
    func writesWhatJSONEncoderWrites(_ document: OrderDocument) throws {
        let fast = try ElasticsearchSearchIndex.encode(document)
        let reference = try ElasticsearchSearchIndex.encodeWithFoundation(document)
        #expect(String(decoding: fast, as: UTF8.self) == String(decoding: reference, as: UTF8.self))
        // And it reads back as the same document.
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        let read = try decoder.decode(OrderDocument.self, from: Data(fast))
        #expect(read.orderID == document.orderID && read.items == document.items && read.customer == document.customer)
    }

    /// Without the search fields it is the document as `JSONEncoder` writes it (the embedded
    /// index's stored form), and reads back as the same document.
    @Test(arguments: awkward)
    func writesTheStoredDocumentAsJSONEncoderDoes(_ document: OrderDocument) throws {
        let fast = DocumentJSON.encode(document, searchFields: false)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: fast, as: UTF8.self) == String(decoding: try encoder.encode(document), as: UTF8.self))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        #expect(try decoder.decode(OrderDocument.self, from: Data(fast)) == document)
    }
}
