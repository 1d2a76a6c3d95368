import Foundation

/// One calendar entry for a class: what the confirmation email attaches and what the
/// public `/classes.ics` feed lists (RFC 5545 writer).
public struct CalendarEvent: Sendable, Equatable {
    /// Stable across updates of the same class, so a calendar replaces the entry instead
    /// of adding a second one.
    public var uid: String
    public var summary: String
    public var description: String
    public var location: String
    public var start: Date
    public var end: Date
    public var url: String?
    public var status: Status
    /// Raised on every change of a sent entry; calendars keep the highest.
    public var sequence: Int

    /// Whether the class is on or called off.
    public enum Status: String, Sendable {
        case confirmed = "CONFIRMED"
        case cancelled = "CANCELLED"
    }

    public init(
        uid: String, summary: String, description: String, location: String, start: Date, end: Date,
        url: String? = nil, status: Status = .confirmed, sequence: Int = 0
    ) {
        self.uid = uid
        self.summary = summary
        self.description = description
        self.location = location
        self.start = start
        self.end = end
        self.url = url
        self.status = status
        self.sequence = sequence
    }
}

/// Writes iCalendar (RFC 5545) text.
///
/// Times are written as local times of the venue's zone with a VTIMEZONE describing that
/// zone, not in UTC: a calendar then shows 08:00 Central even on a phone set to another
/// zone, and keeps it right if the rules of daylight-saving time change after sending.
public enum ICalendar {

