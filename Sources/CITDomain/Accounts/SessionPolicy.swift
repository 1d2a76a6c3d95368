import Foundation

/// How long a signed-in session lasts, decided on the server (the cookie has no expiry
/// of its own, so a browser that keeps it forever gains nothing).
///
/// - Idle timeout, default 8 hours: a training day is about 8 hours, and a trainer takes
///   attendance at its start and at its end on the same phone; a shorter limit signs
///   them out mid-class. A station computer left signed in overnight is signed out by
///   the next shift.
/// - Absolute lifetime, default 7 days: a stolen cookie, or a session on a machine
///   someone else later uses, stops working within a week whatever its use, and people
///   type their password about once a week.
public struct SessionPolicy: Sendable, Equatable {
    public var idleTimeout: TimeInterval
    public var absoluteLifetime: TimeInterval
    /// Activity is written back at most this often, so that every request of a busy
    /// session does not cost a database write.
    public var touchInterval: TimeInterval

    public init(idleTimeout: TimeInterval = 8 * 3600, absoluteLifetime: TimeInterval = 7 * 24 * 3600, touchInterval: TimeInterval = 60) {
        self.idleTimeout = idleTimeout
        self.absoluteLifetime = absoluteLifetime
        self.touchInterval = min(touchInterval, idleTimeout / 4)
    }

    /// Whether a session created at `createdAt` and last used at `lastSeenAt` may be used now.
    public func isUsable(createdAt: Date, lastSeenAt: Date, now: Date) -> Bool {
        now.timeIntervalSince(createdAt) < absoluteLifetime && now.timeIntervalSince(lastSeenAt) < idleTimeout
    }

    /// Whether this use should be written back as the session's last activity.
    public func needsTouch(lastSeenAt: Date, now: Date) -> Bool {
        now.timeIntervalSince(lastSeenAt) >= touchInterval
    }
}
