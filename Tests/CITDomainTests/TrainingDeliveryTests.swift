import Foundation
import Testing
@testable import CITDomain

private let chicagoZone = TimeZone(identifier: "America/Chicago")!

/// A Date for a wall-clock time in Chicago; fails the test if the time does not exist.
private func chicagoTime(_ day: String, _ time: String) throws -> Date {
    try #require(ClassTimes.date(day: day, time: time, timeZone: chicagoZone))
}

private func agendaBlock(_ title: String, _ day: String, _ from: String, _ to: String, topic: String?, isBreak: Bool = false) throws
    -> AgendaBlock
{
    let interval = try #require(ClassTimes.interval(day: day, start: from, end: to, timeZone: chicagoZone))
    return AgendaBlock(title: title, topicCode: isBreak ? nil : topic, start: interval.start, end: interval.end, isBreak: isBreak)
}

private func chicagoCalendar() -> Calendar {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = chicagoZone
    return calendar
}

/// A span covering the whole block, as a trainer records someone there start to finish.
private func present(_ index: Int, _ agenda: [AgendaBlock]) -> BlockAttendance {
    BlockAttendance(blockIndex: index, spans: [AttendanceSpan(checkIn: agenda[index].start, checkOut: agenda[index].end)])
}

/// Everyone present for every teaching block, except the indices listed.
private func fullAttendance(_ agenda: [AgendaBlock], except skipped: Set<Int> = []) -> [BlockAttendance] {
    agenda.indices.filter { !agenda[$0].isBreak && !skipped.contains($0) }.map { present($0, agenda) }
}

/// Five days of 08:00-12:00, lunch, 13:00-17:00 in Chicago: 40 hours.
/// Teaching blocks are at indices 0, 2, 3, 5, 6, 8, 9, 11, 12, 14; lunches at 1, 4, 7, 10, 13.
/// De-escalation: day 2 morning (3). Role-plays: day 2 afternoon (5) and day 5 afternoon (14).
private func fiveDayCIT() throws -> [AgendaBlock] {
    let days = ["2027-03-15", "2027-03-16", "2027-03-17", "2027-03-18", "2027-03-19"]
    let mornings = ["mental-illness-overview", "de-escalation", "suicide-prevention", "civil-commitment", "community-resources"]
    let afternoons = ["lived-experience", "role-plays", "medications", "hearing-voices-simulation", "role-plays"]
    var blocks: [AgendaBlock] = []
    for (offset, day) in days.enumerated() {
        blocks.append(try agendaBlock("Day \(offset + 1) morning", day, "08:00", "12:00", topic: mornings[offset]))
        blocks.append(try agendaBlock("Lunch", day, "12:00", "13:00", topic: nil, isBreak: true))
        blocks.append(try agendaBlock("Day \(offset + 1) afternoon", day, "13:00", "17:00", topic: afternoons[offset]))
    }
    return blocks
}

/// Two days of 08:00-12:00, lunch, 13:00-17:00 in Chicago: 16 hours.
private func twoDayCIP() throws -> [AgendaBlock] {
    var blocks: [AgendaBlock] = []
    for (offset, day) in ["2027-03-15", "2027-03-16"].enumerated() {
        blocks.append(try agendaBlock("Day \(offset + 1) morning", day, "08:00", "12:00", topic: "mental-illness-overview"))
        blocks.append(try agendaBlock("Lunch", day, "12:00", "13:00", topic: nil, isBreak: true))
        blocks.append(try agendaBlock("Day \(offset + 1) afternoon", day, "13:00", "17:00", topic: "de-escalation"))
    }
    return blocks
}

/// A small seeded generator (SplitMix64) so generated codes are repeatable in tests.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Every test of this file lives under this suite, so `swift test --filter
/// TrainingDeliveryTests` runs exactly them.
@Suite struct TrainingDeliveryTests {}

// MARK: - Attendance

extension TrainingDeliveryTests {

    @Suite struct AttendanceCredit {

        @Test func overlappingCheckInsAreCountedOnce() throws {
            // setup: 08:00-12:00; the trainee checked in twice and the sheets overlap
            let block = try agendaBlock("Morning", "2027-03-15", "08:00", "12:00", topic: "de-escalation")
            let spans = [
                AttendanceSpan(checkIn: try chicagoTime("2027-03-15", "08:00"), checkOut: try chicagoTime("2027-03-15", "10:00")),
                AttendanceSpan(checkIn: try chicagoTime("2027-03-15", "09:30"), checkOut: try chicagoTime("2027-03-15", "12:00")),
                AttendanceSpan(checkIn: try chicagoTime("2027-03-15", "09:00"), checkOut: try chicagoTime("2027-03-15", "09:45")),
            ]
            // MUT
            let minutes = AttendanceHours.creditedMinutes(block: block, attendance: BlockAttendance(blockIndex: 0, spans: spans))
            // validate: 240 minutes, not 150 + 120 + 45
            #expect(minutes == 240)
            #expect(AttendanceHours.hoursEarned(agenda: [block], attendance: [BlockAttendance(blockIndex: 0, spans: spans)]) == 4)
        }

