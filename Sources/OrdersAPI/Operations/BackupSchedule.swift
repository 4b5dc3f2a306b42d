import Dispatch
import Foundation
package import Logging
import Metrics
package import OrdersStore
import ServiceLifecycle

/// `serve --backup-dir DIR --backup-every 1h --backup-keep 24`: a verified online backup of the
/// write store every `interval`, named by its time (`orders-<UTC time>.sqlite`), keeping the
/// newest `keep` in the folder. Each one is recorded in the store (`orders status`) and counted
/// (`/metrics`); a failed one is logged and retried at the next turn.
package struct BackupSchedule: Service {
    package struct Configuration: Sendable {
        package var directory: String
        package var interval: Duration
        package var keep: Int

        package init(directory: String, interval: Duration, keep: Int) {
            self.directory = directory
            self.interval = interval
            self.keep = keep
        }
    }

    let database: StoreDatabase
    let configuration: Configuration
    let clock: any Clock<Duration>
    let wallClock: any WallClock
    let logger: Logger
    private let lastSuccess = Gauge(label: "orders_backup_last_success_timestamp_seconds")
    private let succeeded = Counter(label: "orders_backups_total", dimensions: [("outcome", "ok")])
    private let failed = Counter(label: "orders_backups_total", dimensions: [("outcome", "failed")])

    package init(
        database: StoreDatabase, configuration: Configuration, clock: any Clock<Duration> = ContinuousClock(),
        wallClock: any WallClock = SystemWallClock(), logger: Logger
    ) {
        self.database = database
        self.configuration = configuration
        self.clock = clock
        self.wallClock = wallClock
        self.logger = logger
    }

    /// A backup every interval until graceful shutdown (the first one interval after start).
    package func run() async {
        if let last = try? StoreBackup.lastRecorded(in: database.writer), last.error == nil {
            lastSuccess.record(last.finishedAt.timeIntervalSince1970)
        }
        while (try? await cancelWhenGracefulShutdown({ try await clock.sleep(for: configuration.interval) })) != nil {
            _ = await takeOne()
        }
    }

    /// Takes one backup now, then deletes the oldest beyond `keep`; nil when it failed.
    package func takeOne() async -> BackupReport? {
        let now = wallClock.now()
        let stamp = StoreBackup.fileStamp(now)
        let path = URL(fileURLWithPath: configuration.directory).appendingPathComponent("orders-\(stamp).sqlite").path
        let (database, wallClock) = (database, wallClock)
        do {
            // SQLite's backup blocks its thread: it runs off the tasks' threads.
            let report = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global(qos: .utility).async {
                    continuation.resume(with: Result { try StoreBackup.backupRecorded(database, to: path, now: { wallClock.now() }) })
                }
            }
            succeeded.increment()
            lastSuccess.record(now.timeIntervalSince1970)
            logger.notice(
                "backed up the store",
                metadata: [
                    "backup.path": "\(path)", "backup.head_position": "\(report.headPosition)", "backup.bytes": "\(report.bytes)",
                    "backup.seconds": "\(report.seconds)",
                ])
            prune()
            return report
        } catch {
            failed.increment()
            logger.error(
                "the scheduled backup failed; the next is tried at the next turn", metadata: ["backup.path": "\(path)", "error": "\(error)"])
            return nil
        }
    }

    /// Deletes the oldest scheduled backups beyond `keep` (only files this schedule names).
    private func prune() {
        let folder = URL(fileURLWithPath: configuration.directory)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        let backups = names.filter { $0.hasPrefix("orders-") && $0.hasSuffix(".sqlite") }.sorted()
        for old in backups.dropLast(configuration.keep) {
            do {
                try FileManager.default.removeItem(at: folder.appendingPathComponent(old))
                logger.info("deleted an old backup", metadata: ["backup.path": "\(folder.appendingPathComponent(old).path)"])
            } catch {
                logger.warning("could not delete an old backup", metadata: ["backup.path": "\(old)", "error": "\(error)"])
            }
        }
    }
}
