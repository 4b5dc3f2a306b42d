import CCurl
import Foundation
import Synchronization

/// Runs libcurl transfers with `curl_multi` on one dedicated thread, so blocking libcurl work never
/// runs on Swift's cooperative pool, concurrent requests proceed together, and connections are
/// kept alive in the multi handle's connection cache. Callers hand transfers over through a
/// mutex-guarded queue and `curl_multi_wakeup`; results come back through continuations.
final class CurlLoop: @unchecked Sendable {
    // @unchecked: `active` and `idle` are touched only by the loop thread; everything shared
    // goes through `shared`.
    private let multi: UnsafeMutableRawPointer
    private let shared = Mutex(Shared())
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    private var idle: [UnsafeMutableRawPointer] = []
    private let stopped = DispatchSemaphore(value: 0)

    private struct Shared: ~Copyable {
        var submitted: [Transfer] = []
        var cancelled: [Transfer] = []
        var started = false
        var stopping = false
    }

    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()

    init() {
        precondition(Self.initialized)
        multi = curl_multi_init()!
        // Many transfers may share a node; keep several connections to it alive.
        ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 64)
    }

    /// Starts the transfer and waits for it. Cancelling the task aborts the transfer.
    func perform(_ transfer: Transfer) async -> Transfer.Outcome {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.continuation = continuation
                let start = shared.withLock { shared -> Bool? in
                    guard !shared.stopping else { return nil }
                    shared.submitted.append(transfer)
                    defer { shared.started = true }
                    return !shared.started
                }
                switch start {
                case nil: continuation.resume(returning: .failed(CURLE_ABORTED_BY_CALLBACK, "the client was shut down"))
                case true?:
                    let thread = Thread { [self] in run() }
                    thread.name = "elasticsearch-curl"
                    thread.start()
                case false?: curl_multi_wakeup(multi)
                }
            }
        } onCancel: {
            shared.withLock { $0.cancelled.append(transfer) }
            curl_multi_wakeup(multi)
        }
    }

    /// Stops the loop thread after failing the transfers still in flight.
    func shutdown() {
        let wasRunning = shared.withLock { shared -> Bool in
            shared.stopping = true
            return shared.started
        }
        guard wasRunning else { return }
        curl_multi_wakeup(multi)
        stopped.wait()
    }

    deinit {
        for easy in idle { curl_easy_cleanup(easy) }
        curl_multi_cleanup(multi)
    }

    private func run() {
        var running: Int32 = 0
        while true {
            let (submitted, cancelled, stopping) = shared.withLock { shared in
                defer {
                    shared.submitted.removeAll()
                    shared.cancelled.removeAll()
                }
                return (shared.submitted, shared.cancelled, shared.stopping)
            }
            for transfer in submitted { start(transfer) }
            for transfer in cancelled {
                guard let easy = transfer.easy, active[easy] === transfer else { continue }
                finish(easy, .failed(CURLE_ABORTED_BY_CALLBACK, "cancelled"))
            }
            if stopping {
                for (easy, _) in active { finish(easy, .failed(CURLE_ABORTED_BY_CALLBACK, "the client was shut down")) }
                stopped.signal()
                return
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