    /// A VCALENDAR with PRODID "-//CIT Hub//EN", VERSION 2.0, CALSCALE GREGORIAN, METHOD if given ("REQUEST"/"PUBLISH"/"CANCEL"),
    /// a VTIMEZONE for `timeZone` (for America/Chicago: the current US rules, STANDARD -0600 CST and DAYLIGHT -0500 CDT with RRULEs;
    /// generate it from the TimeZone's rules generally, at least correct for US zones), and each event with DTSTART;TZID=…:yyyyMMddTHHmmss
    /// local times, DTSTAMP in UTC, text escaped (\\ ; , newline), lines folded at 75 octets (never splitting a UTF-8 character), CRLF line ends.
    ///
    /// The VTIMEZONE covers the years of the events (and the year before, so the first
    /// event is never before the zone's first described change). An event time that
    /// falls in the repeated hour of a fall-back night, second time round, cannot be
    /// said in local time (RFC 5545 reads a repeated local time as its first
    /// occurrence), so that one time is written in UTC instead.
    public static func calendar(
        events: [CalendarEvent], timeZone: TimeZone, method: String? = nil, name: String? = nil, stamp: Date = Date()
    ) -> String {
        var lines = [
            "BEGIN:VCALENDAR",
            "PRODID:-//CIT Hub//EN",
            "VERSION:2.0",
            "CALSCALE:GREGORIAN",
        ]
        if let method {
            // METHOD is a token; anything else in it would break the line structure.
            let token = String(
                method.uppercased().unicodeScalars.filter {
                    ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
                })
            if !token.isEmpty { lines.append("METHOD:\(token)") }
        }
        if let name {
            // Not in RFC 5545, but the name Apple, Google and Outlook show for a feed.
            lines.append("X-WR-CALNAME:\(escape(name))")
        }
        let tzid = parameterValue(timeZone.identifier)
        lines.append("X-WR-TIMEZONE:\(escape(timeZone.identifier))")
        lines += VTimeZone.lines(for: timeZone, covering: events.flatMap { [$0.start, $0.end] }.ifEmpty([stamp]))

        for event in events {
            lines.append("BEGIN:VEVENT")
            lines.append("UID:\(escape(event.uid))")
            lines.append("DTSTAMP:\(utc(stamp))")
            lines.append(dateTime("DTSTART", event.start, timeZone: timeZone, tzid: tzid))
            lines.append(dateTime("DTEND", event.end, timeZone: timeZone, tzid: tzid))
            lines.append("SUMMARY:\(escape(event.summary))")
            if !event.description.isEmpty { lines.append("DESCRIPTION:\(escape(event.description))") }
            if !event.location.isEmpty { lines.append("LOCATION:\(escape(event.location))") }
            if let url = event.url, !url.isEmpty {
                // A URI is not TEXT, so no backslash escaping; only characters that would
                // break the line are dropped.
                lines.append("URL:\(String(url.unicodeScalars.filter { !isControl($0) && $0 != " " }))")
            }
            lines.append("STATUS:\(event.status.rawValue)")
            lines.append("SEQUENCE:\(max(0, event.sequence))")
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    // MARK: Values

    /// TEXT escaping of RFC 5545 §3.3.11: backslash, semicolon, comma and line breaks;
    /// other control characters are not allowed in TEXT at all, so they are dropped.
    public static func escape(_ text: String) -> String {
        var out = ""
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r": out += "\\n"
            case "\n": if !previousWasCR { out += "\\n" }
            case "\t": out.unicodeScalars.append(scalar)
            default:
                if !isControl(scalar) { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// Folds a content line so that no line is longer than 75 octets (RFC 5545 §3.1):
    /// continuation lines start with a space, and a break never falls inside a UTF-8
    /// sequence. Breaks go between characters as people see them, so a folded line never
    /// starts with a combining mark or an emoji joiner that some readers would attach to
    /// the folding space; only a single character longer than a line is split between
    /// its Unicode scalars.
    public static func fold(_ line: String) -> String {
        var result = ""
        var current = 0
        func append(_ piece: String, size: Int) {
            if current + size > 75 {
                result += "\r\n "
                current = 1
            }
            result += piece
            current += size
        }
        for character in line {
            let size = character.utf8.count
            if size <= 74 {
                append(String(character), size: size)
            } else {
                for scalar in character.unicodeScalars {
                    append(String(scalar), size: String(scalar).utf8.count)
                }
            }
        }
        return result
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F
    }

    /// A parameter value, quoted when it holds a character that ends a parameter.
    static func parameterValue(_ value: String) -> String {
        let clean = String(value.unicodeScalars.filter { !isControl($0) && $0 != "\"" })
        return clean.contains(where: { $0 == ";" || $0 == ":" || $0 == "," }) ? "\"\(clean)\"" : clean
    }

    static func dateTime(_ property: String, _ date: Date, timeZone: TimeZone, tzid: String) -> String {
        let calendar = ClassTimes.gregorian(timeZone)
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        // Only if these local fields read back as the same instant do they say it.
        if let back = calendar.date(from: parts), back == date.roundedToSecond {
            return "\(property);TZID=\(tzid):\(stamp(parts))"
        }
        return "\(property):\(utc(date))"
    }

    static func utc(_ date: Date) -> String {
        stamp(
            ClassTimes.gregorian(TimeZone(identifier: "UTC")!)
                .dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)) + "Z"
    }

    static func stamp(_ parts: DateComponents) -> String {
        pad(parts.year ?? 0, 4) + pad(parts.month ?? 0, 2) + pad(parts.day ?? 0, 2)
            + "T" + pad(parts.hour ?? 0, 2) + pad(parts.minute ?? 0, 2) + pad(parts.second ?? 0, 2)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

/// Builds a VTIMEZONE from what `TimeZone` knows, by finding the zone's offset changes
/// in the years that matter and describing them as yearly rules where they repeat.
///
/// Foundation exposes offsets, not rules, so the rules are read back from the changes:
/// "the second Sunday of March at 02:00" is the change on 2027-03-14 02:00 local time.
enum VTimeZone {

    struct Transition {
        var date: Date
        var offsetFrom: Int
        var offsetTo: Int
        var isDaylight: Bool
        /// Local wall-clock time at the moment of change, in the offset before it.
        var local: DateComponents
        var ordinal: Int
        var weekday: Int

        /// What must be equal for two changes to be the same yearly rule.
        var ruleKey: String {
            "\(isDaylight)|\(offsetFrom)|\(offsetTo)|\(local.month!)|\(ordinal)|\(weekday)|\(local.hour!):\(local.minute!):\(local.second!)"
        }
    }

    static func lines(for zone: TimeZone, covering dates: [Date]) -> [String] {
        let utc = ClassTimes.gregorian(TimeZone(identifier: "UTC")!)
        let zoned = ClassTimes.gregorian(zone)
        let years = dates.map { zoned.component(.year, from: $0) }
        let firstYear = years.min()! - 1
        let lastYear = years.max()!
        let from = utc.date(from: DateComponents(year: firstYear, month: 1, day: 1))!
        let to = utc.date(from: DateComponents(year: lastYear + 1, month: 1, day: 2))!
        let transitions = findTransitions(zone, from: from, to: to)

        var out = ["BEGIN:VTIMEZONE", "TZID:\(ICalendar.escape(zone.identifier))"]
        let earliest = dates.min()!
        if transitions.isEmpty || transitions[0].date > earliest {
            // No change before the first event: one observance from the scan's start
            // says the offset then in force.
            let offset = zone.secondsFromGMT(for: from)
            let isDaylight = zone.isDaylightSavingTime(for: from)
            let local = utc.dateComponents(
                [.year, .month, .day, .hour, .minute, .second], from: from.addingTimeInterval(TimeInterval(offset)))
            out += observance(
                isDaylight: isDaylight, start: local, from: offset, to: offset,
                name: name(zone, daylight: isDaylight, at: from), rrule: nil
            )
        }

        // Consecutive changes of one kind that follow the same rule become one observance
        // with an RRULE; a rule still in force in the last year stays open-ended.
        for kind in [false, true] {
            let ofKind = transitions.filter { $0.isDaylight == kind }
            var groups: [[Transition]] = []
            for transition in ofKind {
                if let last = groups.last?.last, last.ruleKey == transition.ruleKey,
                    utc.component(.year, from: last.date) + 1 == utc.component(.year, from: transition.date)
                {
                    groups[groups.count - 1].append(transition)
                } else {
                    groups.append([transition])
                }
            }
            for (index, group) in groups.enumerated() {
                let first = group[0]
                let last = group[group.count - 1]
                let ongoing = zoned.component(.year, from: last.date) >= lastYear && index == groups.count - 1
                var rrule: String?
                if ongoing || group.count > 1 {
                    rrule = "RRULE:FREQ=YEARLY;BYMONTH=\(first.local.month!);BYDAY=\(first.ordinal)\(weekdayCode(first.weekday))"
                    if !ongoing { rrule! += ";UNTIL=\(ICalendar.utc(last.date))" }
                }
                out += observance(
                    isDaylight: kind, start: first.local, from: first.offsetFrom, to: first.offsetTo,
                    name: name(zone, daylight: kind, at: first.date), rrule: rrule
                )
            }
        }
        out.append("END:VTIMEZONE")
        return out
    }

    static func observance(isDaylight: Bool, start: DateComponents, from: Int, to: Int, name: String?, rrule: String?) -> [String] {
        let kind = isDaylight ? "DAYLIGHT" : "STANDARD"
        var lines = [
            "BEGIN:\(kind)",
            "DTSTART:\(ICalendar.stamp(start))",
            "TZOFFSETFROM:\(offset(from))",
            "TZOFFSETTO:\(offset(to))",
        ]
        if let name, !name.isEmpty { lines.append("TZNAME:\(ICalendar.escape(name))") }
        if let rrule { lines.append(rrule) }
        lines.append("END:\(kind)")
        return lines
    }

    /// Offset changes between two instants: scanned in 6-hour steps (no zone changes
    /// twice within 6 hours), then narrowed to the second by bisection.
    static func findTransitions(_ zone: TimeZone, from: Date, to: Date) -> [Transition] {
        let utc = ClassTimes.gregorian(TimeZone(identifier: "UTC")!)
        let step: TimeInterval = 6 * 3600
        var result: [Transition] = []
        var low = from
        var lowOffset = zone.secondsFromGMT(for: low)
        while low < to {
            let high = low.addingTimeInterval(step)
            let highOffset = zone.secondsFromGMT(for: high)
            if highOffset != lowOffset {
                var a = low.timeIntervalSinceReferenceDate
                var b = high.timeIntervalSinceReferenceDate
                while b - a > 1 {
                    let middle = ((a + b) / 2).rounded(.down)
                    if zone.secondsFromGMT(for: Date(timeIntervalSinceReferenceDate: middle)) == lowOffset {
                        a = middle
                    } else {
                        b = middle
                    }
                }
                let moment = Date(timeIntervalSinceReferenceDate: b)
                let local = utc.dateComponents(
                    [.year, .month, .day, .hour, .minute, .second, .weekday],
                    from: moment.addingTimeInterval(TimeInterval(lowOffset))
                )
                let daysInMonth = utc.range(of: .day, in: .month, for: moment.addingTimeInterval(TimeInterval(lowOffset)))!.count
                let day = local.day!
                // The last such weekday of the month (-1) when there is no later one, so
                // "last Sunday of October" stays one rule whether it falls on the 25th or 31st.
                let ordinal = day + 7 > daysInMonth ? -1 : (day - 1) / 7 + 1
                result.append(
                    Transition(
                        date: moment, offsetFrom: lowOffset, offsetTo: highOffset,
                        isDaylight: zone.isDaylightSavingTime(for: moment),
                        local: local, ordinal: ordinal, weekday: local.weekday!
                    ))
            }
            low = high
            lowOffset = highOffset
        }
        return result
    }

    /// The zone's short name in US English ("CST", "CDT"); Linux's `abbreviation` says
    /// "GMT-6", which is right but not what people read on a calendar.
    static func name(_ zone: TimeZone, daylight: Bool, at date: Date) -> String? {
        zone.localizedName(for: daylight ? .shortDaylightSaving : .shortStandard, locale: Locale(identifier: "en_US"))
            ?? zone.abbreviation(for: date)
    }

    static func offset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = abs(seconds)
        var text = sign + ICalendar.pad(magnitude / 3600, 2) + ICalendar.pad(magnitude % 3600 / 60, 2)
        if magnitude % 60 != 0 { text += ICalendar.pad(magnitude % 60, 2) }
        return text
    }

    static func weekdayCode(_ weekday: Int) -> String {
        ["SU", "MO", "TU", "WE", "TH", "FR", "SA"][(weekday - 1) % 7]
    }
}

private extension Array {
    func ifEmpty(_ replacement: [Element]) -> [Element] { isEmpty ? replacement : self }
}

private extension Date {
    /// iCalendar times have whole seconds; a Date with a fraction still reads back as itself.
    var roundedToSecond: Date {
        Date(timeIntervalSinceReferenceDate: timeIntervalSinceReferenceDate.rounded(.down))
    }
}
