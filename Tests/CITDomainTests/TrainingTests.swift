import Foundation
import Testing
import CITDomain

private let chicago = TimeZone(identifier: "America/Chicago")!

/// A Date for a wall-clock time in Chicago; fails the test if the time does not exist.
private func at(_ day: String, _ time: String) throws -> Date {
    try #require(ClassTimes.date(day: day, time: time, timeZone: chicago))
}

private func block(_ title: String, _ day: String, _ from: String, _ to: String, topic: String? = "de-escalation", isBreak: Bool = false)
    throws -> AgendaBlock
{
    let interval = try #require(ClassTimes.interval(day: day, start: from, end: to, timeZone: chicago))
    return AgendaBlock(title: title, topicCode: isBreak ? nil : topic, start: interval.start, end: interval.end, isBreak: isBreak)
}

// MARK: - Seats

@Suite struct SeatAllocationTests {

    @Test func thirtyFirstPersonForThirtySeatsIsWaitlisted() {
        // setup
        let policy = SeatPolicy(capacity: 30)
        let counts = SeatCounts(confirmedTotal: 30, confirmedByAgency: ["dane county sheriff": 30])
        // MUT
        let decision = SeatAllocation.decide(policy: policy, counts: counts, agencyKey: "madison police dept")
        // validate
        #expect(decision == .waitlisted(reason: .classFull))
        #expect(SeatAllocation.seatsLeft(policy: policy, counts: counts) == 0)
    }

    @Test func theLastSeatIsConfirmed() {
        let policy = SeatPolicy(capacity: 30)
        let counts = SeatCounts(confirmedTotal: 29, confirmedByAgency: ["a": 29])
        #expect(SeatAllocation.seatsLeft(policy: policy, counts: counts) == 1)
        #expect(SeatAllocation.decide(policy: policy, counts: counts, agencyKey: "b") == .confirmed)
    }

    @Test func thirtyRegistrationsInARowFillExactlyThirtySeats() {
        // setup: one registration at a time, as the transaction sees them
        let policy = SeatPolicy(capacity: 30)
        var counts = SeatCounts(confirmedTotal: 0, confirmedByAgency: [:])
        var decisions: [SeatDecision] = []
        // MUT
        for person in 0..<35 {
            let key = "agency \(person % 4)"
            let decision = SeatAllocation.decide(policy: policy, counts: counts, agencyKey: key)
            decisions.append(decision)
            if decision == .confirmed {
                counts.confirmedTotal += 1
                counts.confirmedByAgency[key, default: 0] += 1
            }
        }
        // validate
        #expect(decisions.filter { $0 == .confirmed }.count == 30)
        #expect(Array(decisions[30...]) == Array(repeating: .waitlisted(reason: .classFull), count: 5))
    }

