package import OrdersSearch

/// Generations that run a hook before every write to a generation and before the swap, so a
/// test can act (write commands, fail) at exactly those moments.
package struct HookedGenerations: IndexGenerations {
    package let inner: any IndexGenerations
    package var beforeApply: @Sendable (Int) async throws -> Void = { _ in }
    package var beforeSwap: @Sendable () async throws -> Void = {}

    package init(inner: any IndexGenerations) { self.inner = inner }

    package var name: String { inner.name }
    package func list() async throws -> [String] { try await inner.list() }
    package func live() async throws -> String? { try await inner.live() }
    package func create(_ generation: String) async throws { try await inner.create(generation) }
    package func index(_ generation: String) throws -> any SearchIndexWriter {
        ScriptedIndex(try inner.index(generation), beforeApply: beforeApply)
    }
    package func finishLoading(_ generation: String) async throws { try await inner.finishLoading(generation) }
    package func count(_ generation: String) async throws -> Int { try await inner.count(generation) }
    package func swap(to generation: String, from old: String?) async throws {
        try await beforeSwap()
        try await inner.swap(to: generation, from: old)
    }
    package func delete(_ generation: String) async throws { try await inner.delete(generation) }
}
