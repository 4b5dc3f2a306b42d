/// The product aggregate. SKU uniqueness is enforced by the event store in the append transaction.
package struct Product: EventSourced, Hashable {
    package let id: ProductID
    package let sku: String
    package private(set) var name: String
    package private(set) var price: Money

    package init?(first event: ProductEvent) {
        guard case .added(let e) = event else { return nil }
        id = e.productID
        sku = e.sku
        name = e.name
        price = e.price
    }

    package mutating func apply(_ event: ProductEvent) {
        switch event {
        case .added: break
        case .renamed(let e): name = e.name
        case .repriced(let e): price = e.price
        }
    }

    package static func add(_ command: AddProduct) -> [ProductEvent] {
        [.added(ProductAdded(productID: command.productID, sku: command.sku, name: command.name, price: command.price))]
    }

    package func rename(_ command: RenameProduct) -> [ProductEvent] {
        command.name == name ? [] : [.renamed(ProductRenamed(name: command.name))]
    }

    /// Sets a new price. Orders keep the unit price an item had when it was added.
    package func reprice(_ command: RepriceProduct) -> [ProductEvent] {
        command.price == price ? [] : [.repriced(ProductRepriced(price: command.price))]
    }

    package static func event(from event: DomainEvent) -> ProductEvent? {
        guard case .product(let event) = event else { return nil }
        return event
    }

    package static func domainEvent(_ event: ProductEvent) -> DomainEvent { .product(event) }
}
