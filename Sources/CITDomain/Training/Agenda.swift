import Foundation

/// One block of a class agenda: a topic taught between two moments, or a break.
///
/// Times are absolute `Date`s, not wall-clock strings, so a block that runs past midnight
/// or across a daylight-saving change measures its real length; `ClassTimes` turns a
/// coordinator's "2027-03-15 08:00" into a `Date` in the venue's time zone.
public struct AgendaBlock: Sendable, Equatable, Codable {
    /// What the block is called on the agenda, e.g. "De-escalation".
    public var title: String
    /// A `CourseCatalog.topics` code, or nil for breaks, lunch and anything else.
    public var topicCode: String?
    public var start: Date
    public var end: Date
    /// Breaks and lunch are on the agenda so people know when they happen, but they do
    /// not count toward the course's hours.
    public var isBreak: Bool

    public init(title: String, topicCode: String?, start: Date, end: Date, isBreak: Bool = false) {
        self.title = title
        self.topicCode = topicCode
        self.start = start
        self.end = end
        self.isBreak = isBreak
    }

    /// Training hours this block gives: its real length, 0 for a break. A block that ends
    /// before it starts gives 0 rather than negative hours, so that one typing mistake is
    /// reported once (as `endsBeforeStart`) instead of also silently eating other hours.
    public var hours: Double {
        guard !isBreak else { return 0 }
        return max(0, end.timeIntervalSince(start)) / 3600
    }
}

/// Something wrong with an agenda, worded for the coordinator who typed it.
///
/// Indices are 0-based positions in the array passed to `AgendaValidation.problems`, so
/// a form can put the message beside the row it is about; descriptions count from 1.
public enum AgendaProblem: Sendable, Equatable, CustomStringConvertible {
    /// The agenda has no blocks at all.
    case empty
    /// The block ends before (or at the moment) it starts.
    case endsBeforeStart(index: Int, title: String)
    /// Two blocks share time; `first` starts no later than `second`.
    case overlaps(first: Int, second: Int, firstTitle: String, secondTitle: String)
    /// The teaching blocks do not add up to the course's hours (1 minute tolerance).
    case hoursMismatch(total: Double, required: Double)
    /// A single block over 12 hours: nearly always a wrong date or AM/PM.
    case tooLong(index: Int, title: String)

    public var description: String {
        switch self {
        case .empty:
            return "The agenda has no blocks yet. Add the class's sessions with their start and end times."
        case let .endsBeforeStart(index, title):
            return
                "Block \(index + 1), “\(title)”, must end after it starts. Check its times; a block that runs past midnight ends on the next day."
        case let .overlaps(first, second, firstTitle, secondTitle):
            return "Block \(first + 1), “\(firstTitle)”, and block \(second + 1), “\(secondTitle)”, overlap. Blocks must not share time."
        case let .hoursMismatch(total, required):
            // The case does not carry the course's name; `description(courseName:)` says
            // "CIT needs 40", this says "the course needs 40".
            return AgendaProblem.hoursMessage(total: total, required: required, courseName: "the course")
        case let .tooLong(index, title):
            return "Block \(index + 1), “\(title)”, is longer than 12 hours. Check its date and times."
        }
    }

    /// The description, naming the course in an hours mismatch ("CIT needs 40").
    public func description(courseName: String) -> String {
        if case let .hoursMismatch(total, required) = self {
            return AgendaProblem.hoursMessage(total: total, required: required, courseName: courseName)
        }
        return description
    }

    static func hoursMessage(total: Double, required: Double, courseName: String) -> String {
        let difference = abs(required - total)
        let direction = total < required ? "missing" : "too many"
        return "The agenda adds up to \(hoursText(total)); \(courseName) needs \(number(required)) (\(hoursText(difference)) \(direction))."
    }

