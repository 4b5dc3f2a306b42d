public import OrdersDomain

/// Validates and normalizes every command before its handler sees it; invalid input never
/// reaches the store.
public struct ValidationMiddleware: CommandMiddleware {
    public init() {}

    public func handle(_ command: any Command, context: CommandContext, next: CommandNext) async throws -> CommandResult {
        try await next(try command.validated(), context)
    }
}
