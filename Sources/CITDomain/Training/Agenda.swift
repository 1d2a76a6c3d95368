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
            return "Block \(index + 1), “\(title)”, must end after it starts. Check its times; a block that runs past midnight ends on the next day."
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
                problems.append(.overlaps(
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