    @Test func agencyLimitReachedWhileSeatsRemain() {
        // setup: 10 seats left, but Madison already holds its 4
        let policy = SeatPolicy(capacity: 30, agencyLimits: ["madison police dept": 4])
        let counts = SeatCounts(confirmedTotal: 20, confirmedByAgency: ["madison police dept": 4, "dane county sheriff": 16])
        // MUT + validate: the name as typed matches the normalized key
        #expect(
            SeatAllocation.decide(policy: policy, counts: counts, agencyKey: SeatPolicy.agencyKey(" Madison  Police Dept "))
                == .waitlisted(reason: .agencyLimitReached(limit: 4)))
        #expect(SeatAllocation.decide(policy: policy, counts: counts, agencyKey: "dane county sheriff") == .confirmed)
        #expect(SeatAllocation.seatsLeft(policy: policy, counts: counts) == 10)
    }

    @Test func defaultAgencyLimitAppliesToUnlistedAgencies() {
        let policy = SeatPolicy(capacity: 30, agencyLimits: ["dane county sheriff": 10], defaultAgencyLimit: 3)
        #expect(policy.limit(forAgency: "dane county sheriff") == 10)
        #expect(policy.limit(forAgency: "Fitchburg PD") == 3)
        let counts = SeatCounts(confirmedTotal: 8, confirmedByAgency: ["fitchburg pd": 3, "dane county sheriff": 5])
        #expect(
            SeatAllocation.decide(policy: policy, counts: counts, agencyKey: "fitchburg pd")
                == .waitlisted(reason: .agencyLimitReached(limit: 3)))
        #expect(SeatAllocation.decide(policy: policy, counts: counts, agencyKey: "dane county sheriff") == .confirmed)
        // no organization given: no agency whose share it could take
        #expect(policy.limit(forAgency: "  ") == nil)
    }

    @Test func fullClassIsTheReasonEvenWhenTheAgencyIsAtItsLimit() {
        let policy = SeatPolicy(capacity: 4, agencyLimits: ["a": 2])
        let counts = SeatCounts(confirmedTotal: 4, confirmedByAgency: ["a": 2, "b": 2])
        #expect(SeatAllocation.decide(policy: policy, counts: counts, agencyKey: "a") == .waitlisted(reason: .classFull))
    }

    @Test func agencyKeyNormalizesWhitespaceAndCase() {
        #expect(SeatPolicy.agencyKey("Madison  Police Dept ") == "madison police dept")
        #expect(SeatPolicy.agencyKey("\tMADISON\nPolice   dept") == "madison police dept")
        #expect(SeatPolicy.agencyKey("") == "")
        // a limit typed with odd spacing still applies
        let policy = SeatPolicy(capacity: 10, agencyLimits: ["Madison  Police Dept": 2])
        #expect(policy.limit(forAgency: "madison police dept") == 2)
    }

    @Test func cancellingTheLastConfirmedSeatFreesExactlyOne() {
        // setup: a full class of 30 with three people waiting
        let policy = SeatPolicy(capacity: 30)
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let waitlist = (1...3).map {
            WaitlistEntry(id: UUID(), agencyKey: "agency \($0)", joinedAt: base.addingTimeInterval(Double($0)), sequence: 30 + $0)
        }
        let full = SeatCounts(confirmedTotal: 30, confirmedByAgency: ["x": 30])
        #expect(WaitlistPolicy.promotions(waitlist: waitlist, policy: policy, counts: full).isEmpty)
        // MUT: the 30th confirmed person cancels
        let afterCancel = SeatCounts(confirmedTotal: 29, confirmedByAgency: ["x": 29])
        let promoted = WaitlistPolicy.promotions(waitlist: waitlist, policy: policy, counts: afterCancel)
        // validate: exactly one seat, to the first in line
        #expect(SeatAllocation.seatsLeft(policy: policy, counts: afterCancel) == 1)
        #expect(promoted == [waitlist[0].id])
    }

    @Test func promotionsSkipAnAgencyAtItsLimitButKeepItsPlace() {
        // setup: Madison (limit 2) holds 2; first in line is from Madison
        let policy = SeatPolicy(capacity: 10, agencyLimits: ["madison pd": 2])
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let madison = WaitlistEntry(id: UUID(), agencyKey: "madison pd", joinedAt: base, sequence: 11)
        let sheriff = WaitlistEntry(id: UUID(), agencyKey: "dane sheriff", joinedAt: base.addingTimeInterval(60), sequence: 12)
        let counts = SeatCounts(confirmedTotal: 9, confirmedByAgency: ["madison pd": 2, "dane sheriff": 7])
        // MUT
        let promoted = WaitlistPolicy.promotions(waitlist: [sheriff, madison], policy: policy, counts: counts)
        // validate: the sheriff's deputy gets the seat; Madison stays first in line
        #expect(promoted == [sheriff.id])
        let remaining = [madison]
        #expect(WaitlistPolicy.positions(remaining) == [madison.id: 1])
        // when a Madison seat frees, Madison is next even with a later joiner waiting
        let later = WaitlistEntry(id: UUID(), agencyKey: "fitchburg", joinedAt: base.addingTimeInterval(120), sequence: 13)
        let afterMadisonCancels = SeatCounts(confirmedTotal: 9, confirmedByAgency: ["madison pd": 1, "dane sheriff": 8])
        #expect(WaitlistPolicy.promotions(waitlist: [later, madison], policy: policy, counts: afterMadisonCancels) == [madison.id])
    }

    @Test func severalPromotedAtOnceWhenCapacityGrows() {
        // setup: 20 confirmed, 5 waiting (two from Madison, limit 3, holding 2); capacity 20 -> 24
        let policy = SeatPolicy(capacity: 24, agencyLimits: ["madison pd": 3])
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let agencies = ["madison pd", "madison pd", "a", "b", "c"]
        let waitlist = agencies.enumerated().map {
            WaitlistEntry(id: UUID(), agencyKey: $0.element, joinedAt: base.addingTimeInterval(Double($0.offset)), sequence: 21 + $0.offset)
        }
        let counts = SeatCounts(confirmedTotal: 20, confirmedByAgency: ["madison pd": 2, "z": 18])
        // MUT
        let promoted = WaitlistPolicy.promotions(waitlist: waitlist.reversed(), policy: policy, counts: counts)
        // validate: 4 seats; the second Madison entry would be Madison's 4th, so it is skipped
        #expect(promoted == [waitlist[0].id, waitlist[2].id, waitlist[3].id, waitlist[4].id])
    }

    @Test func positionsFollowJoinOrderWithSequenceAsTieBreaker() {
        // setup: two joined in the same instant; the sequence decides
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let a = WaitlistEntry(id: UUID(), agencyKey: "a", joinedAt: base, sequence: 7)
        let b = WaitlistEntry(id: UUID(), agencyKey: "b", joinedAt: base, sequence: 5)
        let c = WaitlistEntry(id: UUID(), agencyKey: "c", joinedAt: base.addingTimeInterval(-1), sequence: 9)
        let d = WaitlistEntry(id: UUID(), agencyKey: "d", joinedAt: base.addingTimeInterval(1), sequence: 6)
        // MUT
        let positions = WaitlistPolicy.positions([a, b, c, d])
        // validate
        #expect(positions == [c.id: 1, b.id: 2, a.id: 3, d.id: 4])
        #expect(Set(positions.values) == Set(1...4))
        #expect(WaitlistPolicy.positions([]).isEmpty)
    }

    @Test func seatsLeftNeverNegativeAfterCapacityIsLowered() {
        // setup: 30 confirmed, then the room changes and capacity drops to 25
        let policy = SeatPolicy(capacity: 25)
        let counts = SeatCounts(confirmedTotal: 30, confirmedByAgency: [:])
        // validate
        #expect(SeatAllocation.seatsLeft(policy: policy, counts: counts) == 0)
        #expect(SeatAllocation.decide(policy: policy, counts: counts, agencyKey: "a") == .waitlisted(reason: .classFull))
        let waiting = [WaitlistEntry(id: UUID(), agencyKey: "a", joinedAt: Date(), sequence: 31)]
        #expect(WaitlistPolicy.promotions(waitlist: waiting, policy: policy, counts: counts).isEmpty)
    }
}

