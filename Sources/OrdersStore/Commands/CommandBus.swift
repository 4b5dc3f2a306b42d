package import Logging
package import OrdersDomain

/// The next step of the middleware chain.
package typealias CommandNext = @Sendable (any Command, CommandContext) async throws -> CommandResult

/// Wraps command handling: validation, logging, metrics, ... Each middleware calls `next` to go on.
package protocol CommandMiddleware: Sendable {
    func handle(_ command: any Command, context: CommandContext, next: CommandNext) async throws -> CommandResult
}

/// Routes each typed command through the middleware chain to its one handler.
///
/// Errors: `DomainError` when the input is invalid or a rule refuses the command;
/// `EventStoreError` with `concurrencyConflict` when `expectedVersion` does not match (or the
/// bounded retries ran out), and `database` when storage failed.
package struct CommandBus: Sendable {
    private let chain: CommandNext
    private let clock: any WallClock
    private let logger: Logger

    package init(
        handlers: CommandHandlers, middleware: [any CommandMiddleware], clock: any WallClock = SystemWallClock(), logger: Logger
    ) {
        let table = handlers.table
        var chain: CommandNext = { command, context in
            guard let handler = table[ObjectIdentifier(type(of: command))] else {
                preconditionFailure("no handler registered for \(type(of: command))")
            }
            return try await handler(command, context)
        }
        for layer in middleware.reversed() {
            let next = chain
            chain = { command, context in try await layer.handle(command, context: context, next: next) }
        }
        self.chain = chain
        self.clock = clock
        self.logger = logger
    }

    package func send(_ command: some Command, metadata: CommandMetadata = CommandMetadata()) async throws -> CommandResult {
        let context = CommandContext(metadata: metadata, logger: logger, now: clock.now())
        return try await chain(command, context)
    }
}

/// The handler table: one handler per command type.
package struct CommandHandlers: Sendable {
    fileprivate var table: [ObjectIdentifier: CommandNext] = [:]

    package init() {}

    package mutating func register<C: Command>(
        _ type: C.Type, _ handler: @escaping @Sendable (C, CommandContext) async throws -> CommandResult
    ) {
        precondition(table[ObjectIdentifier(type)] == nil, "a handler for \(C.self) is already registered")
        table[ObjectIdentifier(type)] = { command, context in try await handler(command as! C, context) }
    }
}