    /// "1 hour", "0.5 hours", "39.75 hours": at most two decimals, no trailing zeros,
    /// always a dot, whatever the server's locale.
    static func hoursText(_ hours: Double) -> String {
        let text = number(hours)
        return text == "1" ? "1 hour" : "\(text) hours"
    }

    static func number(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let whole = hundredths / 100
        let fraction = abs(hundredths % 100)
        let sign = hundredths < 0 && whole == 0 ? "-" : ""
        if fraction == 0 { return "\(sign)\(whole)" }
        var decimals = fraction < 10 ? "0\(fraction)" : "\(fraction)"
        if decimals.hasSuffix("0") { decimals.removeLast() }
        return "\(sign)\(whole).\(decimals)"
    }
}

/// Checks a class agenda before it is saved: times in order, no overlaps, no runaway
/// blocks, and the teaching time adds up to what the course requires.
public enum AgendaValidation {

    /// Hours may differ from the requirement by this much without complaint, so that
    /// rounding of times typed to the minute never refuses a correct agenda.
    public static let hoursTolerance: Double = 1.0 / 60

    /// A single block longer than this is refused as a likely typing mistake.
    public static let longestBlockHours: Double = 12

    /// Problems, in block order; empty means valid. Blocks may come in any order (sort by start).
    /// Hours compare with a tolerance of 1 minute.
    ///
    /// Block order is start time (ties: position given); a mismatch of the total comes
    /// last because it is about the whole agenda. Its `description` says "the course";
    /// use `description(courseName:)` or `messages(_:requiredHours:courseName:)` for
    /// "CIT needs 40".
    public static func problems(_ blocks: [AgendaBlock], requiredHours: Double, courseName: String) -> [AgendaProblem] {
        guard !blocks.isEmpty else { return [.empty] }
        let ordered = blocks.enumerated().sorted {
            ($0.element.start, $0.offset) < ($1.element.start, $1.offset)
        }
        var problems: [AgendaProblem] = []
        // The block reaching furthest into the future so far: any later-starting block
        // that begins before its end overlaps it. Comparing with the furthest, not just
        // the previous, catches a short block nested inside a long one and a third block.
        var furthest: (index: Int, block: AgendaBlock)?
        for (index, block) in ordered {
            if block.end <= block.start {
                // Its interval means nothing, so it takes no part in the overlap check.
                problems.append(.endsBeforeStart(index: index, title: block.title))
                continue
            }
            if block.end.timeIntervalSince(block.start) / 3600 > longestBlockHours {
                problems.append(.tooLong(index: index, title: block.title))
            }
            if let previous = furthest, block.start < previous.block.end {
                problems.append(
                    .overlaps(
                        first: previous.index, second: index,
                        firstTitle: previous.block.title, secondTitle: block.title
                    ))
            }
            if furthest == nil || block.end > furthest!.block.end {
                furthest = (index, block)
            }
        }
        let total = totalHours(blocks)
        if abs(total - requiredHours) > hoursTolerance {
            problems.append(.hoursMismatch(total: total, required: requiredHours))
        }
        return problems
    }

    /// The problems as sentences, with the course named in an hours mismatch.
    public static func messages(_ blocks: [AgendaBlock], requiredHours: Double, courseName: String) -> [String] {
        problems(blocks, requiredHours: requiredHours, courseName: courseName).map { $0.description(courseName: courseName) }
    }

    /// Training hours of the whole agenda: the sum of `hours`, breaks not counted.
    public static func totalHours(_ blocks: [AgendaBlock]) -> Double {
        blocks.reduce(0) { $0 + $1.hours }
    }
}

// MARK: - The agenda form: one row per block

/// One row of the agenda form as the coordinator typed it: strings, so that a row with a
/// mistake comes back exactly as typed, next to its message.
public struct AgendaRow: Sendable, Equatable {
    /// "yyyy-MM-dd", as `<input type="date">` sends it.
    public var day: String
    /// "HH:mm" (or "HH:mm:ss"), as `<input type="time">` sends it.
    public var start: String
    public var end: String
    public var title: String
    /// A `CourseCatalog.topics` code, `AgendaRows.breakChoice`, or "" for no topic.
    public var topic: String

