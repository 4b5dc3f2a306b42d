import Elasticsearch
import Foundation
import OrdersDomain

/// Writes an order document's JSON straight into bytes, for both backends: the `_source` that
/// Elasticsearch indexes and the document the embedded index stores. It is what `JSONEncoder`
/// with sorted keys would write for `ElasticsearchSearchIndex.Source`, at a small fraction of
/// the cost (a bulk load encodes every order; `JSONEncoder` was a third of a reindex's CPU).
/// Keys come in sorted order, absent optionals are left out, dates are epoch milliseconds.
package struct DocumentJSON {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 768) { bytes.reserveCapacity(capacity) }

    /// The `_source` (`searchFields`: with the root-level `product_names` and `skus`), or, without
    /// them, the document as `JSONEncoder` with sorted keys writes it (what the embedded index
    /// stores). `package`: the reindex benchmark times it on its own.
    package static func encode(_ document: OrderDocument, searchFields: Bool = true) -> [UInt8] {
        var writer = DocumentJSON()
        writer.write(document, searchFields: searchFields)
        return writer.bytes
    }

    mutating func write(_ d: OrderDocument, searchFields: Bool = true) {
        var first = true
        bytes.append(UInt8(ascii: "{"))
        field("cancel_reason", d.cancelReason, &first)
        field("cancelled_at", d.cancelledAt, &first)
        field("carrier", d.carrier, &first)
        field("created_at", d.createdAt, &first)
        field("currency", d.currency, &first)
        key("customer", &first)
        var inner = true
        bytes.append(UInt8(ascii: "{"))
        field("email", d.customer.email, &inner)
        field("id", d.customer.id, &inner)
        field("name", d.customer.name, &inner)
        bytes.append(UInt8(ascii: "}"))
        field("delivered_at", d.deliveredAt, &first)
        field("item_count", Int64(d.itemCount), &first)
        key("items", &first)
        bytes.append(UInt8(ascii: "["))
        for (index, item) in d.items.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            var inner = true
            bytes.append(UInt8(ascii: "{"))
            field("name", item.name, &inner)
            field("product_id", item.productID, &inner)
            field("quantity", Int64(item.quantity), &inner)
            field("sku", item.sku, &inner)
            field("subtotal_minor", item.subtotalMinor, &inner)
            field("unit_price_minor", item.unitPriceMinor, &inner)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]"))
        field("notes", d.notes, &first)
        field("order_id", d.orderID, &first)
        field("paid_at", d.paidAt, &first)
        if searchFields { stringArray("product_names", d.items.map(\.name), &first) }
        field("shipped_at", d.shippedAt, &first)
        key("shipping", &first)
        inner = true
        bytes.append(UInt8(ascii: "{"))
        field("city", d.shipping.city, &inner)
        field("country", d.shipping.country, &inner)
        bytes.append(UInt8(ascii: "}"))
        if searchFields { stringArray("skus", d.items.map(\.sku), &first) }
        field("status", d.status.rawValue, &first)
        field("submitted_at", d.submittedAt, &first)
        field("total_minor", d.totalMinor, &first)
        field("tracking_number", d.trackingNumber, &first)
        field("updated_at", d.updatedAt, &first)
        field("version", d.version, &first)
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func key(_ name: StaticString, _ first: inout Bool) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func field(_ name: StaticString, _ value: String?, _ first: inout Bool) {
        guard let value else { return }
        key(name, &first)
        string(value)
    }

    private mutating func field(_ name: StaticString, _ value: Int64, _ first: inout Bool) {
        key(name, &first)
        integer(value)
    }

    private mutating func field(_ name: StaticString, _ value: Date?, _ first: inout Bool) {
        guard let value else { return }
        key(name, &first)
        integer(Int64((value.timeIntervalSince1970 * 1000).rounded()))
    }

    private mutating func stringArray(_ name: StaticString, _ values: [String], _ first: inout Bool) {
        key(name, &first)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private mutating func integer(_ value: Int64) { JSONWriter.writeInt(value, to: &bytes) }

    private mutating func string(_ value: String) { JSONWriter.writeString(value, to: &bytes) }
}