        @Test func spansAreClippedToTheBlockAndGapsDoNotCount() throws {
            let block = try agendaBlock("Morning", "2027-03-15", "08:00", "12:00", topic: "de-escalation")
            // arrived early, left 09:00, back 10:30, stayed past the end
            let spans = [
                AttendanceSpan(checkIn: try chicagoTime("2027-03-15", "07:30"), checkOut: try chicagoTime("2027-03-15", "09:00")),
                AttendanceSpan(checkIn: try chicagoTime("2027-03-15", "10:30"), checkOut: try chicagoTime("2027-03-15", "12:45")),
            ]
            #expect(AttendanceHours.creditedMinutes(block: block, attendance: BlockAttendance(blockIndex: 0, spans: spans)) == 150)
            // a span on another day earns nothing here
            let elsewhere = AttendanceSpan(
                checkIn: try chicagoTime("2027-03-16", "08:00"), checkOut: try chicagoTime("2027-03-16", "12:00"))
            #expect(AttendanceHours.creditedMinutes(block: block, attendance: BlockAttendance(blockIndex: 0, spans: [elsewhere])) == 0)
        }

        @Test func checkOutBeforeCheckInIsRefusedAndCountsNothing() throws {
            // setup
            let block = try agendaBlock("Morning", "2027-03-15", "08:00", "12:00", topic: "de-escalation")
            let backwards = AttendanceSpan(
                checkIn: try chicagoTime("2027-03-15", "11:00"), checkOut: try chicagoTime("2027-03-15", "09:00"))
            let instant = AttendanceSpan(checkIn: try chicagoTime("2027-03-15", "09:00"), checkOut: try chicagoTime("2027-03-15", "09:00"))
            let good = AttendanceSpan(checkIn: try chicagoTime("2027-03-15", "08:00"), checkOut: try chicagoTime("2027-03-15", "08:30"))
            // MUT + validate: refused by validate
            #expect(throws: AttendanceProblem.checkOutBeforeCheckIn) { try AttendanceHours.validate(backwards) }
            #expect(throws: AttendanceProblem.checkOutBeforeCheckIn) { try AttendanceHours.validate(instant) }
            try AttendanceHours.validate(good)
            // and worth nothing if saved anyway, without eating the good span's time
            #expect(AttendanceHours.creditedMinutes(block: block, attendance: BlockAttendance(blockIndex: 0, spans: [backwards])) == 0)
            #expect(
                AttendanceHours.creditedMinutes(
                    block: block, attendance: BlockAttendance(blockIndex: 0, spans: [backwards, good, instant])) == 30)
            #expect(
                AttendanceProblem.checkOutBeforeCheckIn.description
                    == "The check-out time must be after the check-in time. Check both times; a check-out after midnight is on the next day."
            )
        }

        @Test func minutesOutOfRangeAreRefused() throws {
            let block = try agendaBlock("Morning", "2027-03-15", "08:00", "12:00", topic: "de-escalation")
            #expect(throws: AttendanceProblem.minutesOutOfRange(minutes: -5, blockMinutes: 240)) {
                try AttendanceHours.validate(minutes: -5, block: block)
            }
            #expect(throws: AttendanceProblem.minutesOutOfRange(minutes: 241, blockMinutes: 240)) {
                try AttendanceHours.validate(minutes: 241, block: block)
            }
            try AttendanceHours.validate(minutes: 0, block: block)
            try AttendanceHours.validate(minutes: 240, block: block)
            #expect(
                AttendanceProblem.minutesOutOfRange(minutes: 241, blockMinutes: 240).description
                    == "Minutes attended must be between 0 and 240, the length of this block; 241 was entered.")
        }

        @Test func typedMinutesOverrideSpansAndNeverExceedTheBlock() throws {
            let block = try agendaBlock("Morning", "2027-03-15", "08:00", "12:00", topic: "de-escalation")
            let whole = AttendanceSpan(checkIn: block.start, checkOut: block.end)
            // minutes win over the spans: the trainer corrected the sheet
            #expect(
                AttendanceHours.creditedMinutes(block: block, attendance: BlockAttendance(blockIndex: 0, spans: [whole], minutes: 90)) == 90
            )
            // saved out of range anyway: clamped, never more than the block or below 0
            #expect(AttendanceHours.creditedMinutes(block: block, attendance: BlockAttendance(blockIndex: 0, minutes: 500)) == 240)
            #expect(AttendanceHours.creditedMinutes(block: block, attendance: BlockAttendance(blockIndex: 0, minutes: -30)) == 0)
        }

        @Test func breaksEarnNothing() throws {
            // setup: a trainee "present" over lunch, even excused for it
            let agenda = try fiveDayCIT()
            let lunch = agenda[1]
            #expect(lunch.isBreak)
            let atLunch = BlockAttendance(
                blockIndex: 1, spans: [AttendanceSpan(checkIn: lunch.start, checkOut: lunch.end)], minutes: 60,
                excusedMakeUp: "ate with the class")
            // MUT + validate
            #expect(AttendanceHours.creditedMinutes(block: lunch, attendance: atLunch) == 0)
            #expect(AttendanceHours.hoursEarned(agenda: agenda, attendance: [atLunch]) == 0)
            // a span running from the morning through lunch earns the morning only
            let through = BlockAttendance(blockIndex: 0, spans: [AttendanceSpan(checkIn: agenda[0].start, checkOut: lunch.end)])
            #expect(AttendanceHours.hoursEarned(agenda: agenda, attendance: [through]) == 4)
        }

        @Test func entriesForTheSameBlockAreMergedAndStrayIndicesIgnored() throws {
            let agenda = try fiveDayCIT()
            // the same block recorded twice (two trainers' sheets), plus indices off the agenda
            let attendance = [
                present(0, agenda), present(0, agenda), BlockAttendance(blockIndex: 15, minutes: 240),
                BlockAttendance(blockIndex: -1, minutes: 240),
            ]
            #expect(AttendanceHours.hoursEarned(agenda: agenda, attendance: attendance) == 4)
            // the larger typed minutes count; one excuse is enough
            let merged = AttendanceHours.merge(
                [
                    BlockAttendance(blockIndex: 2, minutes: 60),
                    BlockAttendance(blockIndex: 2, minutes: 180),
                    BlockAttendance(blockIndex: 3, excusedMakeUp: nil),
                    BlockAttendance(blockIndex: 3, excusedMakeUp: "Sick; made up on 2027-04-12"),
                ], blockCount: agenda.count)
            #expect(merged[2]?.minutes == 180)
            #expect(merged[3]?.isExcused == true)
            #expect(AttendanceHours.hoursEarned(agenda: agenda, attendance: Array(merged.values)) == 7)
        }

        @Test func aBlankExcuseDoesNotExcuse() throws {
            let block = try agendaBlock("Morning", "2027-03-15", "08:00", "12:00", topic: "de-escalation")
            #expect(AttendanceHours.creditedMinutes(block: block, attendance: BlockAttendance(blockIndex: 0, excusedMakeUp: "  ")) == 0)
            #expect(
                AttendanceHours.creditedMinutes(
                    block: block, attendance: BlockAttendance(blockIndex: 0, excusedMakeUp: "Made up with the March class")) == 240)
        }
    }
}

