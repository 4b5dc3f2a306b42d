import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import OrdersDomain
import OrdersStore

/// The write side over HTTP: each route builds a command and sends it through the bus.
/// `Idempotency-Key` becomes the command id (a retried request appends once); `If-Match` pins
/// the aggregate's stream version (412 when it moved on).
struct CommandRoutes {
    let bus: CommandBus

    func register(on router: some RouterMethods<APIContext>) {
        // Customers and products are the shop's: a customer-scoped caller does not see them.
        let catalog = router.group().add(middleware: NotForCustomers())
        registerCatalog(on: catalog)
        registerOrders(on: router)
    }

    private func registerCatalog(on router: some RouterMethods<APIContext>) {
        router.post("/customers") { request, context in
            let body = try await StrictJSON.decode(CreateCustomerBody.self, from: request)
            let id = try newIdentifier(body.customerID, CustomerID.self, for: "customer", request, context)
            return try await send(RegisterCustomer(customerID: id, name: body.name, email: body.email), request, context, created: true)
        }
        router.patch("/customers/:id") { request, context in
            let id = try identifier(context.parameters.get("id"), CustomerID.self)
            let body = try await StrictJSON.decode(UpdateCustomerBody.self, from: request)
            guard body.name != nil || body.email != nil else { throw APIError.badRequest("give 'name' or 'email'") }
            let rename = body.name.map { RenameCustomer(customerID: id, name: $0) }
            let changeEmail = body.email.map { ChangeCustomerEmail(customerID: id, email: $0) }
            // Both are checked before either is sent: malformed input changes nothing.
            _ = try domain { try rename?.validated() }
            _ = try domain { try changeEmail?.validated() }
            var response = Response(status: .ok)
            if let rename { response = try await send(rename, request, context) }
            if let changeEmail { response = try await send(changeEmail, request, context, pinned: rename == nil, part: "email") }
            return response
        }
        router.post("/products") { request, context in
            let body = try await StrictJSON.decode(CreateProductBody.self, from: request)
            let id = try newIdentifier(body.productID, ProductID.self, for: "product", request, context)
            let price = Money(amountMinor: body.priceMinor, currency: try currency(body.currency))
            return try await send(AddProduct(productID: id, sku: body.sku, name: body.name, price: price), request, context, created: true)
        }
        router.patch("/products/:id") { request, context in
            let id = try identifier(context.parameters.get("id"), ProductID.self)
            let body = try await StrictJSON.decode(UpdateProductBody.self, from: request)
            guard body.name != nil || body.priceMinor != nil else { throw APIError.badRequest("give 'name' or 'price_minor'") }
            guard (body.priceMinor == nil) == (body.currency == nil) else {
                throw APIError.badRequest("'price_minor' and 'currency' go together", field: body.currency == nil ? "currency" : "price_minor")
            }
            let rename = body.name.map { RenameProduct(productID: id, name: $0) }
            var reprice: RepriceProduct?
            if let amount = body.priceMinor, let code = body.currency {
                reprice = RepriceProduct(productID: id, price: Money(amountMinor: amount, currency: try currency(code)))
            }
            // Both are checked before either is sent: malformed input changes nothing.
            _ = try domain { try rename?.validated() }
            _ = try domain { try reprice?.validated() }
            var response = Response(status: .ok)
            if let rename { response = try await send(rename, request, context) }
            if let reprice { response = try await send(reprice, request, context, pinned: rename == nil, part: "price") }
            return response
        }
    }

    private func registerOrders(on router: some RouterMethods<APIContext>) {
        router.post("/orders") { request, context in
            let body = try await StrictJSON.decode(CreateOrderBody.self, from: request)
            let id = try newIdentifier(body.orderID, OrderID.self, for: "order", request, context)
            let customer = try identifier(body.customerID, CustomerID.self)
            let shipping: ShippingAddress
            do throws(DomainError) {
                shipping = try ShippingAddress(city: body.shipping.city, country: body.shipping.country)
            } catch {
                // The address names `city` or `country`; the body has them under `shipping`.
                var refusal = APIError(error)
                refusal.field = error.field.map { "shipping.\($0)" }
                throw refusal
            }
            return try await send(
                CreateOrder(orderID: id, customerID: customer, shipping: shipping, notes: body.notes, currency: try currency(body.currency)), request,
                context, created: true
            )
        }
        router.post("/orders/:id/items") { request, context in
            let id = try identifier(context.parameters.get("id"), OrderID.self)
            let body = try await StrictJSON.decode(AddItemBody.self, from: request)
            return try await send(
                AddItem(orderID: id, productID: try identifier(body.productID, ProductID.self), quantity: body.quantity), request, context)
        }
        router.put("/orders/:id/items/:product_id") { request, context in
            let id = try identifier(context.parameters.get("id"), OrderID.self)
            let product = try identifier(context.parameters.get("product_id"), ProductID.self)
            let body = try await StrictJSON.decode(QuantityBody.self, from: request)
            return try await send(ChangeQuantity(orderID: id, productID: product, quantity: body.quantity), request, context)
        }
        router.delete("/orders/:id/items/:product_id") { request, context in
            let id = try identifier(context.parameters.get("id"), OrderID.self)
            let product = try identifier(context.parameters.get("product_id"), ProductID.self)
            return try await send(RemoveItem(orderID: id, productID: product), request, context)
        }
        router.post("/orders/:id/submit") { request, context in
            try await send(SubmitOrder(orderID: try identifier(context.parameters.get("id"), OrderID.self)), request, context)
        }
        router.post("/orders/:id/pay") { request, context in
            let id = try identifier(context.parameters.get("id"), OrderID.self)
            let body = try await StrictJSON.decode(PayBody.self, from: request)
            let amount = Money(amountMinor: body.amountMinor, currency: try currency(body.currency))
            return try await send(PayOrder(orderID: id, amount: amount, paymentReference: body.paymentReference), request, context)
        }
        router.post("/orders/:id/ship") { request, context in
            let id = try identifier(context.parameters.get("id"), OrderID.self)
            let body = try await StrictJSON.decode(ShipBody.self, from: request)
            return try await send(ShipOrder(orderID: id, carrier: body.carrier, trackingNumber: body.trackingNumber), request, context)
        }
        router.post("/orders/:id/deliver") { request, context in
            try await send(DeliverOrder(orderID: try identifier(context.parameters.get("id"), OrderID.self)), request, context)
        }
        router.post("/orders/:id/cancel") { request, context in
            let id = try identifier(context.parameters.get("id"), OrderID.self)
            let body = try await StrictJSON.decode(CancelBody.self, from: request)
            return try await send(CancelOrder(orderID: id, reason: body.reason), request, context)
        }
    }

