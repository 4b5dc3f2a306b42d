package import Foundation
import Synchronization

/// The time source for event timestamps (`recorded_at`). Injected so that seeding can spread
/// history over months and tests can pin time.
package protocol WallClock: Sendable {
    func now() -> Date
}

/// The system's clock.
package struct SystemWallClock: WallClock {
    package init() {}
    package func now() -> Date { Date() }
}

/// A clock that only moves when told to.
package final class ManualWallClock: WallClock {
    private let current: Mutex<Date>

    package init(_ start: Date) { current = Mutex(start) }

    package func now() -> Date { current.withLock { $0 } }

    package func set(_ date: Date) { current.withLock { $0 = date } }

    package func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}
