import Fluent
import Vapor
import CITDomain

enum TrainingFormat {
    /// "39.5", "40": the same number style as agenda messages, whatever the locale.
    static func hours(_ value: Double) -> String { ClassMail.hours(value) }

    static func day(_ date: Date, _ zone: TimeZone) -> String {
        ClassTimes.dayAndTime(date, timeZone: zone).day
    }

    static func blockLabel(_ block: AgendaBlock, zone: TimeZone) -> String {
        "\(ClassFormat.shortDay(block.start, zone)) \(ClassFormat.time(block.start, zone))–\(ClassFormat.time(block.end, zone)) · \(block.title)"
    }

    /// Plain text of at most `limit` characters with no markup, or nil with why not.
    static func plainText(_ value: String, limit: Int) -> String? {
        if value.count > limit { return "At most \(limit) characters." }
        if value.contains(where: { $0 == "<" || $0 == ">" }) { return "< and > are not allowed." }
        return nil
    }
}