// MARK: - Completion

extension TrainingDeliveryTests {

    @Suite struct CompletionRulesTests {

        let citPolicy = CompletionPolicy.standard(courseCode: "CIT", requiredHours: 40)

        @Test func fortyHoursIsComplete() throws {
            let agenda = try fiveDayCIT()
            // MUT
            let result = CompletionRules.evaluate(
                policy: citPolicy, agenda: agenda, attendance: fullAttendance(agenda), timeZone: chicagoZone)
            // validate
            #expect(result.hoursEarned == 40)
            #expect(result.shortfalls == [])
            #expect(result.isComplete)
        }

        @Test func thirtyNinePointFiveOfFortyIsNotComplete() throws {
            // setup: left the day 3 afternoon (medications, not a required module) at 16:30
            let agenda = try fiveDayCIT()
            var attendance = fullAttendance(agenda, except: [8])
            attendance.append(
                BlockAttendance(
                    blockIndex: 8, spans: [AttendanceSpan(checkIn: agenda[8].start, checkOut: try chicagoTime("2027-03-17", "16:30"))]))
            // MUT
            let result = CompletionRules.evaluate(policy: citPolicy, agenda: agenda, attendance: attendance, timeZone: chicagoZone)
            // validate
            #expect(!result.isComplete)
            #expect(result.hoursEarned == 39.5)
            #expect(result.shortfalls == [.hours(earned: 39.5, required: 40)])
            #expect(result.shortfalls[0].description == "Attended 39.5 hours of the 40 required (0.5 hours missing).")
        }

