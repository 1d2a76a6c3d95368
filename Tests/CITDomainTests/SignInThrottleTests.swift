import Foundation
import Testing
import CITDomain

@Suite struct SignInThrottleTests {
    let throttle = SignInThrottle()
    let start = Date(timeIntervalSinceReferenceDate: 800_000_000)

    /// `count` failures one second apart, starting at `start`.
    func failures(_ count: Int, from start: Date) -> [Date] {
        (0..<count).map { start.addingTimeInterval(TimeInterval($0)) }
    }

    @Test func defaults() {
        #expect(throttle.maxFailures == 5)
        #expect(throttle.window == 15 * 60)
        #expect(throttle.lockout == 15 * 60)
    }

    @Test func noFailuresIsAllowed() {
        #expect(throttle.decision(failuresSinceLastSuccess: [], now: start) == .allowed)
    }

    @Test func fifthAttemptAfterFourFailuresIsAllowed() {
        let failed = failures(4, from: start)
        #expect(throttle.decision(failuresSinceLastSuccess: failed, now: start.addingTimeInterval(10)) == .allowed)
    }

    @Test func sixthAttemptAfterFiveFailuresIsThrottledUntilLockoutFromFifth() {
        // setup: failures at +0...+4 s, so the 5th is at +4 s
        let failed = failures(5, from: start)
        // MUT
        let decision = throttle.decision(failuresSinceLastSuccess: failed, now: start.addingTimeInterval(10))
        // validate
        #expect(decision == .throttled(retryAfter: 15 * 60 - 6))
        #expect(decision.retryAfterSeconds == 894)
    }

    @Test func throttledJustBeforeLockoutEndsAndAllowedAtTheEnd() {
        let failed = failures(5, from: start)
        let fifth = start.addingTimeInterval(4)
        let justBefore = throttle.decision(failuresSinceLastSuccess: failed, now: fifth.addingTimeInterval(15 * 60 - 0.5))
        #expect(justBefore == .throttled(retryAfter: 0.5))
        #expect(justBefore.retryAfterSeconds == 1)
        #expect(throttle.decision(failuresSinceLastSuccess: failed, now: fifth.addingTimeInterval(15 * 60)) == .allowed)
    }

    @Test func oneMoreFailureAfterLockoutDoesNotLockAgain() {
        // setup: five quick failures, then one more right after the lockout ended
        let fifth = start.addingTimeInterval(4)
        let failed = failures(5, from: start) + [fifth.addingTimeInterval(15 * 60 + 1)]
        // MUT
        let decision = throttle.decision(failuresSinceLastSuccess: failed, now: fifth.addingTimeInterval(15 * 60 + 2))
        // validate: the new failure starts a new count
        #expect(decision == .allowed)
    }

    @Test func failuresOutsideTheWindowDoNotCount() {
        // setup: four failures 20 minutes ago, one just now
        let old = failures(4, from: start)
        let now = start.addingTimeInterval(20 * 60)
        // MUT
        let decision = throttle.decision(failuresSinceLastSuccess: old + [now.addingTimeInterval(-1)], now: now)
        // validate
        #expect(decision == .allowed)
    }

    @Test func fiveFailuresSpreadExactlyOverTheWindowCount() {
        // failures at 0, 225, 450, 675, 900 s: the 5th is exactly `window` after the 1st
        let failed = (0..<5).map { start.addingTimeInterval(TimeInterval($0) * 225) }
        let decision = throttle.decision(failuresSinceLastSuccess: failed, now: start.addingTimeInterval(901))
        #expect(decision == .throttled(retryAfter: 15 * 60 - 1))
    }

    @Test func orderOfFailuresDoesNotMatter() {
        let failed = failures(5, from: start).reversed()
        #expect(throttle.decision(failuresSinceLastSuccess: Array(failed), now: start.addingTimeInterval(10)) != .allowed)
    }
}
