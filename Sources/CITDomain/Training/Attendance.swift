import Foundation

/// One check-in and the check-out that follows it, as a trainer records them at the door.
///
/// Absolute `Date`s, like agenda blocks, so a span is measured against a block without
/// caring which time zone the trainer's device was in.
public struct AttendanceSpan: Sendable, Equatable, Codable {
    public var checkIn: Date
    public var checkOut: Date

    public init(checkIn: Date, checkOut: Date) {
        self.checkIn = checkIn
        self.checkOut = checkOut
    }
}

/// Attendance a trainer typed that cannot be right, worded for that trainer.
public enum AttendanceProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The check-out is at or before the check-in. Refused rather than swapped: a
    /// guessed correction could credit hours nobody saw.
    case checkOutBeforeCheckIn
    /// Minutes typed for partial attendance are negative or longer than the block.
    case minutesOutOfRange(minutes: Int, blockMinutes: Int)

    public var description: String {
        switch self {
        case .checkOutBeforeCheckIn:
            return "The check-out time must be after the check-in time. Check both times; a check-out after midnight is on the next day."
        case let .minutesOutOfRange(minutes, blockMinutes):
            return "Minutes attended must be between 0 and \(blockMinutes), the length of this block; \(minutes) was entered."
        }
    }
}

/// What a trainer recorded for one trainee in one agenda block.
///
/// Three ways to record, because classrooms differ: check-in/check-out pairs from a
/// sign-in sheet, minutes typed when someone left early, or a coordinator's excused
/// make-up when the trainee made the block up elsewhere.
public struct BlockAttendance: Sendable, Equatable, Codable {
    /// Index into the class agenda array.
    public var blockIndex: Int
    /// Check-in/check-out pairs. They may overlap (a trainee checked in twice); the
    /// overlap is counted once.
    public var spans: [AttendanceSpan]
    /// Partial attendance typed in minutes. When set it is what counts for the block and
    /// the spans are ignored: the trainer who typed it has already looked at the sheet.
    public var minutes: Int?
    /// A coordinator's reason for an excused make-up: the whole block counts. A blank
    /// reason does not excuse, because the reason is the record of why hours were given
    /// for time not spent in the room.
    public var excusedMakeUp: String?

    public init(blockIndex: Int, spans: [AttendanceSpan] = [], minutes: Int? = nil, excusedMakeUp: String? = nil) {
        self.blockIndex = blockIndex
        self.spans = spans
        self.minutes = minutes
        self.excusedMakeUp = excusedMakeUp
    }

    /// Whether a coordinator excused the block with a (non-blank) reason.
    public var isExcused: Bool {
        guard let reason = excusedMakeUp else { return false }
        return !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }
}

/// Turns recorded attendance into credited time.
///
/// Credit is computed, never stored, so that correcting a check-out time or an agenda
/// block changes a trainee's hours everywhere at once.
public enum AttendanceHours {

    /// Refuses a span whose check-out is at or before its check-in.
    public static func validate(_ span: AttendanceSpan) throws(AttendanceProblem) {
        guard span.checkOut > span.checkIn else { throw .checkOutBeforeCheckIn }
    }

    /// Refuses minutes below 0 or above the block's length (to the nearest minute).
    public static func validate(minutes: Int, block: AgendaBlock) throws(AttendanceProblem) {
        let blockMinutes = wholeMinutes(block)
        guard (0...blockMinutes).contains(minutes) else {
            throw .minutesOutOfRange(minutes: minutes, blockMinutes: blockMinutes)
        }
    }

    /// The block's length to the nearest whole minute, as a trainer would type it.
    public static func wholeMinutes(_ block: AgendaBlock) -> Int {
        Int(lengthInMinutes(block).rounded())
    }

    /// Minutes credited for one block: 0 for a break; excused → whole block; minutes →
    /// min(minutes, block); else the UNION of spans (overlaps counted once) clipped to
    /// [block.start, block.end]. Invalid spans (checkOut <= checkIn) count 0.
    ///
    /// Clipping means arriving early or staying late never earns more than the block,
    /// and a span for another block earns nothing here.
    public static func creditedMinutes(block: AgendaBlock, attendance: BlockAttendance) -> Double {
        guard !block.isBreak else { return 0 }
        let length = lengthInMinutes(block)
        if attendance.isExcused { return length }
        if let minutes = attendance.minutes {
            return min(Double(max(0, minutes)), length)
        }
        return unionSeconds(attendance.spans, within: block.start, block.end) / 60
    }

    /// Sum over the agenda, in hours. Entries whose `blockIndex` is outside the agenda
    /// are ignored; several entries for the same block are merged (spans unioned, the
    /// largest minutes, excused if any is), so a block recorded twice is not paid twice.
    public static func hoursEarned(agenda: [AgendaBlock], attendance: [BlockAttendance]) -> Double {
        let merged = merge(attendance, blockCount: agenda.count)
        var minutes = 0.0
        for (index, block) in agenda.enumerated() {
            if let entry = merged[index] {
                minutes += creditedMinutes(block: block, attendance: entry)
            }
        }
        return minutes / 60
    }

    /// One entry per block index inside `0..<blockCount`: spans unioned, the largest
    /// minutes, the first non-blank excuse.
    public static func merge(_ attendance: [BlockAttendance], blockCount: Int) -> [Int: BlockAttendance] {
        var merged: [Int: BlockAttendance] = [:]
        for entry in attendance where (0..<blockCount).contains(entry.blockIndex) {
            guard var existing = merged[entry.blockIndex] else {
                merged[entry.blockIndex] = entry
                continue
            }
            existing.spans += entry.spans
            if let minutes = entry.minutes {
                existing.minutes = max(existing.minutes ?? minutes, minutes)
            }
            if !existing.isExcused, entry.isExcused {
                existing.excusedMakeUp = entry.excusedMakeUp
            }
            merged[entry.blockIndex] = existing
        }
        return merged
    }

    // MARK: Internals

    static func lengthInMinutes(_ block: AgendaBlock) -> Double {
        max(0, block.end.timeIntervalSince(block.start)) / 60
    }

    /// Seconds covered by the union of the valid spans, each clipped to `[from, to]`.
    static func unionSeconds(_ spans: [AttendanceSpan], within from: Date, _ to: Date) -> Double {
        let clipped =
            spans
            .filter { $0.checkOut > $0.checkIn }
            .map { (start: max($0.checkIn, from), end: min($0.checkOut, to)) }
            .filter { $0.end > $0.start }
            .sorted { $0.start < $1.start }
        var total = 0.0
        var current: (start: Date, end: Date)?
        for span in clipped {
            if let open = current, span.start <= open.end {
                current = (open.start, max(open.end, span.end))
            } else {
                if let open = current { total += open.end.timeIntervalSince(open.start) }
                current = span
            }
        }
        if let open = current { total += open.end.timeIntervalSince(open.start) }
        return total
    }
}