        @Test func onlyASecondOfRoundingIsForgiven() throws {
            let agenda = try fiveDayCIT()
            func leavingEarly(by seconds: Double) -> [BlockAttendance] {
                var attendance = fullAttendance(agenda, except: [8])
                attendance.append(
                    BlockAttendance(
                        blockIndex: 8,
                        spans: [AttendanceSpan(checkIn: agenda[8].start, checkOut: agenda[8].end.addingTimeInterval(-seconds))]))
                return attendance
            }
            #expect(
                CompletionRules.evaluate(policy: citPolicy, agenda: agenda, attendance: leavingEarly(by: 0.5), timeZone: chicagoZone)
                    .isComplete)
            let oneMinute = CompletionRules.evaluate(
                policy: citPolicy, agenda: agenda, attendance: leavingEarly(by: 60), timeZone: chicagoZone)
            #expect(!oneMinute.isComplete)
            #expect(oneMinute.shortfalls.count == 1)
        }

        @Test func anExcusedMakeUpOfTheMissingBlockCompletes() throws {
            // setup: missed the whole day 3 afternoon
            let agenda = try fiveDayCIT()
            let missing = fullAttendance(agenda, except: [8])
            #expect(
                CompletionRules.evaluate(policy: citPolicy, agenda: agenda, attendance: missing, timeZone: chicagoZone).shortfalls
                    == [.hours(earned: 36, required: 40)])
            // MUT: the coordinator records the make-up
            let excused = missing + [BlockAttendance(blockIndex: 8, excusedMakeUp: "Made up with the Dane County class on 2027-04-14")]
            let result = CompletionRules.evaluate(policy: citPolicy, agenda: agenda, attendance: excused, timeZone: chicagoZone)
            // validate
            #expect(result.isComplete)
            #expect(result.hoursEarned == 40)
        }

        @Test func citMissingTheRolePlayBlockHasAModuleShortfall() throws {
            // setup: absent for the day 5 role-plays
            let agenda = try fiveDayCIT()
            let attendance = fullAttendance(agenda, except: [14])
            // MUT
            let result = CompletionRules.evaluate(policy: citPolicy, agenda: agenda, attendance: attendance, timeZone: chicagoZone)
            // validate
            let module = CompletionShortfall.module(
                topicCode: "role-plays", title: "Role-plays with feedback", blockTitle: "Day 5 afternoon")
            #expect(result.shortfalls == [.hours(earned: 36, required: 40), module])
            #expect(
                module.description
                    == "Did not attend all of “Day 5 afternoon”, a required Role-plays with feedback block. A coordinator can record an excused make-up."
            )
            // a policy asking fewer hours still refuses the missing module on its own
            let fewerHours = CompletionPolicy(requiredHours: 36, requiredTopicCodes: ["de-escalation", "role-plays"])
            #expect(
                CompletionRules.evaluate(policy: fewerHours, agenda: agenda, attendance: attendance, timeZone: chicagoZone).shortfalls == [
                    module
                ])
        }

        @Test func partlyAttendedRequiredBlockIsAShortfallButOtherTopicsAreNot() throws {
            // setup: left the de-escalation morning 30 minutes early; the policy asks 39.5 hours
            let agenda = try fiveDayCIT()
            let partial = fullAttendance(agenda, except: [3]) + [BlockAttendance(blockIndex: 3, minutes: 210)]
            let policy = CompletionPolicy(requiredHours: 39.5, requiredTopicCodes: ["de-escalation", "role-plays"])
            #expect(
                CompletionRules.evaluate(policy: policy, agenda: agenda, attendance: partial, timeZone: chicagoZone).shortfalls
                    == [.module(topicCode: "de-escalation", title: "De-escalation", blockTitle: "Day 2 morning")])
            // the same half hour missed from medications is fine under that policy
            let elsewhere = fullAttendance(agenda, except: [8]) + [BlockAttendance(blockIndex: 8, minutes: 210)]
            #expect(CompletionRules.evaluate(policy: policy, agenda: agenda, attendance: elsewhere, timeZone: chicagoZone).isComplete)
        }

        @Test func cipMissingTheSecondDayHasADayShortfall() throws {
            // setup: both CIP days are required; the trainee came on day 1 only
            let agenda = try twoDayCIP()
            let policy = CompletionPolicy.standard(courseCode: "CIP", requiredHours: 16)
            let dayOne = [present(0, agenda), present(2, agenda)]
            // MUT
            let result = CompletionRules.evaluate(policy: policy, agenda: agenda, attendance: dayOne, timeZone: chicagoZone)
            // validate
            #expect(result.shortfalls == [.hours(earned: 8, required: 16), .day("2027-03-16")])
            #expect(
                CompletionShortfall.day("2027-03-16").description
                    == "No attendance recorded on 2027-03-16; the course requires attendance on every day of the class.")
            // an hour on day 2 satisfies the day rule; the hours are still short
            let someOfDayTwo = dayOne + [BlockAttendance(blockIndex: 3, minutes: 60)]
            #expect(
                CompletionRules.evaluate(policy: policy, agenda: agenda, attendance: someOfDayTwo, timeZone: chicagoZone).shortfalls
                    == [.hours(earned: 9, required: 16)])
            #expect(
                CompletionRules.evaluate(policy: policy, agenda: agenda, attendance: fullAttendance(agenda), timeZone: chicagoZone)
                    .isComplete)
        }

        @Test func daysAreCountedInTheClassTimeZone() throws {
            // setup: an evening session 19:00-23:00 in Chicago is already the next day in UTC
            let agenda = [
                try agendaBlock("Evening 1", "2027-03-15", "19:00", "23:00", topic: "de-escalation"),
                try agendaBlock("Evening 2", "2027-03-16", "19:00", "23:00", topic: "de-escalation"),
            ]
            let policy = CompletionPolicy(requiredHours: 4, requireEveryDay: true)
            let attendance = [present(0, agenda)]
            // MUT + validate
            #expect(
                CompletionRules.evaluate(policy: policy, agenda: agenda, attendance: attendance, timeZone: chicagoZone).shortfalls == [
                    .day("2027-03-16")
                ])
            #expect(
                CompletionRules.evaluate(policy: policy, agenda: agenda, attendance: attendance, timeZone: TimeZone(identifier: "UTC")!)
                    .shortfalls == [.day("2027-03-17")])
        }

        @Test func anAgendaShorterThanRequiredLeavesEveryoneShort() throws {
            // setup: the class only ran 39 hours
            let agenda = try fiveDayCIT().enumerated().map { offset, block in
                var block = block
                if offset == 14 { block.end = block.end.addingTimeInterval(-3600) }
                return block
            }
            let result = CompletionRules.evaluate(
                policy: citPolicy, agenda: agenda, attendance: fullAttendance(agenda), timeZone: chicagoZone)
            #expect(result.shortfalls == [.hours(earned: 39, required: 40)])
        }

        @Test func standardPoliciesPerCourse() {
            let cit = CompletionPolicy.standard(courseCode: "CIT", requiredHours: 40)
            #expect(
                cit == CompletionPolicy(requiredHours: 40, requiredTopicCodes: ["de-escalation", "role-plays"], requireEveryDay: false))
            #expect(CompletionPolicy.standard(courseCode: "cit", requiredHours: 40) == cit)
            #expect(
                CompletionPolicy.standard(courseCode: "CIP", requiredHours: 16)
                    == CompletionPolicy(requiredHours: 16, requiredTopicCodes: [], requireEveryDay: true))
            #expect(CompletionPolicy.standard(courseCode: "CIT-DISPATCH", requiredHours: 8) == CompletionPolicy(requiredHours: 8))
            #expect(CompletionPolicy.standard(courseCode: "CIT-YOUTH", requiredHours: 16) == CompletionPolicy(requiredHours: 16))
        }

        @Test func summariesAreOnePlainSentence() {
            #expect(
                CompletionPolicy.standard(courseCode: "CIT", requiredHours: 40).summary
                    == "All 40 hours, including every De-escalation and Role-plays with feedback block; an excused make-up recorded by a coordinator counts."
            )
            #expect(
                CompletionPolicy.standard(courseCode: "CIP", requiredHours: 16).summary
                    == "All 16 hours, with attendance on every day of the class; an excused make-up recorded by a coordinator counts.")
            #expect(
                CompletionPolicy.standard(courseCode: "CIT-DISPATCH", requiredHours: 8).summary
                    == "All 8 hours; an excused make-up recorded by a coordinator counts.")
            #expect(
                CompletionPolicy(requiredHours: 7.5, requiredTopicCodes: ["state-module"], requireEveryDay: true).summary
                    == "All 7.5 hours, including every state-module block, and attendance on every day of the class; an excused make-up recorded by a coordinator counts."
            )
        }

        @Test func policyRoundTripsThroughJSON() throws {
            let policy = CompletionPolicy.standard(courseCode: "CIT", requiredHours: 40)
            let decoded = try JSONDecoder().decode(CompletionPolicy.self, from: JSONEncoder().encode(policy))
            #expect(decoded == policy)
        }
    }
}

