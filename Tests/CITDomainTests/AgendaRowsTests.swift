import Foundation
import Testing
import CITDomain

private let chicago = TimeZone(identifier: "America/Chicago")!
private let topics: Set<String> = Set(CourseCatalog.topics.map(\.code))

/// A 40-hour CIT week starting on `day`: 08:00–12:00 teaching, lunch, 12:30–16:30 teaching.
private func citWeek(from day: String) -> [AgendaRow] {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX"); formatter.timeZone = chicago; formatter.dateFormat = "yyyy-MM-dd"
    var date = formatter.date(from: day)!
    var rows: [AgendaRow] = []
    for _ in 0..<5 {
        let d = formatter.string(from: date)
        rows.append(
            AgendaRow(day: d, start: "08:00", end: "12:00", title: "Overview of mental illnesses", topic: "mental-illness-overview"))
        rows.append(AgendaRow(day: d, start: "12:00", end: "12:30", title: "Lunch", topic: AgendaRows.breakChoice))
        rows.append(AgendaRow(day: d, start: "12:30", end: "16:30", title: "Role-plays", topic: "role-plays"))
        date = Calendar(identifier: .gregorian).date(byAdding: .day, value: 1, to: date)!
    }
    return rows
}

private func at(_ day: String, _ time: String) throws -> Date {
    try #require(ClassTimes.date(day: day, time: time, timeZone: chicago))
}

private func problems(_ rows: [AgendaRow], now: Date, requireNotEnded: Bool = true) -> [AgendaRowProblem] {
    AgendaRows.problems(
        rows, timeZone: chicago, topicCodes: topics, requiredHours: 40, courseName: "CIT", now: now, requireNotEnded: requireNotEnded)
}

@Suite struct AgendaRowsTests {
    @Test func aFortyHourWeekWithBlankRowsBetweenIsValid() throws {
        // setup: rows with blank ones left over, as a form without JavaScript sends them
        var rows = citWeek(from: "2027-03-15")
        rows.insert(AgendaRow(topic: "de-escalation"), at: 4)  // a topic left on an unused row
        rows.append(contentsOf: Array(repeating: AgendaRow(), count: 6))
        // MUT
        let found = problems(rows, now: try at("2027-01-01", "09:00"))
        let reading = AgendaRows.read(rows, timeZone: chicago, topicCodes: topics)
        // validate
        #expect(found.isEmpty, "\(found)")
        #expect(reading.blocks.count == 15)
        #expect(AgendaValidation.totalHours(reading.blocks) == 40)
        #expect(reading.blocks[1].isBreak && reading.blocks[1].topicCode == nil)
        #expect(reading.rows[4] == 6, "blocks remember the form row they came from, blank rows counted")
    }

