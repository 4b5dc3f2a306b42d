import Foundation
import Testing

/// `orders backup` and `orders restore` as an operator runs them (issue 23, item 1).
extension CLITests {
    @Test func aRestoredStoreGetsItsReadSideRebuiltAndAnUnrebuiltOneIsRefused() throws {
        try Self.withDirectory { directory in
            func run(_ arguments: [String], expect status: Int32 = 0) throws -> Output {
                let output = try Self.run(arguments, in: directory)
                #expect(output.status == status, "\(arguments): \(output.stderr)")
                return output
            }
            // Given a seeded store, projected, and backed up
            _ = try run(["seed", "--customers", "5", "--products", "5", "--orders", "30", "--durability", "normal"])
            _ = try run(["project", "--once"])
            let backup = try run(["backup", "--to", "backups/one.sqlite", "--json"])
            let report = try #require(try JSONSerialization.jsonObject(with: Data(backup.stdout.utf8)) as? [String: Any])
            let head = try #require(report["head_position"] as? Int)
            #expect(report["events"] as? Int == head)
            #expect((report["log_checksum"] as? String)?.count == 64)
            #expect(try run(["status"]).stdout.contains("last backup"))
            let recorded = try JSONSerialization.jsonObject(with: Data(try run(["status", "--json"]).stdout.utf8)) as? [String: Any]
            let last = try #require(recorded?["last_backup"] as? [String: Any])
            #expect((last["report"] as? [String: Any])?["log_checksum"] as? String == report["log_checksum"] as? String)
            #expect(last["path"] as? String == "backups/one.sqlite")
            // and more orders after it
            _ = try run(["seed", "--customers", "2", "--products", "2", "--orders", "10", "--seed", "7", "--durability", "normal"])
            _ = try run(["project", "--once"])
            #expect(try run(["status"]).stdout.contains("40 order(s)"))

            // When it is restored
            let restored = try run(["restore", "--from", "backups/one.sqlite"])
            // Then the store is the backup, the one replaced is kept, and the read side holds the backup's orders only
            #expect(restored.stdout.contains("restored \(head) events"), "\(restored.stdout)")
            #expect(restored.stdout.contains("the store it replaced is kept at data/orders.sqlite.before-restore-"), "\(restored.stdout)")
            let status = try run(["status"]).stdout
            #expect(status.contains("head position \(head)\n"), "\(status)")
            #expect(status.contains("30 order(s)"), "\(status)")
            #expect(status.contains("lag 0 event(s)"), "\(status)")

            // And a read side left as it was (ahead of the restored log) is refused, never served
            _ = try run(["seed", "--customers", "2", "--products", "2", "--orders", "10", "--seed", "8", "--durability", "normal"])
            _ = try run(["project", "--once"])
            _ = try run(["restore", "--from", "backups/one.sqlite", "--skip-read-side"])
            let refused = try run(["project", "--once"], expect: 1)
            #expect(refused.stderr.contains("the read side is ahead of the event log"), "\(refused.stderr)")
            #expect(try run(["status"]).stdout.contains("! the read side is ahead of the event log"))
            // until it is rebuilt
            _ = try run(["reindex"])
            _ = try run(["project", "--once"])
        }
    }
}
