import Fluent
import Vapor
import SQLKit
import CITDomain

/// How classes read in pages and mail.
enum ClassFormat {
    static func day(_ date: Date, _ zone: TimeZone) -> String {
        date.formatted(Date.FormatStyle(date: .complete, time: .omitted, timeZone: zone).locale(Locale(identifier: "en_US")))
    }

    static func time(_ date: Date, _ zone: TimeZone) -> String {
        date.formatted(Date.FormatStyle(date: .omitted, time: .shortened, timeZone: zone).locale(Locale(identifier: "en_US")))
    }

    static func shortDay(_ date: Date, _ zone: TimeZone) -> String {
        date.formatted(
            Date.FormatStyle(timeZone: zone).locale(Locale(identifier: "en_US")).weekday(.abbreviated).month(.abbreviated).day().year())
    }

    /// "Mon, Mar 15, 2027 – Fri, Mar 19, 2027"
    static func dates(_ session: ClassSession) -> String {
        let first = shortDay(session.startsAt, session.zone), last = shortDay(session.endsAt.addingTimeInterval(-1), session.zone)
        return first == last ? first : "\(first) – \(last)"
    }

    /// Agenda blocks grouped by local day: each day's first start and last end.
    static func days(_ blocks: [AgendaBlock], _ zone: TimeZone) -> [(day: String, start: Date, end: Date, blocks: [AgendaBlock])] {
        let sorted = blocks.sorted { $0.start < $1.start }
        var result: [(String, Date, Date, [AgendaBlock])] = []
        for block in sorted {
            let key = ClassTimes.dayAndTime(block.start, timeZone: zone).day
            if let last = result.last, last.0 == key {
                result[result.count - 1] = (key, last.1, max(last.2, block.end), last.3 + [block])
            } else {
                result.append((key, block.start, block.end, [block]))
            }
        }
        return result.map { (day: $0.0, start: $0.1, end: $0.2, blocks: $0.3) }
    }
}