// MARK: - Verification codes

extension TrainingDeliveryTests {

    @Suite struct VerificationCodes {

        /// Worked out independently of the Swift code (GF(32), x^5 + x^2 + 1, weights α^1…α^15, check weight 1).
        let known = "7K3M-0Q1Z-R8TV-X4HK"

        func hasCodeShape(_ code: String) -> Bool {
            let characters = Array(code)
            guard characters.count == 19 else { return false }
            for (position, character) in characters.enumerated() {
                if [4, 9, 14].contains(position) {
                    if character != "-" { return false }
                } else if !"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(character) {
                    return false
                }
            }
            return true
        }

        @Test func generatedCodesHaveTheFormatAndNormalizeToThemselves() {
            for _ in 0..<200 {
                let code = VerificationCode.generate()
                #expect(hasCodeShape(code), "\(code)")
                #expect(VerificationCode.normalize(code) == code)
            }
        }

        @Test func aSeededGeneratorGivesRepeatableCodes() {
            var first = SeededGenerator(state: 42)
            var again = SeededGenerator(state: 42)
            var other = SeededGenerator(state: 43)
            let code = VerificationCode.generate(using: &first)
            #expect(code == VerificationCode.generate(using: &again))
            #expect(code != VerificationCode.generate(using: &other))
            #expect(VerificationCode.normalize(code) == code)
        }

