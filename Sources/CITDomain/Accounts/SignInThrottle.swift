import Foundation

/// When to stop checking passwords for an account after repeated failed sign-ins.
///
/// Without a limit, anyone can guess passwords for a coordinator's account as fast as
/// the server answers. After `maxFailures` failures within `window`, further attempts
/// are refused for `lockout`, counted from the failure that reached the limit. The rule
/// is pure (failure times in, decision out) so that the state lives in the database and
/// holds across every instance of the app.
public struct SignInThrottle: Sendable, Equatable {

    /// The app's answer for the next sign-in attempt.
    public enum Decision: Sendable, Equatable {
        /// Check the password.
        case allowed
        /// Do not check the password; tell the person to try again after this many seconds.
        case throttled(retryAfter: TimeInterval)

        /// Whole seconds, rounded up, for an HTTP `Retry-After` header or a message;
        /// `nil` when allowed.
        public var retryAfterSeconds: Int? {
            guard case let .throttled(retryAfter) = self else { return nil }
            return Int(retryAfter.rounded(.up))
        }
    }

    /// Failures allowed within `window` before attempts are refused.
    public var maxFailures: Int
    /// How close together the failures must be to count as one run of guessing.
    public var window: TimeInterval
    /// How long attempts are refused, from the failure that reached `maxFailures`.
    public var lockout: TimeInterval

    /// Five failures in fifteen minutes, then fifteen minutes' wait: a person who mistypes
    /// is rarely stopped, and a guesser gets at most 20 tries an hour.
    public init(maxFailures: Int = 5, window: TimeInterval = 15 * 60, lockout: TimeInterval = 15 * 60) {
        self.maxFailures = maxFailures
        self.window = window
        self.lockout = lockout
    }

    /// Decides whether the next attempt may check the password.
    ///
    /// - Parameters:
    ///   - failuresSinceLastSuccess: when each failed attempt happened since the
    ///     account's last successful sign-in, in any order. A success clears them.
    ///     Record only attempts whose password was checked and wrong: counting refused
    ///     (throttled) attempts would let a guesser keep the owner locked out for ever.
    ///   - now: the time of the attempt being decided.
    public func decision(failuresSinceLastSuccess: [Date], now: Date) -> Decision {
        guard maxFailures > 0 else { return .allowed }
        // Times slightly in the future (another instance's clock) still count: ignoring
        // them would hand a guesser extra attempts.
        let failures = failuresSinceLastSuccess.sorted()
        guard failures.count >= maxFailures else { return .allowed }
        // The lockout runs from the latest failure that completed a run of `maxFailures`
        // failures within `window`. Earlier runs ended before it, so only it matters.
        for last in stride(from: failures.count - 1, through: maxFailures - 1, by: -1) {
            let first = failures[last - (maxFailures - 1)]
            guard failures[last].timeIntervalSince(first) <= window else { continue }
            let lockedUntil = failures[last].addingTimeInterval(lockout)
            if now < lockedUntil {
                return .throttled(retryAfter: lockedUntil.timeIntervalSince(now))
            }
            return .allowed
        }
        return .allowed
    }
}
