extension EventCodec {
    /// The stable type names, for code outside this module that queries the log by type. Each is
    /// declared by its payload type (`EventPayload.eventType`); a new event needs no entry here.
    public enum TypeName {
        public static let orderCreated = OrderCreated.eventType
        public static let orderItemAdded = OrderItemAdded.eventType
        public static let orderItemQuantityChanged = OrderItemQuantityChanged.eventType
        public static let orderItemRemoved = OrderItemRemoved.eventType
        public static let orderSubmitted = OrderSubmitted.eventType
        public static let orderPaid = OrderPaid.eventType
        public static let orderShipped = OrderShipped.eventType
        public static let orderDelivered = OrderDelivered.eventType
        public static let orderCancelled = OrderCancelled.eventType
        public static let customerRegistered = CustomerRegistered.eventType
        public static let customerRenamed = CustomerRenamed.eventType
        public static let customerEmailChanged = CustomerEmailChanged.eventType
        public static let productAdded = ProductAdded.eventType
        public static let productRenamed = ProductRenamed.eventType
        public static let productRepriced = ProductRepriced.eventType
    }
}