@Suite struct SeatHoldTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aHoldTakesItsSeatWhileItLasts() {
        // setup: 9 confirmed and one hold for 10 seats
        let claims =
            Array(repeating: SeatClaim(agencyKey: "a"), count: 9) + [SeatClaim(agencyKey: "b", heldUntil: now.addingTimeInterval(60))]
        // MUT
        let counts = SeatCounts(claims: claims, at: now)
        // validate: the next person waits, so the holder gets the seat they were shown
        #expect(counts.confirmedTotal == 10)
        #expect(counts.confirmed(agencyKey: "b") == 1)
        #expect(SeatAllocation.decide(policy: SeatPolicy(capacity: 10), counts: counts, agencyKey: "c") == .waitlisted(reason: .classFull))
    }

    @Test func anExpiredHoldFreesItsSeat() {
        let claims = Array(repeating: SeatClaim(agencyKey: "a"), count: 9) + [SeatClaim(agencyKey: "b", heldUntil: now)]
        let counts = SeatCounts(claims: claims, at: now)
        #expect(counts.confirmedTotal == 9)
        #expect(SeatAllocation.decide(policy: SeatPolicy(capacity: 10), counts: counts, agencyKey: "c") == .confirmed)
    }

    @Test func aHoldCountsAgainstItsAgencyLimit() {
        let claims = [SeatClaim(agencyKey: "Madison PD"), SeatClaim(agencyKey: "madison  pd", heldUntil: now.addingTimeInterval(60))]
        let counts = SeatCounts(claims: claims, at: now)
        #expect(
            SeatAllocation.decide(policy: SeatPolicy(capacity: 10, defaultAgencyLimit: 2), counts: counts, agencyKey: "madison pd")
                == .waitlisted(reason: .agencyLimitReached(limit: 2)))
    }

    @Test func theLinkOutlivesTheHoldButNotTheRegistrationWindowOrTheClass() {
        let starts = now.addingTimeInterval(10 * 86_400)
        let link = SeatHold.linkExpiry(requestedAt: now, closesAt: nil, startsAt: starts)
        #expect(link == now.addingTimeInterval(86_400))
        #expect(SeatHold.holdExpiry(requestedAt: now, linkExpiry: link) == now.addingTimeInterval(1800))
        let closing = now.addingTimeInterval(600)
        let early = SeatHold.linkExpiry(requestedAt: now, closesAt: closing, startsAt: starts)
        #expect(early == closing)
        #expect(SeatHold.holdExpiry(requestedAt: now, linkExpiry: early) == closing)
        #expect(
            SeatHold.linkExpiry(requestedAt: now, closesAt: nil, startsAt: now.addingTimeInterval(3600)) == now.addingTimeInterval(3600))
    }
}

