import Foundation
import Testing
@testable import CITDomain

// MARK: - Rate limiting

@Suite struct APIRateLimiterTests {
    let start = Date(timeIntervalSinceReferenceDate: 800_000_000)

    func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    @Test func aFullBucketAllowsCapacityRequestsThenRefuses() {
        var limiter = RateLimiter(capacity: 3, refillPerSecond: 1)
        #expect(limiter.take("ip:1", now: start) == .init(allowed: true, remaining: 2, retryAfterSeconds: 0))
        #expect(limiter.take("ip:1", now: start) == .init(allowed: true, remaining: 1, retryAfterSeconds: 0))
        #expect(limiter.take("ip:1", now: start) == .init(allowed: true, remaining: 0, retryAfterSeconds: 0))
        #expect(limiter.take("ip:1", now: start) == .init(allowed: false, remaining: 0, retryAfterSeconds: 1))
        // Refused requests take nothing: still one second to wait.
        #expect(limiter.take("ip:1", now: start) == .init(allowed: false, remaining: 0, retryAfterSeconds: 1))
    }

    @Test func refillOverTime() {
        var limiter = RateLimiter(capacity: 2, refillPerSecond: 0.5)
        _ = limiter.take("k", now: start)
        _ = limiter.take("k", now: start)
        #expect(limiter.take("k", now: at(1)) == .init(allowed: false, remaining: 0, retryAfterSeconds: 1))
        #expect(limiter.take("k", now: at(2)) == .init(allowed: true, remaining: 0, retryAfterSeconds: 0))
        // Long idle: refilled to capacity, never beyond.
        #expect(limiter.take("k", now: at(1000)) == .init(allowed: true, remaining: 1, retryAfterSeconds: 0))
        #expect(limiter.take("k", now: at(1000)) == .init(allowed: true, remaining: 0, retryAfterSeconds: 0))
        #expect(limiter.take("k", now: at(1000)).allowed == false)
    }

    @Test func retryAfterRoundsUpAndIsAtLeastOne() {
        // One token every 10 s.
        var limiter = RateLimiter(capacity: 1, refillPerSecond: 0.1)
        #expect(limiter.take("k", now: start).allowed)
        #expect(limiter.take("k", now: start).retryAfterSeconds == 10)
        #expect(limiter.take("k", now: at(0.5)).retryAfterSeconds == 10)  // 9.5 → 10
        #expect(limiter.take("k", now: at(3.2)).retryAfterSeconds == 7)  // 6.8 → 7
        #expect(limiter.take("k", now: at(9.99)).retryAfterSeconds == 1)  // 0.01 → 1
        #expect(limiter.take("k", now: at(10)).allowed)

        // Fast refill: less than a second to wait still says 1.
        var fast = RateLimiter(capacity: 1, refillPerSecond: 50)
        _ = fast.take("k", now: start)
        #expect(fast.take("k", now: start) == .init(allowed: false, remaining: 0, retryAfterSeconds: 1))

        // Thirds add up to a whole token despite floating point.
        var thirds = RateLimiter(capacity: 1, refillPerSecond: 1.0 / 3.0)
        _ = thirds.take("k", now: start)
        #expect(thirds.take("k", now: start).retryAfterSeconds == 3)
        #expect(thirds.take("k", now: at(1)).retryAfterSeconds == 2)
        #expect(thirds.take("k", now: at(2)).retryAfterSeconds == 1)
        #expect(thirds.take("k", now: at(3)).allowed)
    }

    @Test func keysAreSeparate() {
        var limiter = RateLimiter(capacity: 1, refillPerSecond: 0.01)
        #expect(limiter.take("token:a", now: start).allowed)
        #expect(!limiter.take("token:a", now: start).allowed)
        #expect(limiter.take("token:b", now: start).allowed)
        #expect(limiter.take("ip:203.0.113.9", now: start).allowed)
        #expect(limiter.keyCount == 3)
    }

    @Test func pruneForgetsOnlyFullBuckets() {
        var limiter = RateLimiter(capacity: 5, refillPerSecond: 1)
        _ = limiter.take("idle", now: start)  // full again at +1 s
        for _ in 0..<5 { _ = limiter.take("busy", now: at(2)) }  // full again at +7 s
        #expect(limiter.keyCount == 2)
        limiter.prune(now: at(3))
        #expect(limiter.keyCount == 1)
        // Pruning lost nothing: the busy key is still limited.
        #expect(limiter.take("busy", now: at(3)) == .init(allowed: true, remaining: 0, retryAfterSeconds: 0))
        #expect(!limiter.take("busy", now: at(3)).allowed)
        // And a pruned key starts full, as it would have been.
        #expect(limiter.take("idle", now: at(3)) == .init(allowed: true, remaining: 4, retryAfterSeconds: 0))
        limiter.prune(now: at(100))
        #expect(limiter.keyCount == 0)
    }

    @Test func manyKeysStayBoundedWithPruning() {
        var limiter = RateLimiter(capacity: 10, refillPerSecond: 1)
        for i in 0..<10_000 {
            _ = limiter.take("ip:\(i)", now: at(Double(i) / 1000))
            if i % 1000 == 999 { limiter.prune(now: at(Double(i) / 1000)) }
        }
        // Each key used one token, refilled within a second: only the last second's keys remain.
        #expect(limiter.keyCount <= 1000)
    }

    @Test func clockGoingBackwardsRefillsNothing() {
        var limiter = RateLimiter(capacity: 1, refillPerSecond: 1)
        #expect(limiter.take("k", now: at(10)).allowed)
        #expect(!limiter.take("k", now: at(5)).allowed)
        #expect(limiter.take("k", now: at(11)).allowed)
    }

    @Test func oddSettingsAreClamped() {
        var limiter = RateLimiter(capacity: 0, refillPerSecond: 0)
        #expect(limiter.capacity == 1)
        #expect(limiter.take("k", now: start).allowed)
        let refused = limiter.take("k", now: start)
        #expect(!refused.allowed && refused.retryAfterSeconds >= 1)
    }
}
