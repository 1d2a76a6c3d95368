import Foundation

/// A calendar quarter, the unit outcome dashboards report in.
///
/// Encounter data is shown by quarter rather than by day or month: a quarter holds
/// enough encounters that most counts clear the small-cell threshold, and grant reports
/// to the state are quarterly too.
public struct Quarter: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    /// 1...4.
    public var quarter: Int

    /// Any quarter number is accepted and carried into the year (quarter 5 of 2026 is
    /// 2027 Q1, quarter 0 is the last quarter of the year before), so arithmetic on
    /// quarters never produces a quarter that does not exist.
    public init(year: Int, quarter: Int) {
        let zeroBased = quarter - 1
        let carry = zeroBased >= 0 ? zeroBased / 4 : -((-zeroBased + 3) / 4)
        self.year = year + carry
        self.quarter = zeroBased - carry * 4 + 1
    }

    /// Reads a `key` ("2026Q3"); a lowercase "q" is accepted because keys end up in URLs
    /// that people type. Anything else is nil rather than a guess.
    public init?(key: String) {
        let parts = key.uppercased().split(separator: "Q", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 1,
            parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
            let year = Int(parts[0]), let quarter = Int(parts[1]),
            (1...4).contains(quarter)
        else { return nil }
        self.init(year: year, quarter: quarter)
    }

    /// The quarter a day ("yyyy-MM-dd") falls in: "2026-08-14" is 2026 Q3. Nil for text
    /// that is not a real date.
    public static func of(day: String) -> Quarter? {
        guard let (year, month, _) = CalendarDay.parse(day) else { return nil }
        return Quarter(year: year, quarter: (month - 1) / 3 + 1)
    }

    /// "2026 Q3", as people read it.
    public var label: String { "\(year) Q\(quarter)" }

    /// "2026Q3": sorts as text in the same order as the quarters, so it can be a
    /// database column or a URL parameter.
    public var key: String {
        let digits = String(abs(year))
        let padded = String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        return (year < 0 ? "-" : "") + padded + "Q\(quarter)"
    }

    public var description: String { label }

    public func next() -> Quarter { Quarter(year: year, quarter: quarter + 1) }

    public func previous() -> Quarter { Quarter(year: year, quarter: quarter - 1) }

    /// The first day of the quarter, "2026-07-01", for date-range queries.
    public var firstDay: String {
        CalendarDay.format(year: year, month: (quarter - 1) * 3 + 1, day: 1)
    }

    /// The last day of the quarter, "2026-09-30".
    public var lastDay: String {
        let month = quarter * 3
        return CalendarDay.format(year: year, month: month, day: CalendarDay.daysIn(month: month, year: year))
    }

    /// Every quarter from `first` to `last`, both included (empty if `last` is earlier),
    /// so a chart shows a quarter with no reports as a gap instead of skipping it.
    public static func range(from first: Quarter, to last: Quarter) -> [Quarter] {
        guard first <= last else { return [] }
        var quarters: [Quarter] = []
        var current = first
        while current <= last {
            quarters.append(current)
            current = current.next()
        }
        return quarters
    }

    public static func < (lhs: Quarter, rhs: Quarter) -> Bool {
        (lhs.year, lhs.quarter) < (rhs.year, rhs.quarter)
    }

    private enum CodingKeys: String, CodingKey { case year, quarter }

    /// Decoding refuses a quarter outside 1...4 instead of carrying it, because stored
    /// data holding one is corrupt, not arithmetic.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let year = try container.decode(Int.self, forKey: .year)
        let quarter = try container.decode(Int.self, forKey: .quarter)
        guard (1...4).contains(quarter) else {
            throw DecodingError.dataCorruptedError(forKey: .quarter, in: container, debugDescription: "A quarter is 1 to 4.")
        }
        self.init(year: year, quarter: quarter)
    }
}

/// Strict "yyyy-MM-dd" days, checked against the calendar (no 2026-02-30), without a
/// time zone: an encounter's day is the day the officer wrote down.
enum CalendarDay {
    static func parse(_ text: String) -> (year: Int, month: Int, day: Int)? {
        guard let (year, month, day) = ClassTimes.parseDay(text),
            day <= daysIn(month: month, year: year)
        else { return nil }
        return (year, month, day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }

    static func format(year: Int, month: Int, day: Int) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}
