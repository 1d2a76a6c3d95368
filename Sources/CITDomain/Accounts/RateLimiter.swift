import Foundation

/// Token buckets per key (an API token's id, or a client IP). Value type; the server
/// wraps it in a lock.
///
/// Each key has a bucket of `capacity` tokens that refills continuously at
/// `refillPerSecond`; a request takes one token, and is refused when less than one is
/// left. A key seen for the first time starts with a full bucket, so a bucket that has
/// refilled completely carries no information and `prune` can forget it.
public struct RateLimiter: Sendable {
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        /// Whole tokens left after this request (what `RateLimit-Remaining` would say).
        public var remaining: Int
        /// 0 when allowed; otherwise the seconds until a token is back, rounded up, at least 1.
        public var retryAfterSeconds: Int

        public init(allowed: Bool, remaining: Int, retryAfterSeconds: Int) {
            self.allowed = allowed
            self.remaining = remaining
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    struct Bucket: Sendable {
        var tokens: Double
        var updated: Date
    }

    public let capacity: Int
    public let refillPerSecond: Double
    private var buckets: [String: Bucket] = [:]

    /// Floating-point slack, so 3 × (1/3 s) of refill counts as one whole token.
    private static let epsilon = 1e-9

    /// `capacity` is at least 1 and `refillPerSecond` more than 0 (smaller values are
    /// raised to those), so every refused request has a finite `Retry-After`.
    public init(capacity: Int, refillPerSecond: Double) {
        self.capacity = max(1, capacity)
        self.refillPerSecond = refillPerSecond.isFinite && refillPerSecond > 0 ? refillPerSecond : 1e-6
    }

    /// The bucket's tokens at `now`, refilled since it was last touched. A clock that
    /// went backwards refills nothing.
    private func refilled(_ bucket: Bucket, now: Date) -> Double {
        let elapsed = max(0, now.timeIntervalSince(bucket.updated))
        return min(Double(capacity), bucket.tokens + elapsed * refillPerSecond)
    }

    /// Counts one request for `key` at `now`.
    public mutating func take(_ key: String, now: Date) -> Decision {
        var bucket = buckets[key] ?? Bucket(tokens: Double(capacity), updated: now)
        bucket.tokens = refilled(bucket, now: now)
        bucket.updated = max(bucket.updated, now)
        let decision: Decision
        if bucket.tokens + Self.epsilon >= 1 {
            bucket.tokens = max(0, bucket.tokens - 1)
            decision = Decision(allowed: true, remaining: Int((bucket.tokens + Self.epsilon).rounded(.down)), retryAfterSeconds: 0)
        } else {
            let wait = ((1 - bucket.tokens) / refillPerSecond - Self.epsilon).rounded(.up)
            let seconds = wait >= Double(Int32.max) ? Int(Int32.max) : max(1, Int(wait))
            decision = Decision(allowed: false, remaining: 0, retryAfterSeconds: seconds)
        }
        buckets[key] = bucket
        return decision
    }

    /// Forget buckets full again (idle keys), so memory stays bounded under many IPs.
    public mutating func prune(now: Date) {
        let full = Double(capacity) - Self.epsilon
        buckets = buckets.filter { refilled($0.value, now: now) < full }
    }

    /// Keys with a bucket in memory.
    public var keyCount: Int { buckets.count }
}
