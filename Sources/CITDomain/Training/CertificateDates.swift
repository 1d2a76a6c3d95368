import Foundation

/// How a certificate writes its dates: in words, the way a person reads a diploma
/// ("15–19 March 2027"), not as database days ("2027-03-15 to 2027-03-19").
///
/// Month names are written here rather than taken from a locale, so a certificate reads
/// the same whatever the server's locale is, and a printed copy matches the verify page.
public enum CertificateDates {
    static let months = [
        "January", "February", "March", "April", "May", "June", "July",
        "August", "September", "October", "November", "December",
    ]

    /// "2027-03-15" → "15 March 2027"; nil when the text is not a day.
    public static func day(_ iso: String) -> String? {
        guard let (year, month, day) = ClassTimes.parseDay(iso) else { return nil }
        return "\(day) \(months[month - 1]) \(year)"
    }

    /// The day `date` falls on in `timeZone`, written out: the issue date of a certificate.
    public static func day(_ date: Date, timeZone: TimeZone) -> String {
        let iso = ClassTimes.dayAndTime(date, timeZone: timeZone).day
        return day(iso) ?? iso
    }

    /// A course's dates, with what the two days share written once:
    /// "15 March 2027" (one day), "15–19 March 2027", "30 March – 2 April 2027",
    /// "28 December 2026 – 3 January 2027". Nil when either text is not a day.
    ///
    /// The en dash is closed up between two numbers and spaced between longer parts,
    /// as style guides write ranges; the spaced form keeps "30 March – 2 April" from
    /// reading as "March–2".
    public static func range(from first: String, to last: String) -> String? {
        guard let (y1, m1, d1) = ClassTimes.parseDay(first), let (y2, m2, d2) = ClassTimes.parseDay(last) else { return nil }
        if (y1, m1, d1) == (y2, m2, d2) { return "\(d1) \(months[m1 - 1]) \(y1)" }
        if y1 == y2, m1 == m2 { return "\(d1)–\(d2) \(months[m1 - 1]) \(y1)" }
        if y1 == y2 { return "\(d1) \(months[m1 - 1]) – \(d2) \(months[m2 - 1]) \(y2)" }
        return "\(d1) \(months[m1 - 1]) \(y1) – \(d2) \(months[m2 - 1]) \(y2)"
    }
}