    @Test func anEndBeforeTheStartIsReportedOnItsRow() throws {
        var rows = citWeek(from: "2027-03-15")
        rows[2].start = "16:30"; rows[2].end = "12:30"
        let found = problems(rows, now: try at("2027-01-01", "09:00"))
        #expect(
            found == [
                AgendaRowProblem(
                    row: 3,
                    message: "Row 3: the end (12:30) is before the start (16:30). A block past midnight is two rows, one on each day.")
            ])
    }

    @Test func eachRowGetsItsOwnMessageAndTheHoursWaitUntilRowsRead() throws {
        var rows = citWeek(from: "2027-03-15")
        rows[0].day = ""
        rows[3].start = ""
        rows[5].day = "2027-02-30"
        rows[6].topic = "no-such-topic"
        rows[7].title = "<script>"
        let found = problems(rows, now: try at("2027-01-01", "09:00"))
        #expect(found.map(\.row) == [1, 4, 6, 7, 8])
        #expect(found[0].message == "Row 1: choose the date.")
        #expect(found[1].message == "Row 4: enter both the start and the end time.")
        #expect(found[2].message.hasPrefix("Row 6: 2027-02-30 at 12:30 is not a real local time"))
        #expect(found[3].message == "Row 7: choose a topic from the list.")
        #expect(found[4].message.hasPrefix("Row 8: the title must be plain text"))
    }

    @Test func overlapsNameBothRowsOnTheLaterOne() throws {
        var rows = citWeek(from: "2027-03-15")
        rows[1].start = "11:30"  // lunch starts before the morning block ends
        let found = problems(rows, now: try at("2027-01-01", "09:00"))
        #expect(
            found.first == AgendaRowProblem(row: 2, message: "Row 2: overlaps row 1 (08:00–12:00 that day). Blocks must not share time."))
    }

    @Test func thirtyNineAndAHalfHoursOfCITSaysWhatIsMissing() throws {
        var rows = citWeek(from: "2027-03-15")
        rows[14].end = "16:00"
        let found = problems(rows, now: try at("2027-01-01", "09:00"))
        #expect(
            found == [
                AgendaRowProblem(
                    row: nil,
                    message: "The teaching blocks add up to 39.5 hours; CIT needs 40 (0.5 hours missing). Breaks and lunch do not count.")
            ])
    }

    @Test func aClassUnderWayCanBeEnteredButNotOneThatIsOver() throws {
        let rows = citWeek(from: "2027-03-15")
        // Wednesday noon of the class week: two days are behind, three ahead.
        #expect(problems(rows, now: try at("2027-03-17", "12:00")).isEmpty)
        // Friday 16:29: the last minute of the class.
        #expect(problems(rows, now: try at("2027-03-19", "16:29")).isEmpty)
        // Friday 16:30: over.
        let over = problems(rows, now: try at("2027-03-19", "16:30"))
        #expect(over.count == 1 && over[0].row == nil)
        #expect(over[0].message.contains("already over: its last block ended 2027-03-19 at 16:30"))
        // Editing a past class without touching its agenda is not refused for its dates.
        #expect(problems(rows, now: try at("2027-04-01", "09:00"), requireNotEnded: false).isEmpty)
    }

    @Test func anAllBlankAgendaAsksForRows() throws {
        let found = problems(Array(repeating: AgendaRow(), count: 12), now: try at("2027-01-01", "09:00"))
        #expect(found.count == 1 && found[0].row == nil && found[0].message.hasPrefix("The agenda has no blocks yet"))
    }

    @Test func lunchByTitleIsABreakWithoutChoosingTheTopic() throws {
        let reading = AgendaRows.read(
            [AgendaRow(day: "2027-03-15", start: "12:00", end: "12:30", title: "Lunch")], timeZone: chicago, topicCodes: topics)
        #expect(reading.problems.isEmpty)
        #expect(reading.blocks.first?.isBreak == true)
        #expect(reading.blocks.first?.hours == 0)
    }

    @Test func rowsForAnAgendaReadBackToTheSameBlocks() throws {
        let rows = citWeek(from: "2027-03-15")
        let blocks = AgendaRows.read(rows, timeZone: chicago, topicCodes: topics).blocks
        let again = AgendaRows.rows(for: blocks.reversed(), timeZone: chicago)
        #expect(again == rows)
        #expect(AgendaRows.read(again, timeZone: chicago, topicCodes: topics).blocks == blocks)
    }

    @Test func scriptTextBecomesRows() throws {
        let rows = AgendaRows.rows(
            fromText: "2027-03-15 8:00-12:00 Overview #mental-illness-overview\n\n2027-03-15 12:00–12:30 Lunch\ntomorrow morning")
        #expect(
            rows == [
                AgendaRow(day: "2027-03-15", start: "08:00", end: "12:00", title: "Overview", topic: "mental-illness-overview"),
                AgendaRow(day: "2027-03-15", start: "12:00", end: "12:30", title: "Lunch", topic: ""),
                AgendaRow(title: "tomorrow morning"),
            ])
        let found = AgendaRows.read(rows, timeZone: chicago, topicCodes: topics).problems
        #expect(found == [AgendaRowProblem(row: 3, message: "Row 3: choose the date.")])
    }

    @Test func blocksWithAttendanceKeepTheirPlaceAndTimes() throws {
        let old = AgendaRows.read(citWeek(from: "2027-03-15"), timeZone: chicago, topicCodes: topics).blocks
        var renamed = old
        renamed[0].title = "Mental illness: an overview"
        var appended = old
        appended.append(
            AgendaBlock(title: "Extra", topicCode: nil, start: try at("2027-03-20", "08:00"), end: try at("2027-03-20", "09:00")))
        var moved = old
        moved[0].start = try at("2027-03-15", "08:30")
        #expect(AgendaRows.changesRecordedBlocks(old: old, new: renamed, recorded: [0, 2], timeZone: chicago).isEmpty)
        #expect(AgendaRows.changesRecordedBlocks(old: old, new: appended, recorded: [0, 14], timeZone: chicago).isEmpty)
        let refused = AgendaRows.changesRecordedBlocks(old: old, new: moved, recorded: [0], timeZone: chicago)
        #expect(refused.count == 1 && refused[0].message.contains("2027-03-15 08:00–12:00"))
        #expect(AgendaRows.changesRecordedBlocks(old: old, new: moved, recorded: [3], timeZone: chicago).isEmpty)
    }
}