    public init(day: String = "", start: String = "", end: String = "", title: String = "", topic: String = "") {
        self.day = day
        self.start = start
        self.end = end
        self.title = title
        self.topic = topic
    }

    /// A row with nothing typed in it. The topic alone does not count: a choice left on
    /// an unused row must not turn it into a half-filled block.
    public var isBlank: Bool {
        [day, start, end, title].allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}

/// Something wrong with one row of the agenda (`row`, counted from 1 as the form shows
/// it) or with the agenda as a whole (`row == nil`: no blocks, the course's hours, a class
/// that is already over). The message names the row, so it reads right in a summary too.
public struct AgendaRowProblem: Sendable, Equatable, CustomStringConvertible {
    public var row: Int?
    public var message: String

    public init(row: Int?, message: String) {
        self.row = row
        self.message = message
    }

    public var description: String { message }
}

/// The agenda form's rules: rows become blocks, each mistake is reported once, on the
/// row it is about, and the agenda as a whole is checked with `AgendaValidation`.
///
/// A row's end must be after its start on the same day. The text format this replaces
/// read "12:00-08:00" as a block running past midnight; with a date beside every row a
/// block past midnight is two rows, and an end before the start is nearly always a typo.
///
/// **Classes under way.** A class may be entered (or its agenda changed) as long as it
/// has not ended: its first blocks may lie in the past, so a coordinator can enter a
/// class that is already running and take its attendance, but an agenda whose last block
/// has ended is refused, because nobody can register for it or take attendance in it.
/// Registration itself still closes when the first block starts (`RegistrationService`).
public enum AgendaRows {
    /// The topic choice for breaks and lunch: on the agenda, not counted in the hours.
    public static let breakChoice = "break"
    /// Empty rows on a new form, enough for a 5-day class of 2 blocks and a lunch a day
    /// without JavaScript; "Add more rows" adds `rowsAdded` more.
    public static let defaultRowCount = 12
    public static let rowsAdded = 6
    /// More rows than any real agenda needs; a form claiming more is cut here.
    public static let maximumRows = 150
    public static let longestTitle = 200

    /// What reading the rows gives: blocks (with the row each came from) and problems.
    public struct Reading: Sendable {
        public var blocks: [AgendaBlock]
        /// `rows[i]` is the 1-based form row of `blocks[i]`.
        public var rows: [Int]
        public var problems: [AgendaRowProblem]
    }

