/// A read index kept as numbered generations behind one stable name, so that a reindex can
/// build the next generation beside the live one and swap it in atomically: on Elasticsearch,
/// indices `<alias>-<n>` behind the alias; embedded, files `<name>-<n>.sqlite` behind a
/// symbolic link at the read database's path.
package protocol IndexGenerations: Sendable {
    /// The stable name readers use (the alias, or the read database's path).
    var name: String { get }

    /// Every generation that exists, oldest first.
    func list() async throws -> [String]

    /// The generation behind the name (nil before there is one).
    func live() async throws -> String?

    /// Creates a generation tuned for a bulk load (Elasticsearch: refresh off, no replicas).
    /// Creating one that exists is not an error: a resumed reindex goes on filling it.
    func create(_ generation: String) async throws

    /// The index of one generation: writes and reads go to it directly, not through the name.
    func index(_ generation: String) throws -> any SearchIndexWriter

    /// Ends a bulk load: restores the settings `create` changed and makes every write visible.
    /// Also called when a load stops early, so settings are restored on every exit path.
    func finishLoading(_ generation: String) async throws

    /// How many documents a generation holds, after `finishLoading`.
    func count(_ generation: String) async throws -> Int

    /// Points the name at `generation` in one atomic step.
    func swap(to generation: String, from old: String?) async throws

    /// Deletes a generation that is not live.
    func delete(_ generation: String) async throws
}

extension IndexGenerations {
    /// The generation after the newest one: `<base>-<n+1>`.
    package func nextGeneration() async throws -> String {
        let numbers = try await list().compactMap(generationNumber)
        return generationName(numbered: (numbers.max() ?? 0) + 1)
    }

    /// The generations a reindex retires: all but the live one and the `keep - 1` newest before it.
    package func retired(keeping keep: Int, live: String) async throws -> [String] {
        let others = try await list().filter { $0 != live }
        return Array(others.dropLast(max(keep - 1, 0)))
    }

    func generationNumber(_ generation: String) -> Int? { GenerationNaming(base: name).number(of: generation) }
    func generationName(numbered number: Int) -> String { GenerationNaming(base: name).name(number) }
}

/// `<base>-<n>` (with the base's extension kept at the end: `read.sqlite` → `read-2.sqlite`).
struct GenerationNaming {
    var stem: String
    var suffix: String

    init(base: String) {
        let file = base.split(separator: "/").last.map(String.init) ?? base
        if let dot = file.lastIndex(of: "."), dot != file.startIndex {
            stem = String(file[..<dot])
            suffix = String(file[dot...])
        } else {
            stem = file
            suffix = ""
        }
    }

    func name(_ number: Int) -> String { "\(stem)-\(number)\(suffix)" }

    func number(of generation: String) -> Int? {
        guard generation.hasPrefix(stem + "-"), generation.hasSuffix(suffix) else { return nil }
        let digits = generation.dropFirst(stem.count + 1).dropLast(suffix.count)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }
}
