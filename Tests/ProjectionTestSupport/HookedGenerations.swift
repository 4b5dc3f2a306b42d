public import OrdersSearch

/// Generations that run a hook before every write to a generation and before the swap, so a
/// test can act (write commands, fail) at exactly those moments.
public struct HookedGenerations: IndexGenerations {
    public let inner: any IndexGenerations
    public var beforeApply: @Sendable (Int) async throws -> Void = { _ in }
    public var beforeSwap: @Sendable () async throws -> Void = {}

    public init(inner: any IndexGenerations) { self.inner = inner }

    public var name: String { inner.name }
    public func list() async throws -> [String] { try await inner.list() }
    public func live() async throws -> String? { try await inner.live() }
    public func create(_ generation: String) async throws { try await inner.create(generation) }
    public func index(_ generation: String) throws -> any SearchIndexWriter {
        ScriptedIndex(try inner.index(generation), beforeApply: beforeApply)
    }
    public func finishLoading(_ generation: String) async throws { try await inner.finishLoading(generation) }
    public func count(_ generation: String) async throws -> Int { try await inner.count(generation) }
    public func swap(to generation: String, from old: String?) async throws {
        try await beforeSwap()
        try await inner.swap(to: generation, from: old)
    }
    public func delete(_ generation: String) async throws { try await inner.delete(generation) }
}