        @Test func normalizeAcceptsWhatPeopleType() {
            #expect(VerificationCode.normalize(known) == known)
            #expect(VerificationCode.normalize("7k3m-0q1z-r8tv-x4hk") == known)
            #expect(VerificationCode.normalize("7K3M0Q1ZR8TVX4HK") == known)
            #expect(VerificationCode.normalize(" 7K3M 0Q1Z R8TV X4HK ") == known)
            #expect(VerificationCode.normalize("7K3M--0Q1Z-R8-TV-X4HK-") == known)
            #expect(VerificationCode.normalize("7K3M–0Q1Z–R8TV–X4HK") == known)  // en dashes from a word processor
            // O read as zero, I and L as one
            #expect(VerificationCode.normalize("7K3M-OQIZ-R8TV-X4HK") == known)
            #expect(VerificationCode.normalize("7k3m-oqlz-r8tv-x4hk") == known)
        }

        @Test func aWrongCheckCharacterOrAOneCharacterTypoIsRejected() {
            // the last (check) character changed
            #expect(VerificationCode.normalize("7K3M-0Q1Z-R8TV-X4HJ") == nil)
            // Q typed as J in the second group
            #expect(VerificationCode.normalize("7K3M-0J1Z-R8TV-X4HK") == nil)
            // two neighbours swapped
            #expect(VerificationCode.normalize("7K3M-Q01Z-R8TV-X4HK") == nil)
        }

        @Test func everySingleSubstitutionAndSwapIsCaught() {
            // setup: a few hundred codes; every one-character change and every swap of two
            // different characters must fail the check (the GF(32) weights guarantee it)
            var generator = SeededGenerator(state: 7)
            let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
            var tried = 0
            var accepted = 0
            for _ in 0..<100 {
                let code = Array(VerificationCode.generate(using: &generator).filter { $0 != "-" })
                for position in 0..<16 {
                    for replacement in alphabet where replacement != code[position] {
                        var typo = code
                        typo[position] = replacement
                        tried += 1
                        if VerificationCode.normalize(String(typo)) != nil { accepted += 1 }
                    }
                    for other in (position + 1)..<16 where code[other] != code[position] {
                        var swapped = code
                        swapped.swapAt(position, other)
                        tried += 1
                        if VerificationCode.normalize(String(swapped)) != nil { accepted += 1 }
                    }
                }
            }
            #expect(tried > 100 * 16 * 31)
            #expect(accepted == 0)
        }

        @Test func malformedInputIsRejected() {
            #expect(VerificationCode.normalize("") == nil)
            #expect(VerificationCode.normalize("7K3M-0Q1Z-R8TV-X4H") == nil)  // 15 characters
            #expect(VerificationCode.normalize("7K3M-0Q1Z-R8TV-X4HKK") == nil)  // 17 characters
            #expect(VerificationCode.normalize("7K3M-0Q1Z-R8TU-X4HK") == nil)  // U is not in the alphabet
            #expect(VerificationCode.normalize("7K3M-0Q1Z-R8T!-X4HK") == nil)
            #expect(VerificationCode.normalize("7K3M-0Q1Z-R8TÝ-X4HK") == nil)
        }

        @Test func theCheckWeightsAreAllDifferentAndNonZero() {
            // α = x has order 31 in GF(32), so α^0…α^15 are 16 different non-zero weights
            var weight: UInt8 = 1
            var seen: [UInt8] = []
            for _ in 0..<31 {
                seen.append(weight)
                weight = VerificationCode.gfMultiply(weight, 2)
            }
            #expect(weight == 1)
            #expect(Set(seen).count == 31)
            #expect(!seen.contains(0))
        }

        @Test func noCollisionsInAMillionCodes() {
            // setup
            let count = 1_000_000
            var codes = Set<String>(minimumCapacity: count)
            // MUT
            for _ in 0..<count {
                codes.insert(VerificationCode.generate())
            }
            // validate: 75 random bits make a collision here about a 1 in 10^11 event;
            // one would mean the generator is reusing bits
            #expect(codes.count == count)
        }
    }
}

// MARK: - Refresher

extension TrainingDeliveryTests {

    @Suite struct RefresherScheduleTests {

