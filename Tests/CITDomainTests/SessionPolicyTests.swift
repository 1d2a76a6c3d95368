import Foundation
import Testing
import CITDomain

@Suite struct SessionPolicyTests {
    let policy = SessionPolicy()
    let start = Date(timeIntervalSinceReferenceDate: 800_000_000)

    @Test func defaultsAreEightHoursIdleAndSevenDaysInAll() {
        #expect(policy.idleTimeout == 8 * 3600)
        #expect(policy.absoluteLifetime == 7 * 24 * 3600)
    }

    @Test func aSessionUsedWithinTheIdleTimeoutLasts() {
        #expect(policy.isUsable(createdAt: start, lastSeenAt: start, now: start.addingTimeInterval(8 * 3600 - 1)))
    }

    @Test func eightHoursIdleEndsIt() {
        #expect(!policy.isUsable(createdAt: start, lastSeenAt: start, now: start.addingTimeInterval(8 * 3600)))
    }

    @Test func sevenDaysEndItEvenWhenUsedEveryMinute() {
        let lastMinute = start.addingTimeInterval(7 * 24 * 3600 - 60)
        #expect(policy.isUsable(createdAt: start, lastSeenAt: lastMinute, now: lastMinute.addingTimeInterval(59)))
        #expect(!policy.isUsable(createdAt: start, lastSeenAt: lastMinute, now: start.addingTimeInterval(7 * 24 * 3600)))
    }

    @Test func activityIsWrittenAtMostOnceAMinute() {
        #expect(!policy.needsTouch(lastSeenAt: start, now: start.addingTimeInterval(59)))
        #expect(policy.needsTouch(lastSeenAt: start, now: start.addingTimeInterval(60)))
    }

    @Test func aShortIdleTimeoutTouchesMoreOften() {
        let short = SessionPolicy(idleTimeout: 120, absoluteLifetime: 3600)
        #expect(short.needsTouch(lastSeenAt: start, now: start.addingTimeInterval(30)))
    }
}
