package import OrdersDomain

/// Validates and normalizes every command before its handler sees it; invalid input never
/// reaches the store.
package struct ValidationMiddleware: CommandMiddleware {
    package init() {}

    package func handle(_ command: any Command, context: CommandContext, next: CommandNext) async throws -> CommandResult {
        try await next(try command.validated(), context)
    }
}
