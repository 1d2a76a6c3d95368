import Foundation

/// When a quarter's outcome numbers become public, and which reports they count.
///
/// Published numbers must never change afterwards: if a county showed 7 calls yesterday
/// and 8 today, the difference is one call, and comparing the two days' suppressed
/// tables could give a hidden count back. So a quarter is published once, from a fixed
/// set of reports:
/// - it counts the reports of that quarter filed by the end of the `filingDays`th day
///   after the quarter ends (agencies file within days to weeks of a call);
/// - it is published `CorrectionWindow.standard.days` after that, when every report it
///   counts is past its correction window and can no longer change.
/// A report filed later is counted in signed-in (exact) views only. Fictional demo
/// reports count whenever they were made (they describe no one).
public struct OutcomePublication: Sendable, Equatable {
    public var filingDays: Int
    public var correctionDays: Int

    public init(filingDays: Int = 30, correctionDays: Int = CorrectionWindow.standard.days) {
        self.filingDays = filingDays
        self.correctionDays = correctionDays
    }

    public static let standard = OutcomePublication()

    /// The last day ("yyyy-MM-dd") on which a report counts towards `quarter`'s public numbers.
    public func lastFilingDay(of quarter: Quarter) -> String {
        CalendarDay.adding(days: filingDays, to: quarter.lastDay)
    }

    /// The day `quarter` is published.
    public func publicationDay(of quarter: Quarter) -> String {
        CalendarDay.adding(days: filingDays + correctionDays + 1, to: quarter.lastDay)
    }

    /// The quarters from `earliest` that are published on `today` ("yyyy-MM-dd"), oldest first.
    public func publishedQuarters(from earliest: Quarter?, today: String) -> [Quarter] {
        guard let earliest else { return [] }
        var result: [Quarter] = []
        var quarter = earliest
        while publicationDay(of: quarter) <= today {
            result.append(quarter)
            quarter = quarter.next()
        }
        return result
    }
}

extension CalendarDay {
    /// "2026-09-30" plus 30 days is "2026-10-30".
    static func adding(days: Int, to day: String) -> String {
        guard var (year, month, date) = parse(day) else { return day }
        date += days
        while date > daysIn(month: month, year: year) {
            date -= daysIn(month: month, year: year)
            month += 1
            if month > 12 { month = 1; year += 1 }
        }
        return format(year: year, month: month, day: date)
    }
}