// MARK: - Agenda

@Suite struct AgendaValidationTests {

    /// Five days of 08:00-17:00 with an hour's lunch: 8 hours a day, 40 in all.
    func fiveDayCIT(lastDayEnd: String = "17:00") throws -> [AgendaBlock] {
        var blocks: [AgendaBlock] = []
        for (offset, day) in ["2027-07-12", "2027-07-13", "2027-07-14", "2027-07-15", "2027-07-16"].enumerated() {
            blocks.append(try block("Morning \(offset + 1)", day, "08:00", "12:00", topic: "mental-illness-overview"))
            blocks.append(try block("Lunch", day, "12:00", "13:00", isBreak: true))
            blocks.append(try block("Afternoon \(offset + 1)", day, "13:00", offset == 4 ? lastDayEnd : "17:00", topic: "role-plays"))
        }
        return blocks
    }

    @Test func fortyHoursOverFiveDaysIsValid() throws {
        let blocks = try fiveDayCIT()
        #expect(AgendaValidation.totalHours(blocks) == 40)
        #expect(AgendaValidation.problems(blocks, requiredHours: CourseCatalog.cit.requiredHours, courseName: "CIT") == [])
    }

    @Test func thirtyNinePointFiveHoursOfCITSaysHowMuchIsMissing() throws {
        // setup: the last afternoon ends at 16:30
        let blocks = try fiveDayCIT(lastDayEnd: "16:30")
        // MUT
        let problems = AgendaValidation.problems(blocks, requiredHours: 40, courseName: "CIT")
        // validate
        #expect(problems == [.hoursMismatch(total: 39.5, required: 40)])
        #expect(problems[0].description(courseName: "CIT") == "The agenda adds up to 39.5 hours; CIT needs 40 (0.5 hours missing).")
        #expect(problems[0].description == "The agenda adds up to 39.5 hours; the course needs 40 (0.5 hours missing).")
        #expect(
            AgendaValidation.messages(blocks, requiredHours: 40, courseName: "CIT") == [
                "The agenda adds up to 39.5 hours; CIT needs 40 (0.5 hours missing)."
            ])
    }

    @Test func tooManyHoursSaysHowMany() throws {
        let blocks = try fiveDayCIT(lastDayEnd: "19:00")
        let problems = AgendaValidation.problems(blocks, requiredHours: 40, courseName: "CIT")
        #expect(problems == [.hoursMismatch(total: 42, required: 40)])
        #expect(problems[0].description(courseName: "CIT") == "The agenda adds up to 42 hours; CIT needs 40 (2 hours too many).")
    }

    @Test func withinAMinuteIsAccepted() throws {
        // 15:59:30 instead of 16:00 on an 8-hour course: 30 seconds short
        let start = try at("2027-07-12", "08:00")
        let blocks = [
            AgendaBlock(title: "Dispatch", topicCode: "de-escalation", start: start, end: start.addingTimeInterval(8 * 3600 - 30))
        ]
        #expect(AgendaValidation.problems(blocks, requiredHours: 8, courseName: "CIT for Dispatch") == [])
        let twoMinutesShort = [AgendaBlock(title: "Dispatch", topicCode: nil, start: start, end: start.addingTimeInterval(8 * 3600 - 120))]
        #expect(AgendaValidation.problems(twoMinutesShort, requiredHours: 8, courseName: "CIT for Dispatch").count == 1)
    }

    @Test func emptyAgenda() {
        #expect(AgendaValidation.problems([], requiredHours: 40, courseName: "CIT") == [.empty])
        #expect(AgendaValidation.totalHours([]) == 0)
    }

    @Test func overlapIsDetectedWhateverTheInputOrder() throws {
        // setup: given out of order; block 0 (10:00-12:00) overlaps block 2 (08:00-10:30)
        let blocks = [
            try block("De-escalation", "2027-07-12", "10:00", "12:00"),
            try block("Suicide prevention", "2027-07-12", "13:00", "17:00", topic: "suicide-prevention"),
            try block("Overview", "2027-07-12", "08:00", "10:30", topic: "mental-illness-overview"),
        ]
        // MUT
        let problems = AgendaValidation.problems(blocks, requiredHours: 8.5, courseName: "X")
        // validate: indices are positions in the array given
        #expect(problems == [.overlaps(first: 2, second: 0, firstTitle: "Overview", secondTitle: "De-escalation")])
        #expect(problems[0].description.contains("“Overview”"))
    }

    @Test func touchingBlocksDoNotOverlapButNestedOnesDo() throws {
        let touching = [try block("A", "2027-07-12", "08:00", "12:00"), try block("B", "2027-07-12", "12:00", "16:00")]
        #expect(AgendaValidation.problems(touching, requiredHours: 8, courseName: "X") == [])
        let nested = [
            try block("Long", "2027-07-12", "08:00", "16:00"),
            try block("Short", "2027-07-12", "09:00", "10:00"),
            try block("Later", "2027-07-12", "11:00", "12:00"),
        ]
        let problems = AgendaValidation.problems(nested, requiredHours: 10, courseName: "X")
        #expect(
            problems == [
                .overlaps(first: 0, second: 1, firstTitle: "Long", secondTitle: "Short"),
                .overlaps(first: 0, second: 2, firstTitle: "Long", secondTitle: "Later"),
            ])
    }

    @Test func endBeforeStart() throws {
        // setup: end typed earlier than start, as absolute times on the same day
        let start = try at("2027-07-12", "13:00")
        let end = try at("2027-07-12", "12:00")
        let blocks = [
            try block("Morning", "2027-07-12", "08:00", "12:00"),
            AgendaBlock(title: "Afternoon", topicCode: "role-plays", start: start, end: end),
        ]
        // MUT
        let problems = AgendaValidation.problems(blocks, requiredHours: 4, courseName: "X")
        // validate: reported, and it adds no (negative) hours
        #expect(problems == [.endsBeforeStart(index: 1, title: "Afternoon")])
        #expect(blocks[1].hours == 0)
        #expect(
            problems[0].description
                == "Block 2, “Afternoon”, must end after it starts. Check its times; a block that runs past midnight ends on the next day.")
    }

    @Test func blockThatCrossesMidnightIsFourHours() throws {
        // setup: a night ride-along 22:00-02:00, then a session the next morning
        let night = try block("Ride-along", "2027-07-12", "22:00", "02:00", topic: "ride-alongs")
        let morning = try block("Debrief", "2027-07-13", "08:00", "12:00", topic: "role-plays")
        // validate
        #expect(night.hours == 4)
        #expect(ClassTimes.dayAndTime(night.end, timeZone: chicago) == (day: "2027-07-13", time: "02:00"))
        #expect(AgendaValidation.problems([morning, night], requiredHours: 8, courseName: "X") == [])
        // but one that runs into the next block is an overlap
        let early = try block("Early debrief", "2027-07-13", "01:00", "05:00", topic: "role-plays")
        #expect(
            AgendaValidation.problems([night, early], requiredHours: 8, courseName: "X")
                == [.overlaps(first: 0, second: 1, firstTitle: "Ride-along", secondTitle: "Early debrief")])
    }

    @Test func classThatEndsAtMidnight() throws {
        let evening = try block("Evening", "2027-07-12", "16:00", "00:00")
        #expect(evening.hours == 8)
        #expect(AgendaValidation.problems([evening], requiredHours: 8, courseName: "CIT for Dispatch") == [])
    }

    @Test func breaksDoNotCount() throws {
        let blocks = [
            try block("Overview", "2027-07-12", "08:00", "12:00"),
            try block("Lunch", "2027-07-12", "12:00", "13:00", isBreak: true),
            try block("Role-plays", "2027-07-12", "13:00", "17:00"),
        ]
        #expect(blocks[1].hours == 0)
        #expect(AgendaValidation.totalHours(blocks) == 8)
        #expect(AgendaValidation.problems(blocks, requiredHours: 8, courseName: "CIT for Dispatch") == [])
        #expect(AgendaValidation.problems(blocks, requiredHours: 9, courseName: "X") == [.hoursMismatch(total: 8, required: 9)])
    }

    @Test func aBlockOverTwelveHoursIsTooLong() throws {
        let start = try at("2027-07-12", "08:00")
        let blocks = [AgendaBlock(title: "Typo", topicCode: nil, start: start, end: start.addingTimeInterval(13 * 3600))]
        #expect(AgendaValidation.problems(blocks, requiredHours: 13, courseName: "X") == [.tooLong(index: 0, title: "Typo")])
        let twelve = [AgendaBlock(title: "Long day", topicCode: nil, start: start, end: start.addingTimeInterval(12 * 3600))]
        #expect(AgendaValidation.problems(twelve, requiredHours: 12, courseName: "X") == [])
    }

    @Test func springForwardDay() throws {
        // 2027-03-14 in Chicago: 02:00 jumps to 03:00
        #expect(ClassTimes.date(day: "2027-03-14", time: "02:30", timeZone: chicago) == nil)
        #expect(ClassTimes.date(day: "2027-03-14", time: "02:00", timeZone: chicago) == nil)
        let night = try block("Night", "2027-03-14", "01:00", "04:00")
        #expect(night.hours == 2)
        #expect(AgendaValidation.problems([night], requiredHours: 3, courseName: "X") == [.hoursMismatch(total: 2, required: 3)])
    }

    @Test func fallBackDay() throws {
        // 2027-11-07 in Chicago: 02:00 goes back to 01:00, so 01:00-03:00 is three hours
        let night = try block("Night", "2027-11-07", "01:00", "03:00")
        #expect(night.hours == 3)
        #expect(AgendaValidation.problems([night], requiredHours: 3, courseName: "X") == [])
        // a time that happens twice is its first occurrence (still daylight time)
        let twice = try at("2027-11-07", "01:30")
        #expect(chicago.isDaylightSavingTime(for: twice))
    }

    @Test func blockRoundTripsThroughCodable() throws {
        let original = try block("De-escalation", "2027-07-12", "08:00", "12:00")
        let decoded = try JSONDecoder().decode(AgendaBlock.self, from: JSONEncoder().encode(original))
        #expect(decoded == original)
    }
}

