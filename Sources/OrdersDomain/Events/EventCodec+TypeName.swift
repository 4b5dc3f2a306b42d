extension EventCodec {
    /// The stable type names, for code outside this module that queries the log by type. Each is
    /// declared by its payload type (`EventPayload.eventType`); a new event needs no entry here.
    package enum TypeName {
        package static let orderCreated = OrderCreated.eventType
        package static let orderItemAdded = OrderItemAdded.eventType
        package static let orderItemQuantityChanged = OrderItemQuantityChanged.eventType
        package static let orderItemRemoved = OrderItemRemoved.eventType
        package static let orderSubmitted = OrderSubmitted.eventType
        package static let orderPaid = OrderPaid.eventType
        package static let orderShipped = OrderShipped.eventType
        package static let orderDelivered = OrderDelivered.eventType
        package static let orderCancelled = OrderCancelled.eventType
        package static let customerRegistered = CustomerRegistered.eventType
        package static let customerRenamed = CustomerRenamed.eventType
        package static let customerEmailChanged = CustomerEmailChanged.eventType
        package static let productAdded = ProductAdded.eventType
        package static let productRenamed = ProductRenamed.eventType
        package static let productRepriced = ProductRepriced.eventType
    }
}