    /// Sends the command with the request's metadata and renders the outcome. A request that
    /// sends two commands (a PATCH of a name and an email) names the second by its `part`, so
    /// that both have a command id of their own under one `Idempotency-Key`.
    private func send(
        _ command: some Command, _ request: Request, _ context: APIContext, created: Bool = false, pinned: Bool = true, part: String? = nil
    ) async throws -> Response {
        let scope = context.identity?.customerID
        let commandID = commandID(request, context).map { key in part.map { "\(key)#\($0)" } ?? key }
        var metadata = CommandMetadata(commandID: commandID, correlationID: request.headers[.requestID], customerScope: scope)
        if pinned, let ifMatch = request.headers[.ifMatch] {
            guard let version = Int(ifMatch.trimmingCharacters(in: CharacterSet(charactersIn: "\" W/"))), version >= 0 else {
                throw APIError.badRequest("If-Match must be a stream version such as \"3\"", field: "If-Match")
            }
            metadata.expectedVersion = version
        }
        let result: CommandResult
        do {
            result = try await bus.send(command, metadata: metadata)
        } catch let error as DomainError {
            throw APIError(error)
        } catch let error as EventStoreError {
            throw APIError(error, pinnedVersion: metadata.expectedVersion != nil)
        }
        var headers = HTTPFields()
        headers[.eTag] = "\"\(result.streamVersion)\""
        return try JSONResponse.make(
            CommandResponse(id: result.aggregateID, streamVersion: result.streamVersion, position: result.position),
            status: created && !result.replayed ? .created : .ok, headers: headers
        )
    }
}

/// The command id of a request: its `Idempotency-Key`. A customer-scoped caller's keys are its
/// own: another caller's key replays nothing of theirs to it.
func commandID(_ request: Request, _ context: APIContext) -> String? {
    request.headers[.idempotencyKey].map { key in context.identity?.customerID.map { "customer:\($0.rawValue):\(key)" } ?? key }
}

/// The id of an aggregate a request creates: the one the client chose; else, under an
/// `Idempotency-Key`, one derived from the key (a retry then targets the same stream and replays
/// the first outcome instead of creating a second aggregate); else a new UUID.
func newIdentifier<Tag>(
    _ raw: String?, _ type: Identifier<Tag>.Type, for kind: String, _ request: Request, _ context: APIContext
) throws -> Identifier<Tag> {
    if raw == nil, let commandID = commandID(request, context) {
        return try domain { try Identifier<Tag>(derivedIdentifier(kind: kind, commandID: commandID)) }
    }
    return try identifier(raw, type)
}

/// A UUID (version 8, RFC 9562) from the first 16 bytes of SHA-256 over the aggregate's kind and
/// the command id: the same key always names the same new aggregate, and different keys
/// different ones.
func derivedIdentifier(kind: String, commandID: String) -> String {
    var bytes = Array(SHA256.hash(data: Data("orders.new-id\u{0}\(kind)\u{0}\(commandID)".utf8)).prefix(16))
    bytes[6] = (bytes[6] & 0x0F) | 0x80
    bytes[8] = (bytes[8] & 0x3F) | 0x80
    let uuid = UUID(
        uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
    return uuid.uuidString.lowercased()
}

/// A client-chosen id, or a new UUID when none is given.
func identifier<Tag>(_ raw: String?, _ type: Identifier<Tag>.Type) throws -> Identifier<Tag> {
    try domain { try Identifier<Tag>(raw ?? UUID().uuidString.lowercased()) }
}

func currency(_ code: String) throws -> Currency { try domain { try Currency(code.uppercased()) } }

/// Runs domain validation, reporting its refusal as an API error.
func domain<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as DomainError {
        throw APIError(error)
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let requestID = HTTPField.Name("X-Request-ID")!
}