// MARK: - Class times

@Suite struct ClassTimesTests {

    @Test func summerAndWinterTimesAreLocal() throws {
        let summer = try at("2027-07-12", "08:00")
        let winter = try at("2027-01-11", "08:00")
        #expect(summer == Date(timeIntervalSince1970: 1_815_397_200))  // 13:00 UTC (CDT, -5)
        #expect(winter == Date(timeIntervalSince1970: 1_799_676_000))  // 14:00 UTC (CST, -6)
        #expect(ClassTimes.dayAndTime(summer, timeZone: chicago) == (day: "2027-07-12", time: "08:00"))
        #expect(ClassTimes.dayAndTime(winter, timeZone: chicago) == (day: "2027-01-11", time: "08:00"))
    }

    @Test(arguments: [
        ("2027-02-30", "08:00"), ("2027-13-01", "08:00"), ("2027-3-15", "08:00"), ("15/03/2027", "08:00"),
        ("2027-03-15", "24:00"), ("2027-03-15", "8:00"), ("2027-03-15", "08:60"), ("2027-03-15", ""), ("", "08:00"),
        ("2027-03-15", "08:00 PM"), ("２０２７-03-15", "08:00"),
    ])
    func invalidInputIsNil(day: String, time: String) {
        #expect(ClassTimes.date(day: day, time: time, timeZone: chicago) == nil)
    }