    /// Reads the non-blank rows into blocks. Each row gets at most one problem, the
    /// first that applies, worded with its row number.
    public static func read(_ rows: [AgendaRow], timeZone: TimeZone, topicCodes: Set<String>) -> Reading {
        var reading = Reading(blocks: [], rows: [], problems: [])
        for (offset, row) in rows.enumerated() where !row.isBlank {
            let number = offset + 1
            func refuse(_ message: String) { reading.problems.append(AgendaRowProblem(row: number, message: "Row \(number): \(message)")) }
            let day = row.day.trimmingCharacters(in: .whitespaces)
            let start = row.start.trimmingCharacters(in: .whitespaces)
            let end = row.end.trimmingCharacters(in: .whitespaces)
            let title = row.title.trimmingCharacters(in: .whitespaces)
            let topic = row.topic.trimmingCharacters(in: .whitespaces)
            if day.isEmpty { refuse("choose the date."); continue }
            if start.isEmpty || end.isEmpty { refuse("enter both the start and the end time."); continue }
            guard ClassTimes.parseDay(day) != nil else { refuse("\(day) is not a date (pick one, or type it as 2027-03-15)."); continue }
            guard ClassTimes.parseTime(start) != nil, ClassTimes.parseTime(end) != nil else {
                refuse("a time is written like 08:30 (24-hour clock)."); continue
            }
            guard let from = ClassTimes.date(day: day, time: start, timeZone: timeZone) else {
                refuse("\(day) at \(start) is not a real local time (a date that does not exist, or a clock change)."); continue
            }
            guard let to = ClassTimes.date(day: day, time: end, timeZone: timeZone) else {
                refuse("\(day) at \(end) is not a real local time (a clock change)."); continue
            }
            if to < from {
                refuse("the end (\(end)) is before the start (\(start)). A block past midnight is two rows, one on each day."); continue
            }
            if to == from { refuse("the end is the same as the start; a block needs some time."); continue }
            if title.count > longestTitle || title.contains(where: { $0 == "<" || $0 == ">" }) {
                refuse("the title must be plain text of at most \(longestTitle) characters."); continue
            }
            let isBreak = topic == breakChoice || (topic.isEmpty && isBreakTitle(title))
            if !topic.isEmpty, !isBreak, !topicCodes.contains(topic) { refuse("choose a topic from the list."); continue }
            let fallback = isBreak ? "Break" : "Session"
            reading.blocks.append(
                AgendaBlock(
                    title: title.isEmpty ? fallback : title, topicCode: isBreak || topic.isEmpty ? nil : topic,
                    start: from, end: to, isBreak: isBreak))
            reading.rows.append(number)
        }
        return reading
    }

    /// Lunch and breaks by their title, as coordinators write them ("Lunch", "Break").
    public static func isBreakTitle(_ title: String) -> Bool {
        let lowered = title.lowercased()
        return lowered.hasPrefix("break") || lowered.hasPrefix("lunch")
    }

    /// All the problems of an agenda form, row problems first (in row order), then the
    /// agenda as a whole. `requireNotEnded` is the under-way rule above; editing a class
    /// without touching its agenda passes false.
    public static func problems(
        _ rows: [AgendaRow], timeZone: TimeZone, topicCodes: Set<String>,
        requiredHours: Double?, courseName: String, now: Date, requireNotEnded: Bool = true
    ) -> [AgendaRowProblem] {
        let reading = read(rows, timeZone: timeZone, topicCodes: topicCodes)
        var problems = reading.problems
        if reading.blocks.isEmpty {
            if problems.isEmpty {
                problems.append(
                    AgendaRowProblem(
                        row: nil, message: "The agenda has no blocks yet. Fill in a row for each session: its date, start, end and title."))
            }
            return problems
        }
        // Hours and overlaps only mean something once every row reads.
        guard problems.isEmpty else { return problems }
        var rowProblems: [AgendaRowProblem] = []
        var whole: [AgendaRowProblem] = []
        for problem in AgendaValidation.problems(reading.blocks, requiredHours: requiredHours ?? 0, courseName: courseName) {
            switch problem {
            case .empty:
                break
            case let .endsBeforeStart(index, _):
                let row = reading.rows[index]
                rowProblems.append(AgendaRowProblem(row: row, message: "Row \(row): the end is before the start."))
            case let .tooLong(index, _):
                let row = reading.rows[index]
                rowProblems.append(AgendaRowProblem(row: row, message: "Row \(row): longer than 12 hours. Check its times."))
            case let .overlaps(first, second, _, _):
                let (earlier, later) = (reading.rows[first], reading.rows[second])
                let other = reading.blocks[first]
                let times =
                    "\(ClassTimes.dayAndTime(other.start, timeZone: timeZone).time)–\(ClassTimes.dayAndTime(other.end, timeZone: timeZone).time)"
                rowProblems.append(
                    AgendaRowProblem(
                        row: later, message: "Row \(later): overlaps row \(earlier) (\(times) that day). Blocks must not share time."))
            case let .hoursMismatch(total, required):
                guard requiredHours != nil else { break }
                let difference = abs(required - total)
                let direction = total < required ? "missing" : "too many"
                whole.append(
                    AgendaRowProblem(
                        row: nil,
                        message:
                            "The teaching blocks add up to \(AgendaProblem.hoursText(total)); \(courseName) needs \(AgendaProblem.number(required)) (\(AgendaProblem.hoursText(difference)) \(direction)). Breaks and lunch do not count."
                    ))
            }
        }
        if requireNotEnded, let last = reading.blocks.map(\.end).max(), last <= now {
            let (day, time) = ClassTimes.dayAndTime(last, timeZone: timeZone)
            whole.append(
                AgendaRowProblem(
                    row: nil,
                    message:
                        "This class is already over: its last block ended \(day) at \(time). A class can be entered before it starts or while it is running, until its last block ends."
                ))
        }
        return rowProblems.sorted { ($0.row ?? 0) < ($1.row ?? 0) } + whole
    }

