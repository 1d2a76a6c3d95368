import Foundation

/// Local wall-clock times for a class, in its venue's time zone (Wisconsin: America/Chicago).
///
/// Coordinators type days and times as they read on a wall clock; agendas, seats and
/// calendar files work with absolute `Date`s. Converting in one place, with the venue's
/// zone rather than the server's, keeps a class at 08:00 at 08:00 in summer and winter.
public enum ClassTimes {

    /// "2027-03-15" + "08:00" in `timeZone` -> Date; nil if invalid (bad date, 24:00, a time skipped by a DST change).
    ///
    /// `time` may carry seconds ("08:00:00"), as some browsers send them. A time that
    /// happens twice (01:30 on the autumn fall-back day) is its first occurrence, as
    /// RFC 5545 also reads it.
    public static func date(day: String, time: String, timeZone: TimeZone) -> Date? {
        guard let (year, month, dayOfMonth) = parseDay(day),
            let (hour, minute, second) = parseTime(time)
        else { return nil }
        let calendar = gregorian(timeZone)
        let wanted = DateComponents(year: year, month: month, day: dayOfMonth, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: wanted) else { return nil }
        // Calendar quietly moves Feb 30 to March 2 and a skipped 02:30 to 03:30; reading
        // the result back and comparing refuses both instead of saving a time nobody typed.
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        guard back.year == year, back.month == month, back.day == dayOfMonth,
            back.hour == hour, back.minute == minute, back.second == second
        else { return nil }
        return date
    }

    /// Day "yyyy-MM-dd" and "HH:mm" of a Date in `timeZone`.
    public static func dayAndTime(_ date: Date, timeZone: TimeZone) -> (day: String, time: String) {
        let parts = gregorian(timeZone).dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let day = "\(pad(parts.year ?? 0, 4))-\(pad(parts.month ?? 0, 2))-\(pad(parts.day ?? 0, 2))"
        return (day, "\(pad(parts.hour ?? 0, 2)):\(pad(parts.minute ?? 0, 2))")
    }

    /// A block typed as one day with a start and an end time. An end earlier than the
    /// start is on the next day (a night session 22:00–02:00), because that is what a
    /// person means by it; nil if either time does not exist.
    public static func interval(day: String, start: String, end: String, timeZone: TimeZone) -> (start: Date, end: Date)? {
        guard let from = date(day: day, time: start, timeZone: timeZone),
            let (startHour, startMinute, startSecond) = parseTime(start),
            let (endHour, endMinute, endSecond) = parseTime(end)
        else { return nil }
        var endDay = day
        if (endHour, endMinute, endSecond) < (startHour, startMinute, startSecond) {
            guard let (y, m, d) = parseDay(day),
                let noon = gregorian(timeZone).date(from: DateComponents(year: y, month: m, day: d, hour: 12)),
                let next = gregorian(timeZone).date(byAdding: .day, value: 1, to: noon)
            else { return nil }
            endDay = dayAndTime(next, timeZone: timeZone).day
        }
        guard let to = date(day: endDay, time: end, timeZone: timeZone) else { return nil }
        return (from, to)
    }

    static func gregorian(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.locale = Locale(identifier: "en_US_POSIX")
        return calendar
    }

    /// Exactly "yyyy-MM-dd", digits only, so "2027-3-5" or "15/03/2027" are not guessed at.
    static func parseDay(_ text: String) -> (Int, Int, Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = digits(parts[0]), let month = digits(parts[1]), let day = digits(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        return (year, month, day)
    }

    /// "HH:mm" or "HH:mm:ss", 00:00 to 23:59:59; "24:00" is not a time of the day it names.
    static func parseTime(_ text: String) -> (Int, Int, Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0.count == 2 }),
            let hour = digits(parts[0]), let minute = digits(parts[1]),
            (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        var second = 0
        if parts.count == 3 {
            guard let s = digits(parts[2]), (0...59).contains(s) else { return nil }
            second = s
        }
        return (hour, minute, second)
    }

    private static func digits(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