    @Test func secondsAreAcceptedAndLeapDayExists() throws {
        #expect(ClassTimes.date(day: "2027-03-15", time: "08:00:00", timeZone: chicago) == (try at("2027-03-15", "08:00")))
        #expect(ClassTimes.date(day: "2028-02-29", time: "00:00", timeZone: chicago) != nil)
        #expect(ClassTimes.date(day: "2027-02-29", time: "00:00", timeZone: chicago) == nil)
    }

    @Test func intervalRollsAnEarlierEndToTheNextDay() throws {
        let interval = try #require(ClassTimes.interval(day: "2027-12-31", start: "22:00", end: "02:00", timeZone: chicago))
        #expect(ClassTimes.dayAndTime(interval.end, timeZone: chicago) == (day: "2028-01-01", time: "02:00"))
        #expect(interval.end.timeIntervalSince(interval.start) == 4 * 3600)
        #expect(ClassTimes.interval(day: "2027-03-14", start: "01:00", end: "02:30", timeZone: chicago) == nil)
    }
}

// MARK: - Eligibility

@Suite struct EligibilityTests {

    @Test func officerForCITIsEligible() {
        #expect(Eligibility.check(course: CourseCatalog.cit, audience: .swornLawEnforcement) == .eligible)
    }

    @Test func teacherForCITIsSentToCIP() {
        // MUT
        let result = Eligibility.check(course: CourseCatalog.cit, audience: .nonLawEnforcementProfessionals)
        // validate
        guard case let .notEligible(reason, suggested) = result else {
            Issue.record("a teacher must not be eligible for CIT")
            return
        }
        #expect(suggested == CourseCatalog.cip.code)
        #expect(reason == "CIT is for sworn law enforcement. CIP (16 hours over 2 days) is for non-law-enforcement professionals like you.")
    }