        @Test func dueTwoYearsLaterAndFebruary29IsDueFebruary28() throws {
            let calendar = chicagoCalendar()
            #expect(RefresherSchedule.interval == DateComponents(year: 2))
            let completed = try chicagoTime("2027-03-19", "17:00")
            let twoYearsLater = try chicagoTime("2029-03-19", "17:00")
            #expect(RefresherSchedule.dueDate(completedOn: completed, calendar: calendar) == twoYearsLater)
            // a leap day: 2030 has no Feb 29, and "at least every 2 years" must not slip to March
            let leap = try chicagoTime("2028-02-29", "17:00")
            let february28 = try chicagoTime("2030-02-28", "17:00")
            #expect(RefresherSchedule.dueDate(completedOn: leap, calendar: calendar) == february28)
        }

        @Test func remindersSixtyAndFourteenDaysBefore() throws {
            // setup: due 2029-03-19 at 17:00 Chicago
            let calendar = chicagoCalendar()
            let dueDate = try chicagoTime("2029-03-19", "17:00")
            func due(_ day: String, _ time: String = "17:00", sent: Set<Int> = []) throws -> Int? {
                RefresherSchedule.reminderDue(dueDate: dueDate, now: try chicagoTime(day, time), alreadySent: sent, calendar: calendar)
            }
            #expect(RefresherSchedule.reminderDaysBefore == [60, 14])
            // validate: 60 days before is 2029-01-18
            #expect(try due("2029-01-18", "16:59") == nil)
            #expect(try due("2029-01-18") == 60)
            #expect(try due("2029-02-20") == 60)
            #expect(try due("2029-02-20", sent: [60]) == nil)
            // 14 days before is 2029-03-05 (across the DST change on 2029-03-11)
            #expect(try due("2029-03-05", "16:59", sent: [60]) == nil)
            #expect(try due("2029-03-05", sent: [60]) == 14)
            #expect(try due("2029-03-10", sent: [60, 14]) == nil)
            // the 60-day one was missed: only the 14-day one goes, once
            #expect(try due("2029-03-10") == 14)
            #expect(try due("2029-03-10", sent: [14]) == nil)
            // from the due date on, no "due soon" reminder
            #expect(try due("2029-03-19", sent: [60]) == nil)
            #expect(try due("2029-06-01") == nil)
        }
    }
}

// MARK: - Rubric

extension TrainingDeliveryTests {

    @Suite struct RubricTests {

        let rubric = Rubric.deEscalationDefault

        var fullSheet: [String: Int] {
            Dictionary(uniqueKeysWithValues: rubric.criteria.map { ($0.code, 3) })
        }

        @Test func defaultRubricHasSevenCriteriaOnAFourPointScale() {
            #expect(
                rubric.criteria.map(\.title) == [
                    "Introduces self and purpose", "Calm voice and posture", "Active listening",
                    "Asks about safety and weapons", "Offers choices", "Avoids escalating triggers", "Connects to resources",
                ])
            #expect(Set(rubric.criteria.map(\.code)).count == 7)
            #expect(rubric.levels.map(\.score) == [1, 2, 3, 4])
            #expect(rubric.levels.map(\.label) == ["Not yet shown", "Developing", "Competent", "Strong"])
            #expect(rubric.levels.allSatisfy { !$0.anchor.isEmpty && $0.anchor.hasSuffix(".") })
            #expect(rubric.scale == 1...4)
        }

        @Test func aCompleteSheetHasNoProblems() {
            #expect(rubric.problems(scores: fullSheet) == [])
        }

        @Test func problemsNameTheCriterionInFormOrder() {
            // setup: "offers-choices" missing, a 5, and a code from an old form
            var sheet = fullSheet
            sheet["offers-choices"] = nil
            sheet["active-listening"] = 5
            sheet["eye-contact"] = 2
            sheet["calm-voice-posture"] = 0
            // MUT + validate
            #expect(
                rubric.problems(scores: sheet) == [
                    "0 for “Calm voice and posture” is not on the scale; use a score from 1 to 4.",
                    "5 for “Active listening” is not on the scale; use a score from 1 to 4.",
                    "“Offers choices” has no score. Give every criterion a score from 1 to 4.",
                    "“eye-contact” is not a criterion on this rubric. Reload the score sheet and score again.",
                ])
            #expect(rubric.problems(scores: [:]).count == 7)
        }

        @Test func averagesAcrossTrainersOmitUnscoredCriteria() {
            // setup: three trainers; one did not score active listening, nobody scored offers-choices
            let sheets: [[String: Int]] = [
                ["introduces-self": 4, "active-listening": 3, "calm-voice-posture": 2],
                ["introduces-self": 3, "active-listening": 2, "calm-voice-posture": 2],
                ["introduces-self": 2, "calm-voice-posture": 9, "eye-contact": 4],
            ]
            // MUT
            let averages = rubric.averages(sheets)
            // validate: off-scale 9 and unknown codes do not count
            #expect(averages == ["introduces-self": 3, "active-listening": 2.5, "calm-voice-posture": 2])
            #expect(averages["offers-choices"] == nil)
            #expect(rubric.averages([]) == [:])
        }
    }
}

