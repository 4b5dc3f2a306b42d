import Foundation
import Logging
import OrdersAPI
import OrdersStore
import OrdersTestSupport
import ServiceLifecycleTestKit
import TestClocks
import Testing

/// `serve --backup-dir DIR --backup-every 1h --backup-keep N`, on a test clock.
@Suite(.timeLimit(.minutes(2))) struct BackupScheduleTests {
    @Test func aBackupEveryIntervalTheNewestKeptEachRecordedAndAFailureRetriedNextTime() async throws {
        try await TestStore.with { t in
            for n in 0..<5 { try await t.registerCustomer("c-\(n)") }
            let folder = t.directory.appendingPathComponent("backups")
            let clock = ManualClock()
            let schedule = BackupSchedule(
                database: t.database, configuration: .init(directory: folder.path, interval: .seconds(3600), keep: 2), clock: clock,
                wallClock: t.clock, logger: Logger(label: "backups"))
            await testGracefulShutdown { shutdown in
                let running = Task { await schedule.run() }
                // When three hours pass, an order a time
                for hour in 1...3 {
                    await clock.sleepers(atLeast: 1)
                    _ = try? await t.registerCustomer("hour-\(hour)")
                    t.clock.advance(by: 3600)
                    clock.advance(by: .seconds(3600))
                    // (the backup runs, is recorded, and the schedule sleeps again)
                    while (try? StoreBackup.lastRecorded(in: t.database.writer))?.finishedAt != t.clock.now() { await Task.yield() }
                }
                // (the last turn done: pruned, and asleep again)
                await clock.sleepers(atLeast: 1)
                // Then the newest two are kept, each verifying, named by their time
                let kept = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.sorted() ?? []
                #expect(kept == ["orders-2026-01-15T120000Z.sqlite", "orders-2026-01-15T130000Z.sqlite"])
                let last = try? StoreBackup.verify(path: folder.appendingPathComponent("orders-2026-01-15T130000Z.sqlite").path)
                #expect(last?.headPosition == 8, "the last backup holds the customer registered in its hour")
                let recorded = try? StoreBackup.lastRecorded(in: t.database.writer)
                #expect(recorded?.error == nil && recorded?.report?.headPosition == 8)

                // And when the folder cannot be written, the failure is recorded and the next turn tries again
                try? FileManager.default.removeItem(at: folder)
                try? Data("not a folder".utf8).write(to: folder)
                #expect(await schedule.takeOne() == nil)
                let failure = try? StoreBackup.lastRecorded(in: t.database.writer)
                #expect(failure?.report == nil && failure?.error != nil)
                try? FileManager.default.removeItem(at: folder)
                #expect(await schedule.takeOne() != nil)

                shutdown.triggerGracefulShutdown()
                await running.value
            }
        }
    }
}