    @Test func dispatcherForCITDispatchIsEligibleAndForCITIsSentThere() {
        #expect(Eligibility.check(course: CourseCatalog.citDispatch, audience: .dispatch) == .eligible)
        #expect(
            Eligibility.check(course: CourseCatalog.cit, audience: .dispatch)
                == .notEligible(
                    reason:
                        "CIT is for sworn law enforcement. CIT for Dispatch (8 hours over 2 days) is for dispatchers and 911 telecommunicators like you.",
                    suggestedCourseCode: "CIT-DISPATCH"
                ))
    }

    @Test func correctionsForCITIsSentToCIPAndOfficerForCIPToCIT() {
        #expect(
            Eligibility.check(course: CourseCatalog.cit, audience: .corrections)
                == .notEligible(
                    reason: "CIT is for sworn law enforcement. CIP (16 hours over 2 days) is for corrections staff like you.",
                    suggestedCourseCode: "CIP"))
        #expect(
            Eligibility.check(course: CourseCatalog.cip, audience: .swornLawEnforcement)
                == .notEligible(
                    reason:
                        "CIP is for non-law-enforcement professionals and corrections staff. CIT (40 hours over 5 days) is for sworn law enforcement like you.",
                    suggestedCourseCode: "CIT"))
    }

    @Test func everyAudienceIsEligibleOrGetsAnAnswerFromTheCatalog() {
        // Each course's own audiences are eligible; everyone else gets a reason, and any
        // suggestion is a catalog course that is really open to them.
        for course in CourseCatalog.courses {
            for audience in Audience.allCases {
                let result = Eligibility.check(course: course, audience: audience)
                if course.audiences.contains(audience) {
                    #expect(result == .eligible)
                } else if case let .notEligible(reason, code?) = result {
                    #expect(CourseCatalog.course(code: code)?.isOpen(to: audience) == true)
                    #expect(code != course.code)
                    #expect(!reason.isEmpty)
                } else {
                    #expect(!CourseCatalog.courses.contains { $0.isOpen(to: audience) }, "\(audience) has a course but got no suggestion")
                }
            }
        }
    }

    @Test func communityMemberHasNoSeedCourse() {
        #expect(
            Eligibility.check(course: CourseCatalog.cit, audience: .communityMembers)
                == .notEligible(
                    reason:
                        "CIT is for sworn law enforcement. No course in the catalog is for community members yet; the program's coordinator can tell you about other classes.",
                    suggestedCourseCode: nil
                ))
    }

    @Test func suggestionsFollowTheCatalogPassedIn() {
        // setup: a state adds a community course and a second course open to teachers
        let family = CourseDefinition(
            code: "FAMILY", title: "Family and friends class", requiredHours: 4, typicalDays: 1,
            audiences: [.communityMembers], summary: "s", source: "test"
        )
        let youth = CourseDefinition(
            code: "CIT-YOUTH", title: "CIT for Youth", requiredHours: 16, typicalDays: 2,
            audiences: [.swornLawEnforcement, .nonLawEnforcementProfessionals], summary: "s", source: "test"
        )
        let catalog = [CourseCatalog.cit, youth, CourseCatalog.cip, family]
        // MUT + validate: CIP, whose main audience teachers are, beats CIT for Youth listed first
        #expect(
            Eligibility.check(course: CourseCatalog.cit, audience: .nonLawEnforcementProfessionals, catalog: catalog)
                == .notEligible(
                    reason:
                        "CIT is for sworn law enforcement. CIP (16 hours over 2 days) is for non-law-enforcement professionals like you.",
                    suggestedCourseCode: "CIP"))
        #expect(
            Eligibility.check(course: CourseCatalog.cit, audience: .communityMembers, catalog: catalog)
                == .notEligible(
                    reason: "CIT is for sworn law enforcement. Family and friends class (4 hours) is for community members like you.",
                    suggestedCourseCode: "FAMILY"))
        // without CIP in the catalog, the course that merely admits teachers is offered
        #expect(
            Eligibility.check(course: CourseCatalog.cit, audience: .nonLawEnforcementProfessionals, catalog: [CourseCatalog.cit, youth])
                == .notEligible(
                    reason:
                        "CIT is for sworn law enforcement. CIT for Youth (16 hours over 2 days) is for non-law-enforcement professionals like you.",
                    suggestedCourseCode: "CIT-YOUTH"))
    }
}
