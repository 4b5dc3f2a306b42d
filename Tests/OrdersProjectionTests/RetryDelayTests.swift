import Testing

@testable import OrdersProjection

@Suite struct RetryDelayTests {
    @Test func delaysDoubleUpToTheMaximumWithJitterInTheUpperHalf() {
        let configuration = ProjectorConfiguration(retryBaseDelay: .milliseconds(100), retryMaximumDelay: .seconds(2))
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let first = configuration.retryDelay(doublings: 0, using: &random)
            #expect(first >= .milliseconds(50) && first <= .milliseconds(100))
            let third = configuration.retryDelay(doublings: 2, using: &random)
            #expect(third >= .milliseconds(200) && third <= .milliseconds(400))
            let capped = configuration.retryDelay(doublings: 1000, using: &random)
            #expect(capped >= .seconds(1) && capped <= .seconds(2))
        }
    }
}
