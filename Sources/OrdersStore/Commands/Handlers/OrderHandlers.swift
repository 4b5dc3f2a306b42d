import OrdersDomain

/// One handler per order command: load the order, decide with the aggregate, append.
enum OrderHandlers {
    static func register(in handlers: inout CommandHandlers, repository: AggregateRepository) {
        handlers.register(CreateOrder.self) { command, context in
            try await repository.execute(Order.self, command, context: context, creates: true) { loaded in
                if let scope = context.metadata.customerScope, scope != command.customerID {
                    throw DomainError(.notFound, "customer \(command.customerID) does not exist", field: "customer_id")
                }
                guard loaded.state == nil else {
                    throw DomainError(.alreadyExists, "order \(command.orderID) already exists", field: "order_id")
                }
                let customer = try await repository.load(Customer.self, streamID: command.customerID.streamID).state
                return Decision(try Order.create(command, customer: customer))
            }
        }
        handlers.register(AddItem.self) { command, context in
            try await repository.execute(Order.self, command, context: context) { loaded in
                let order = try existing(loaded, command.orderID, context)
                // The item copies the product's current price: the append checks that the product
                // is still at the version read, so a concurrent reprice makes this decide again.
                let product = try await repository.load(Product.self, streamID: command.productID.streamID)
                return Decision(
                    try order.addItem(command, product: product.state), reading: [command.productID.streamID: product.version]
                )
            }
        }
        handlers.register(ChangeQuantity.self) { command, context in
            try await repository.execute(Order.self, command, context: context) { loaded in
                Decision(try existing(loaded, command.orderID, context).changeQuantity(command))
            }
        }
        handlers.register(RemoveItem.self) { command, context in
            try await repository.execute(Order.self, command, context: context) { loaded in
                Decision(try existing(loaded, command.orderID, context).removeItem(command))
            }
        }
        handlers.register(SubmitOrder.self) { command, context in
            try await repository.execute(Order.self, command, context: context) { loaded in
                Decision(try existing(loaded, command.orderID, context).submit(command))
            }
        }
        handlers.register(PayOrder.self) { command, context in
            try await repository.execute(Order.self, command, context: context) { loaded in
                Decision(try existing(loaded, command.orderID, context).pay(command))
            }
        }
        handlers.register(ShipOrder.self) { command, context in
            try await repository.execute(Order.self, command, context: context) { loaded in
                Decision(try existing(loaded, command.orderID, context).ship(command))
            }
        }
        handlers.register(DeliverOrder.self) { command, context in
            try await repository.execute(Order.self, command, context: context) { loaded in
                Decision(try existing(loaded, command.orderID, context).deliver(command))
            }
        }
        handlers.register(CancelOrder.self) { command, context in
            try await repository.execute(Order.self, command, context: context) { loaded in
                Decision(try existing(loaded, command.orderID, context).cancel(command))
            }
        }
    }

    /// The order, if it exists and the caller may see it: another customer's order, for a
    /// customer-scoped caller, is as if it did not exist.
    private static func existing(_ loaded: Loaded<Order>, _ id: OrderID, _ context: CommandContext) throws(DomainError) -> Order {
        guard let order = loaded.state, context.metadata.customerScope.map({ $0 == order.customerID }) ?? true else {
            throw DomainError(.notFound, "order \(id) does not exist", field: "order_id")
        }
        return order
    }
}
