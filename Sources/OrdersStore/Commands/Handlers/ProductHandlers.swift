import OrdersDomain

/// One handler per product command. SKUs are claimed as unique keys in the append transaction.
enum ProductHandlers {
    static func register(in handlers: inout CommandHandlers, repository: AggregateRepository) {
        handlers.register(AddProduct.self) { command, context in
            try await repository.execute(Product.self, command, context: context, creates: true) { loaded in
                guard loaded.state == nil else {
                    throw DomainError(.alreadyExists, "product \(command.productID) already exists", field: "product_id")
                }
                return Decision(Product.add(command), claims: [.productSKU(command.sku)])
            }
        }
        handlers.register(RenameProduct.self) { command, context in
            try await repository.execute(Product.self, command, context: context) { loaded in
                Decision(try existing(loaded, command.productID).rename(command))
            }
        }
        handlers.register(RepriceProduct.self) { command, context in
            try await repository.execute(Product.self, command, context: context) { loaded in
                Decision(try existing(loaded, command.productID).reprice(command))
            }
        }
    }

    private static func existing(_ loaded: Loaded<Product>, _ id: ProductID) throws(DomainError) -> Product {
        guard let product = loaded.state else { throw DomainError(.notFound, "product \(id) does not exist", field: "product_id") }
        return product
    }
}
