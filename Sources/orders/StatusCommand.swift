import ArgumentParser
import Foundation
import OrdersProjection
import OrdersSearch
import OrdersStore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The write side's head, the projection's checkpoint and lag, the read index and its dead letters."
    )

    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var store: StoreOptions
    @OptionGroup var read: ReadOptions

    struct Status: Encodable {
        struct Index: Encodable {
            var backend: String
            var location: String
            /// The concrete index behind the alias (Elasticsearch).
            var name: String?
            var documents: Int?
            var mappingVersion: Int64?
            var expectedMappingVersion: Int64?
            var problems: [String]
            enum CodingKeys: String, CodingKey {
                case backend, location, name, documents, mappingVersion = "mapping_version"
                case expectedMappingVersion = "expected_mapping_version", problems
            }
        }
        struct DeadLetter: Encodable {
            var id: Int64
            var orderID: String
            var position: Int64
            var reason: String
            var recordedAt: Date
            enum CodingKeys: String, CodingKey { case id, orderID = "order_id", position, reason, recordedAt = "recorded_at" }
        }
        var headPosition: Int64
        var checkpoint: Int64
        var lagEvents: Int64
        var lagSeconds: Double
        var index: Index
        var deadLetters: [DeadLetter]
        enum CodingKeys: String, CodingKey {
            case headPosition = "head_position", checkpoint, lagEvents = "lag_events", lagSeconds = "lag_seconds", index
            case deadLetters = "dead_letters"
        }
    }

    func run() async throws {
        let logger = store.makeLogger()
        let eventStore = try store.open()
        let readSide = try read.open(logger: logger)
        defer { readSide.close() }
        let head = try await eventStore.headPosition()
        let checkpoint = try await readSide.state.checkpoint(readSide.checkpointName)
        let oldest = head > checkpoint ? try await eventStore.readAll(after: checkpoint, limit: 1).first : nil
        var index = Status.Index(
            backend: readSide.index is ElasticsearchSearchIndex ? "elasticsearch" : "embedded", location: readSide.location, problems: [])
        // The index may be unreachable: say so, and still report the rest.
        do {
            if let elasticsearch = readSide.index as? ElasticsearchSearchIndex {
                let state = try await elasticsearch.indexState()
                index.name = state.index
                index.mappingVersion = state.mappingVersion
                index.expectedMappingVersion = state.expectedMappingVersion
            }
            index.documents = try await readSide.index.stats().documents
            index.problems = try await readSide.index.problems()
        } catch {
            index.problems.append("not reachable: \(error)")
        }
        let status = Status(
            headPosition: head, checkpoint: checkpoint, lagEvents: head - checkpoint,
            lagSeconds: oldest.map { max(0, Date().timeIntervalSince($0.recordedAt)) } ?? 0, index: index,
            deadLetters: try await readSide.state.deadLetters().map {
                .init(id: $0.id, orderID: $0.orderID, position: $0.position, reason: $0.reason, recordedAt: $0.recordedAt)
            }
        )
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
            return
        }
        print("write side      head position \(head)")
        print(
            "projection      checkpoint \(checkpoint), lag \(status.lagEvents) event(s)"
                + (status.lagEvents > 0 ? String(format: ", oldest waiting %.1f s", status.lagSeconds) : ""))
        var line = "read index      \(index.backend): \(index.location)"
        if let name = index.name { line += ", index \(name)" }
        if let documents = index.documents { line += ", \(documents) order(s)" }
        if let version = index.mappingVersion { line += ", mapping version \(version)" }
        print(line)
        for problem in index.problems { print("  ! \(problem)") }
        print("dead letters    \(status.deadLetters.count)")
        for letter in status.deadLetters.prefix(20) {
            print("  #\(letter.id) order \(letter.orderID) at position \(letter.position): \(letter.reason)")
        }
    }
}
