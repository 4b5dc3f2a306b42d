import Foundation
import GRDB
import OrdersDomain
import OrdersStore
import OrdersTestSupport
import Synchronization
import Testing

/// Backups of the write store while commands go on, their verification, and restores that
/// never replace a store in use.
@Suite(.timeLimit(.minutes(2))) struct StoreBackupTests {
    @Test func aBackupDuringWritesHoldsEveryCommandAcknowledgedBeforeItAndVerifies() async throws {
        try await TestStore.with { t in
            // Given writers that keep registering customers
            for n in 0..<50 { try await t.registerCustomer("before-\(n)") }
            let stop = Atomic(false)
            let writers = Task {
                var n = 0
                while !stop.load(ordering: .relaxed) {
                    try await t.registerCustomer("during-\(n)")
                    n += 1
                }
                return n
            }
            while try await t.store.headPosition() < 80 { await Task.yield() }
            // When a backup is taken while they write
            let acknowledged = try await t.store.headPosition()
            let path = t.directory.appendingPathComponent("backups/one.sqlite").path
            let report = try StoreBackup.backup(t.database, to: path)
            stop.store(true, ordering: .relaxed)
            let written = try await writers.value
            // Then the copy holds every command acknowledged before it began, without a hole,
            // and verifies on its own
            #expect(report.headPosition >= acknowledged)
            #expect(report.events == report.headPosition)
            #expect(written > 0)
            #expect(
                try StoreBackup.verify(path: path)
                    == BackupReport(
                        path: path, headPosition: report.headPosition, events: report.events, logChecksum: report.logChecksum,
                        bytes: report.bytes, seconds: 0))
            // And it is the store's log up to that head
            let source = try await t.database.writer.read { db in try StoreBackup.logChecksum(db, through: report.headPosition) }
            #expect(source.checksum == report.logChecksum)
            // And a backup never overwrites a file
            #expect(throws: BackupError.self) { try StoreBackup.backup(t.database, to: path) }
            #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
        }
    }

    @Test func aBackupThatDoesNotVerifyIsRefused() async throws {
        try await TestStore.with { t in
            for n in 0..<20 { try await t.registerCustomer("c-\(n)") }
            let path = t.directory.appendingPathComponent("copy.sqlite").path
            _ = try StoreBackup.backup(t.database, to: path)
            // A hole in the log
            let holed = t.directory.appendingPathComponent("holed.sqlite").path
            try FileManager.default.copyItem(atPath: path, toPath: holed)
            try await DatabaseQueue(path: holed).write { db in try db.execute(sql: "DELETE FROM events WHERE position = 7") }
            let hole = #expect(throws: BackupError.self) { try StoreBackup.verify(path: holed) }
            #expect(hole?.description.contains("holes") == true)
            // Damaged pages
            let damaged = t.directory.appendingPathComponent("damaged.sqlite").path
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            for offset in stride(from: 4096, to: bytes.count, by: 4096) {
                bytes.replaceSubrange(offset..<(offset + 64), with: Data(repeating: 0xA5, count: 64))
            }
            try bytes.write(to: URL(fileURLWithPath: damaged))
            #expect(throws: BackupError.self) { try StoreBackup.verify(path: damaged) }
            // Not a store at all
            let other = t.directory.appendingPathComponent("other.sqlite").path
            try await DatabaseQueue(path: other).write { db in try db.execute(sql: "CREATE TABLE t (x)") }
            let notAStore = #expect(throws: BackupError.self) { try StoreBackup.verify(path: other) }
            #expect(notAStore?.description.contains("not an order store") == true)
            // And restoring any of them changes nothing
            let target = t.directory.appendingPathComponent("target/orders.sqlite").path
            for bad in [holed, damaged, other] {
                #expect(throws: BackupError.self) { _ = try StoreBackup.restore(from: bad, to: target) }
            }
            #expect(!FileManager.default.fileExists(atPath: target))
        }
    }

    /// Runs `body` while an event store of `path` is in use, as a command holds one.
    static func whileInUse(_ path: String, _ body: () throws -> Void) async throws {
        let user = EventStore(database: try StoreDatabase.open(StoreConfiguration(path: path)))
        _ = try await user.identity()
        try body()
        withExtendedLifetime(user) {}
    }

    @Test func aRestoreRefusesAStoreInUseAndKeepsTheOneItReplaces() async throws {
        try await TestStore.with { t in
            for n in 0..<10 { try await t.registerCustomer("c-\(n)") }
            let backup = t.directory.appendingPathComponent("backup.sqlite").path
            let report = try StoreBackup.backup(t.database, to: backup)
            let target = t.directory.appendingPathComponent("live/orders.sqlite").path
            // Given a store another "process" has open (its hold on the file)
            // (as a command keeps it: through its event store, the database value long gone)
            try await Self.whileInUse(target) {
                // Then a restore is refused, and the store is untouched
                let refused = #expect(throws: BackupError.self) { _ = try StoreBackup.restore(from: backup, to: target) }
                #expect(refused?.description.contains("running process") == true)
                #expect(!FileManager.default.fileExists(atPath: target + ".restoring"))
            }
            // And while a restore holds it, no process opens it
            let restoring = try #require(try StoreHold.exclusive(t.directory.appendingPathComponent("other.sqlite").path))
            #expect(throws: StoreHoldError.self) {
                _ = try StoreDatabase.open(StoreConfiguration(path: t.directory.appendingPathComponent("other.sqlite").path))
            }
            withExtendedLifetime(restoring) {}
            // When nothing holds it any more
            var done: StoreBackup.Restored? = try StoreBackup.restore(from: backup, to: target, now: TestStore.start)
            let (restored, kept) = (done!.report, done!.kept)
            // (while the restore's hold is kept, nothing else restores or opens it)
            #expect(throws: BackupError.self) { _ = try StoreBackup.restore(from: backup, to: target) }
            done = nil
            // Then it is the backup, and the store it replaced is kept beside it
            #expect(restored.logChecksum == report.logChecksum)
            #expect(try StoreBackup.verify(path: target).logChecksum == report.logChecksum)
            #expect(kept == target + ".before-restore-2026-01-15T100000Z")
            #expect(FileManager.default.fileExists(atPath: try #require(kept)))
            // And a second restore within the same second keeps the store it replaces too
            let keptAgain = try StoreBackup.restore(from: backup, to: target, now: TestStore.start).kept
            #expect(keptAgain == target + ".before-restore-2026-01-15T100000Z-2")
            #expect(FileManager.default.fileExists(atPath: try #require(kept)))
        }
    }
}
