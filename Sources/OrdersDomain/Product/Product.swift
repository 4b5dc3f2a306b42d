/// The product aggregate. SKU uniqueness is enforced by the event store in the append transaction.
public struct Product: EventSourced, Hashable {
    public let id: ProductID
    public let sku: String
    public private(set) var name: String
    public private(set) var price: Money

    public init?(first event: ProductEvent) {
        guard case .added(let e) = event else { return nil }
        id = e.productID
        sku = e.sku
        name = e.name
        price = e.price
    }

    public mutating func apply(_ event: ProductEvent) {
        switch event {
        case .added: break
        case .renamed(let e): name = e.name
        case .repriced(let e): price = e.price
        }
    }

    public static func add(_ command: AddProduct) -> [ProductEvent] {
        [.added(ProductAdded(productID: command.productID, sku: command.sku, name: command.name, price: command.price))]
    }

    public func rename(_ command: RenameProduct) -> [ProductEvent] {
        command.name == name ? [] : [.renamed(ProductRenamed(name: command.name))]
    }

    /// Sets a new price. Orders keep the unit price an item had when it was added.
    public func reprice(_ command: RepriceProduct) -> [ProductEvent] {
        command.price == price ? [] : [.repriced(ProductRepriced(price: command.price))]
    }

    public static func event(from event: DomainEvent) -> ProductEvent? {
        guard case .product(let event) = event else { return nil }
        return event
    }

    public static func domainEvent(_ event: ProductEvent) -> DomainEvent { .product(event) }
}
