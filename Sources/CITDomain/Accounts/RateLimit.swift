import Foundation

/// A fixed-window limit on how often something may happen per key (a client address, an
/// email address). The count lives in the database, one row per key and window, raised by
/// one atomic statement, so several instances share it and concurrent requests cannot all
/// slip under the limit. This type holds the arithmetic: which window a moment falls in,
/// and whether a count is over.
///
/// A fixed window lets a burst straddle two windows (up to twice the limit in a short
/// time); for stopping mail floods and seat grabbing that is enough, and it costs one row
/// per key an hour.
public struct RateLimit: Sendable, Equatable {
    /// What is limited, part of the stored key ("registration", "password-reset").
    public var action: String
    public var limit: Int
    public var window: TimeInterval

    public init(action: String, limit: Int, window: TimeInterval) {
        self.action = action
        self.limit = limit
        self.window = window
    }

    /// The start of the window holding `date`, on a grid from the Unix epoch.
    public func windowStart(_ date: Date) -> Date {
        let seconds = date.timeIntervalSince1970
        return Date(timeIntervalSince1970: (seconds / window).rounded(.down) * window)
    }

    /// Seconds until the window holding `date` ends, rounded up: a Retry-After value.
    public func retryAfter(_ date: Date) -> Int {
        Int((windowStart(date).addingTimeInterval(window).timeIntervalSince(date)).rounded(.up))
    }

    /// True while `count` attempts (this one included) stay within the limit.
    public func allows(count: Int) -> Bool { count <= limit }

    /// The stored key: action, kind of key and the key itself.
    public func key(_ kind: String, _ value: String) -> String {
        "\(action):\(kind):\(value.lowercased())"
    }

    // The limits CIT Hub uses.

    /// Public registration, per email address: five an hour. A person signing up for a few
    /// classes is never stopped; a stranger cannot make CIT Hub mail one address more than
    /// five times an hour.
    public static let registrationPerEmail = RateLimit(action: "registration", limit: 5, window: 3600)
    /// Public registration, per client address: thirty an hour. Higher than per email, since
    /// the officers of one department often share one address (their station's network)
    /// and may register for a class together; low enough that one client cannot fill a
    /// class's seats or mail hundreds of addresses.
    public static let registrationPerAddress = RateLimit(action: "registration", limit: 30, window: 3600)
    /// "Forgot your password", per email address: five an hour (a reset link lasts an hour).
    public static let passwordResetPerEmail = RateLimit(action: "password-reset", limit: 5, window: 3600)
    /// "Forgot your password", per client address: twenty an hour: an office full of
    /// people who forgot passwords on one morning is still served.
    public static let passwordResetPerAddress = RateLimit(action: "password-reset", limit: 20, window: 3600)
}