// MARK: - Training record export

extension TrainingDeliveryTests {

    @Suite struct TrainingRecordExportTests {

        func row(name: String, hours: Double, provider: String = "NAMI Wisconsin CIT Program") -> CompletedTrainingRow {
            CompletedTrainingRow(
                personName: name, email: "jo.smith@example.org",
                courseTitle: "Crisis Intervention Team (CIT) training", courseCode: "CIT",
                startDate: "2027-03-15", endDate: "2027-03-19", hours: hours,
                provider: provider, certificateCode: "7K3M-0Q1Z-R8TV-X4HK"
            )
        }

        @Test func headerIsTheBoardsColumns() {
            #expect(
                TrainingRecordExport.header == [
                    "person_name", "email", "course_title", "course_code", "start_date", "end_date",
                    "hours", "category", "provider", "certificate_code",
                ])
            #expect(
                TrainingRecordExport.csv([])
                    == "person_name,email,course_title,course_code,start_date,end_date,hours,category,provider,certificate_code\r\n")
        }

        @Test func rowsAreQuotedAndHoursPrintPlainly() throws {
            // setup: a comma in a name, a quote in a provider, a half hour, a formula-looking provider
            let rows = [
                row(name: "Smith, Jo", hours: 40),
                row(name: "Lee Ann", hours: 39.5, provider: "Dane County \"CIT\" Team"),
                row(name: "Kim", hours: 16, provider: "=cmd()"),
            ]
            // MUT
            let text = TrainingRecordExport.csv(rows)
            // validate
            let lines = text.components(separatedBy: "\r\n")
            #expect(lines.count == 5)
            #expect(
                lines[1]
                    == "\"Smith, Jo\",jo.smith@example.org,Crisis Intervention Team (CIT) training,CIT,2027-03-15,2027-03-19,40,Crisis intervention,NAMI Wisconsin CIT Program,7K3M-0Q1Z-R8TV-X4HK"
            )
            #expect(
                lines[2]
                    == "Lee Ann,jo.smith@example.org,Crisis Intervention Team (CIT) training,CIT,2027-03-15,2027-03-19,39.5,Crisis intervention,\"Dane County \"\"CIT\"\" Team\",7K3M-0Q1Z-R8TV-X4HK"
            )
            #expect(lines[4] == "")
            // reads back column for column; the formula is neutralised
            let table = try CSVTable(parsing: text)
            #expect(table.header == TrainingRecordExport.header)
            #expect(table.dictionaries.map { $0["person_name"] } == ["Smith, Jo", "Lee Ann", "Kim"])
            #expect(table.dictionaries.map { $0["hours"] } == ["40", "39.5", "16"])
            #expect(table.dictionaries[2]["provider"] == "'=cmd()")
        }
    }
}

// MARK: - Certificate dates

extension TrainingDeliveryTests {

    @Suite struct CertificateDatesTests {

        @Test func aFiveDayClassInOneMonthWritesTheMonthOnce() {
            #expect(CertificateDates.range(from: "2027-03-15", to: "2027-03-19") == "15–19 March 2027")
        }

        @Test func aOneDayClassIsOneDate() {
            #expect(CertificateDates.range(from: "2027-03-15", to: "2027-03-15") == "15 March 2027")
        }

        @Test func aClassAcrossAMonthOrAYearSpacesTheDash() {
            #expect(CertificateDates.range(from: "2027-03-30", to: "2027-04-02") == "30 March – 2 April 2027")
            #expect(CertificateDates.range(from: "2026-12-28", to: "2027-01-03") == "28 December 2026 – 3 January 2027")
        }

        @Test func daysThatAreNotDaysAreRefusedNotGuessed() {
            #expect(CertificateDates.range(from: "2027-3-15", to: "2027-03-19") == nil)
            #expect(CertificateDates.range(from: "2027-03-15", to: "19/03/2027") == nil)
            #expect(CertificateDates.day("2027-13-01") == nil)
            #expect(CertificateDates.day("2027-02-01") == "1 February 2027")
        }

        @Test func theIssueDateIsTheDayInTheClassTimeZone() throws {
            // 02:30 UTC on 20 March is still 19 March in Chicago (21:30 CDT)
            let moment = try #require(ClassTimes.date(day: "2027-03-20", time: "02:30", timeZone: TimeZone(identifier: "UTC")!))
            #expect(CertificateDates.day(moment, timeZone: chicagoZone) == "19 March 2027")
            #expect(CertificateDates.day(moment, timeZone: TimeZone(identifier: "UTC")!) == "20 March 2027")
        }
    }
}