    /// The rows that show an agenda again (editing a class): one per block, in time order.
    public static func rows(for blocks: [AgendaBlock], timeZone: TimeZone) -> [AgendaRow] {
        blocks.sorted { $0.start < $1.start }.map { block in
            let start = ClassTimes.dayAndTime(block.start, timeZone: timeZone)
            return AgendaRow(
                day: start.day, start: start.time, end: ClassTimes.dayAndTime(block.end, timeZone: timeZone).time,
                title: block.title, topic: block.isBreak ? breakChoice : (block.topicCode ?? ""))
        }
    }

    /// The one-line-per-block text that scripts post (bench, fault scripts):
    /// `2027-03-15 08:00-12:00 Overview of mental illnesses #mental-illness-overview`.
    /// Each non-empty line becomes a row, so its mistakes are reported as rows; a line
    /// that does not have that shape becomes a row holding only its text as the title.
    public static func rows(fromText text: String) -> [AgendaRow] {
        let pattern = #"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s+(.+)$"#
        let regex = try? NSRegularExpression(pattern: pattern)
        return text.components(separatedBy: .newlines).compactMap { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { return nil }
            guard let regex, let match = regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)), match.numberOfRanges == 5
            else {
                return AgendaRow(title: line)
            }
            func group(_ i: Int) -> String { String(line[Range(match.range(at: i), in: line)!]) }
            var title = group(4).trimmingCharacters(in: .whitespaces)
            var topic = ""
            if let hash = title.range(of: #"#[a-z0-9-]+$"#, options: .regularExpression) {
                topic = String(title[hash].dropFirst())
                title = title[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            let time = { (t: String) in t.count == 4 ? "0" + t : t }
            return AgendaRow(day: group(1), start: time(group(2)), end: time(group(3)), title: title, topic: topic)
        }
    }

    /// Attendance is stored by block position, so once it is taken the blocks it was taken
    /// in must stay where they are: same position, same start and end. Titles and topics
    /// may change, and blocks may be added after the last recorded one.
    public static func changesRecordedBlocks(old: [AgendaBlock], new: [AgendaBlock], recorded: Set<Int>, timeZone: TimeZone)
        -> [AgendaRowProblem]
    {
        let oldSorted = old.sorted { $0.start < $1.start }, newSorted = new.sorted { $0.start < $1.start }
        return recorded.sorted().compactMap { index in
            guard oldSorted.indices.contains(index) else { return nil }
            let was = oldSorted[index]
            if newSorted.indices.contains(index), newSorted[index].start == was.start, newSorted[index].end == was.end { return nil }
            let (day, start) = ClassTimes.dayAndTime(was.start, timeZone: timeZone)
            let end = ClassTimes.dayAndTime(was.end, timeZone: timeZone).time
            return AgendaRowProblem(
                row: nil,
                message:
                    "Attendance was already taken in “\(was.title)” (\(day) \(start)–\(end)). Keep that block's date and times; blocks may be added after the last one with attendance."
            )
        }
    }
}
