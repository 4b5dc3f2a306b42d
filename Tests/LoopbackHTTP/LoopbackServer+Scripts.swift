import Synchronization

extension LoopbackServer {
    /// Answers with `answers` in turn, the last one to every later request: scripted failures
    /// before a success.
    package convenience init(answers: [Response]) throws {
        precondition(!answers.isEmpty)
        let next = Mutex(0)
        try self.init { _ in
            answers[
                next.withLock { index in
                    defer { index = min(index + 1, answers.count - 1) }
                    return index
                }]
        }
    }

    /// A server that answers nothing in time: each request is announced on `arrivals`, then its
    /// answer is held for 30 s or until `stop()`. For timeout, cancellation and shutdown tests,
    /// which wait for the arrival instead of sleeping.
    package static func holdingAnswers() throws -> (server: LoopbackServer, arrivals: AsyncStream<Void>) {
        let (arrivals, arrived) = AsyncStream.makeStream(of: Void.self)
        let server = try LoopbackServer { _ in
            arrived.yield()
            return Response(delay: .seconds(30))
        }
        return (server, arrivals)
    }
}
