import Testing

@testable import OrdersStore

@Suite struct AggregateCacheUnitTests {
    @Test func holdsAtMostItsCapacityEvictingTheOldestFirst() {
        let cache = AggregateCache(capacity: 3)
        for index in 0..<5 { cache.put("s\(index)", .init(version: 1, lastPosition: Int64(index), state: index)) }
        #expect(cache.get("s0") == nil)
        #expect(cache.get("s1") == nil)
        #expect([2, 3, 4].allSatisfy { cache.get("s\($0)") != nil })
        // Removing and re-adding keys never lets the cache grow past its capacity.
        for round in 0..<50 {
            cache.remove("s\(round % 7)")
            cache.put("s\(round % 7)", .init(version: 1, lastPosition: 0, state: round))
            cache.put("t\(round)", .init(version: 1, lastPosition: 0, state: round))
            #expect((0..<7).map { cache.get("s\($0)") }.compactMap { $0 }.count + (0...round).compactMap { cache.get("t\($0)") }.count <= 3)
        }
    }

    @Test func neverReplacesANewerVersionWithAnOlderOne() {
        let cache = AggregateCache(capacity: 10)
        cache.put("s", .init(version: 5, lastPosition: 50, state: "v5"))
        cache.put("s", .init(version: 4, lastPosition: 40, state: "v4"))
        #expect(cache.get("s")?.version == 5)
        cache.put("s", .init(version: 6, lastPosition: 60, state: "v6"))
        #expect(cache.get("s")?.state as? String == "v6")
    }
}
