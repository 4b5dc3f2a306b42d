import CCurl
import Foundation
import Synchronization

/// Runs libcurl transfers with `curl_multi` on one dedicated thread, so blocking libcurl work never
/// runs on Swift's cooperative pool, concurrent requests proceed together, and connections are
/// kept alive in the multi handle's connection cache. Callers hand transfers over through a
/// mutex-guarded queue and `curl_multi_wakeup`; results come back through continuations.
///
/// The thread starts with the first transfer and runs until `stop()` (or `requestStop()`):
/// transfers in flight then fail with `.shutDown`, later ones fail at once, and the thread exits.
final class CurlLoop: @unchecked Sendable {
    // @unchecked: `active` and `idle` are touched only by the loop thread; everything shared
    // goes through `shared`.
    private let multi: UnsafeMutableRawPointer
    private let shared = Mutex(Shared())
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    private var idle: [UnsafeMutableRawPointer] = []
    /// The loop thread's name (unique per loop, at most 15 bytes: Linux's limit).
    let threadName: String

    /// Where the loop thread is in its life.
    enum ThreadState: Sendable, Equatable {
        /// No transfer yet: no thread.
        case notStarted
        case running
        /// It returned (or, stopped before any transfer, never started).
        case exited
    }

    private struct Shared: ~Copyable {
        var submitted: [Transfer] = []
        var cancelled: [Transfer] = []
        var thread = ThreadState.notStarted
        var stopping = false
        /// `stop()` callers waiting for the thread to return.
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()

    private static let loops = Atomic<Int>(0)

    init() {
        precondition(Self.initialized)
        multi = curl_multi_init()!
        // Many transfers may share a node; keep several connections to it alive.
        ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 64)
        threadName = "es-curl-\(Self.loops.add(1, ordering: .relaxed).newValue % 10_000_000)"
    }

    var threadState: ThreadState { shared.withLock { $0.thread } }

    /// Starts the transfer and waits for it. Cancelling the task aborts the transfer.
    func perform(_ transfer: Transfer) async -> Transfer.Outcome {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.continuation = continuation
                enum Start { case refuse(Transfer.Outcome), startThread, wake }
                let start = shared.withLock { shared -> Start in
                    guard !shared.stopping else { return .refuse(.shutDown) }
                    // Checked under the lock: a cancellation after this point is queued behind the
                    // submission, so the loop never sees the cancellation first and loses it.
                    guard !Task.isCancelled else { return .refuse(.failed(CURLE_ABORTED_BY_CALLBACK, "cancelled")) }
                    shared.submitted.append(transfer)
                    guard shared.thread == .notStarted else { return .wake }
                    shared.thread = .running
                    return .startThread
                }
                switch start {
                case .refuse(let outcome): transfer.complete(outcome)
                case .startThread:
                    Thread { [self] in run() }.start()
                case .wake: curl_multi_wakeup(multi)
                }
            }
        } onCancel: {
            shared.withLock { $0.cancelled.append(transfer) }
            curl_multi_wakeup(multi)
        }
    }

    /// Stops the loop and returns once its thread has: transfers in flight fail with `.shutDown`,
    /// and so does every later one.
    func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let running = shared.withLock { shared -> Bool in
                shared.stopping = true
                switch shared.thread {
                case .notStarted:
                    shared.thread = .exited
                    return false
                case .exited: return false
                case .running:
                    shared.exitWaiters.append(continuation)
                    return true
                }
            }
            if running { curl_multi_wakeup(multi) } else { continuation.resume() }
        }
    }

    /// Stops the loop without waiting for its thread (for synchronous callers and `deinit`s).
    func requestStop() {
        let running = shared.withLock { shared -> Bool in
            shared.stopping = true
            if shared.thread == .notStarted { shared.thread = .exited }
            return shared.thread == .running
        }
        if running { curl_multi_wakeup(multi) }
    }

    deinit {
        for easy in idle { curl_easy_cleanup(easy) }
        curl_multi_cleanup(multi)
    }

    private func run() {
        Self.nameCurrentThread(threadName)
        var running: Int32 = 0
        while true {
            let (submitted, cancelled, stopping) = shared.withLock { shared in
                defer {
                    shared.submitted.removeAll()
                    shared.cancelled.removeAll()
                }
                return (shared.submitted, shared.cancelled, shared.stopping)
            }
            if stopping {
                for transfer in submitted { transfer.complete(.shutDown) }
                for (easy, _) in active { finish(easy, .shutDown) }
                let waiters = shared.withLock { shared in
                    shared.thread = .exited
                    defer { shared.exitWaiters.removeAll() }
                    return shared.exitWaiters
                }
                for waiter in waiters { waiter.resume() }
                return
            }
            for transfer in submitted { start(transfer) }
            for transfer in cancelled {
                guard let easy = transfer.easy, active[easy] === transfer else { continue }
                finish(easy, .failed(CURLE_ABORTED_BY_CALLBACK, "cancelled"))
            }
            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let result = ccurl_message_result(message)
                if result == CURLE_OK {
                    var status = 0
                    ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
                    finish(easy, .completed(status: status))
                } else {
                    let transfer = active[easy]
                    let detail =
                        transfer?.tooLarge == true ? "response larger than the configured maximum" : String(cString: curl_easy_strerror(result))
                    finish(easy, .failed(result, detail))
                }
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }

    /// Names the calling thread for `top -H`, debuggers and `/proc` (Foundation's `Thread.name`
    /// does not reach the OS on Linux, and `pthread_setname_np` does not import).
    private static func nameCurrentThread(_ name: String) {
        #if os(Linux)
        let file = open("/proc/thread-self/comm", O_WRONLY)
        guard file >= 0 else { return }
        _ = name.withCString { write(file, $0, strlen($0)) }
        close(file)
        #endif
    }

    private func start(_ transfer: Transfer) {
        let easy = idle.popLast() ?? curl_easy_init()!
        curl_easy_reset(easy)
        transfer.configure(easy)
        active[easy] = transfer
        curl_multi_add_handle(multi, easy)
    }

    private func finish(_ easy: UnsafeMutableRawPointer, _ outcome: Transfer.Outcome) {
        curl_multi_remove_handle(multi, easy)
        guard let transfer = active.removeValue(forKey: easy) else { return }
        idle.append(easy)
        transfer.complete(outcome)
    }
}
