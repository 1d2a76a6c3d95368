import Foundation
import Testing
import CITDomain

private let chicago = TimeZone(identifier: "America/Chicago")!
private let stamp = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15 08:00:00 UTC

private func local(_ day: String, _ time: String, _ zone: TimeZone = chicago) throws -> Date {
    try #require(ClassTimes.date(day: day, time: time, timeZone: zone))
}

/// A content line read back: name, parameters and the raw (still escaped) value.
private struct ContentLine: Equatable {
    var name: String
    var parameters: [String: String]
    var value: String
}

/// Just enough of an RFC 5545 reader to check what the writer produces: unfolds,
/// splits name, parameters and value, and keeps the component each line belongs to.
private struct ParsedCalendar {
    /// Physical lines as bytes, CRLF removed, to measure octets.
    var physicalLines: [[UInt8]]
    /// Unfolded content lines with the path of components they are in, e.g. "VCALENDAR/VEVENT".
    var lines: [(path: String, line: ContentLine)]

    init(_ text: String) throws {
        let bytes = Array(text.utf8)
        var physical: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 13, index + 1 < bytes.count, bytes[index + 1] == 10 {
                physical.append(current)
                current = []
                index += 2
            } else {
                current.append(bytes[index])
                index += 1
            }
        }
        #expect(current.isEmpty, "text must end with CRLF")
        physicalLines = physical

        var logical: [String] = []
        for line in physical {
            let text = try #require(String(validating: line, as: UTF8.self), "a fold split a UTF-8 character")
            // By byte: a space followed by a combining mark is one Character in Swift.
            if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
                try #require(!logical.isEmpty)
                logical[logical.count - 1] += String(decoding: line.dropFirst(), as: UTF8.self)
            } else {
                logical.append(text)
            }
        }

        var stack: [String] = []
        var result: [(String, ContentLine)] = []
        for text in logical {
            let line = try ParsedCalendar.split(text)
            if line.name == "BEGIN" { stack.append(line.value); continue }
            if line.name == "END" {
                #expect(stack.last == line.value, "END:\(line.value) does not close \(stack.last ?? "nothing")")
                stack.removeLast()
                continue
            }
            result.append((stack.joined(separator: "/"), line))
        }
        #expect(stack.isEmpty)
        lines = result
    }

    static func split(_ text: String) throws -> ContentLine {
        // The name ends at the first ; or :, and the value starts at the first : outside quotes.
        var name = ""
        var parameters: [String: String] = [:]
        var rest = Substring(text)
        while let first = rest.first, first != ";" && first != ":" {
            name.append(first)
            rest = rest.dropFirst()
        }
        while rest.first == ";" {
            rest = rest.dropFirst()
            let key = rest.prefix { $0 != "=" }
            rest = rest.dropFirst(key.count + 1)
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                value = String(rest.prefix { $0 != "\"" })
                rest = rest.dropFirst(value.count + 1)
            } else {
                value = String(rest.prefix { $0 != ";" && $0 != ":" })
                rest = rest.dropFirst(value.count)
            }
            parameters[String(key)] = value
        }
        try #require(rest.first == ":", "no value in \(text)")
        return ContentLine(name: name, parameters: parameters, value: String(rest.dropFirst()))
    }

    func values(_ name: String, in path: String) -> [ContentLine] {
        lines.filter { $0.path == path && $0.line.name == name }.map(\.line)
    }

    func value(_ name: String, in path: String) -> String? {
        values(name, in: path).first?.value
    }

    /// TEXT unescaping, the inverse of RFC 5545 §3.3.11.
    static func unescape(_ text: String) -> String {
        var out = ""
        var escaping = false
        for character in text {
            if escaping {
                out.append(character == "n" || character == "N" ? "\n" : character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return out
    }
}

@Suite struct ICalendarTests {

    func sample() throws -> (text: String, events: [CalendarEvent]) {
        let events = [
            CalendarEvent(
                uid: "class-1@cithub.example",
                summary: "CIT, Madison; week 1\nbring your ID",
                description:
                    "Room 2B, back door \\ upstairs. Ünïcödé ✓ — a long description that must be folded more than once, with emoji 👩‍⚕️👮🏽‍♀️ and ümlauts äöü across the folds éééééééééééééééééééééééééééééééé",
                location: "Madison Police Dept, 211 S Carroll St, Madison, WI",
                start: try local("2027-07-12", "08:00"), end: try local("2027-07-16", "17:00"),
                url: "https://cithub.example/classes/1"
            ),
            CalendarEvent(
                uid: "class-2@cithub.example", summary: "CIP class", description: "", location: "Sturgeon Bay",
                start: try local("2027-01-11", "08:00"), end: try local("2027-01-12", "16:30"),
                status: .cancelled, sequence: 2
            ),
        ]
        return (ICalendar.calendar(events: events, timeZone: chicago, method: "PUBLISH", name: "CIT Hub classes", stamp: stamp), events)
    }

    @Test func crlfEverywhereAndLinesAtMost75Octets() throws {
        // setup + MUT
        let text = try sample().text
        let parsed = try ParsedCalendar(text)
        // validate: no bare LF or CR anywhere
        let bytes = Array(text.utf8)
        for (index, byte) in bytes.enumerated() {
            if byte == 10 { #expect(index > 0 && bytes[index - 1] == 13) }
            if byte == 13 { #expect(index + 1 < bytes.count && bytes[index + 1] == 10) }
        }
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
        #expect(parsed.physicalLines.allSatisfy { $0.count <= 75 })
        // the long description was folded, and its continuation lines start with a space
        let description = try #require(parsed.physicalLines.firstIndex { $0.starts(with: Array("DESCRIPTION:".utf8)) })
        #expect(parsed.physicalLines[description + 1].first == UInt8(ascii: " "))
        #expect(parsed.physicalLines[description + 2].first == UInt8(ascii: " "))
    }

    @Test func headerAndTextRoundTrip() throws {
        // setup
        let (text, events) = try sample()
        // MUT
        let parsed = try ParsedCalendar(text)
        // validate
        #expect(parsed.value("PRODID", in: "VCALENDAR") == "-//CIT Hub//EN")
        #expect(parsed.value("VERSION", in: "VCALENDAR") == "2.0")
        #expect(parsed.value("CALSCALE", in: "VCALENDAR") == "GREGORIAN")
        #expect(parsed.value("METHOD", in: "VCALENDAR") == "PUBLISH")
        #expect(parsed.value("X-WR-CALNAME", in: "VCALENDAR") == "CIT Hub classes")
        let summaries = parsed.values("SUMMARY", in: "VCALENDAR/VEVENT").map(\.value)
        #expect(summaries == ["CIT\\, Madison\\; week 1\\nbring your ID", "CIP class"])
        #expect(summaries.map(ParsedCalendar.unescape) == events.map(\.summary))
        #expect(ParsedCalendar.unescape(try #require(parsed.value("DESCRIPTION", in: "VCALENDAR/VEVENT"))) == events[0].description)
        #expect(parsed.values("LOCATION", in: "VCALENDAR/VEVENT").map { ParsedCalendar.unescape($0.value) } == events.map(\.location))
        #expect(parsed.values("UID", in: "VCALENDAR/VEVENT").map(\.value) == ["class-1@cithub.example", "class-2@cithub.example"])
        #expect(parsed.value("URL", in: "VCALENDAR/VEVENT") == "https://cithub.example/classes/1")
        #expect(parsed.values("STATUS", in: "VCALENDAR/VEVENT").map(\.value) == ["CONFIRMED", "CANCELLED"])
        #expect(parsed.values("SEQUENCE", in: "VCALENDAR/VEVENT").map(\.value) == ["0", "2"])
        // an event without a description has no empty DESCRIPTION line
        #expect(parsed.values("DESCRIPTION", in: "VCALENDAR/VEVENT").count == 1)
    }

    @Test func startsAreLocalTimesInSummerAndWinter() throws {
        let text = try sample().text
        #expect(text.contains("\r\nDTSTART;TZID=America/Chicago:20270712T080000\r\n"))
        #expect(text.contains("\r\nDTEND;TZID=America/Chicago:20270716T170000\r\n"))
        #expect(text.contains("\r\nDTSTART;TZID=America/Chicago:20270111T080000\r\n"))
        let parsed = try ParsedCalendar(text)
        let starts = parsed.values("DTSTART", in: "VCALENDAR/VEVENT")
        #expect(starts.map(\.parameters) == [["TZID": "America/Chicago"], ["TZID": "America/Chicago"]])
        #expect(starts.map(\.value) == ["20270712T080000", "20270111T080000"])
    }

    @Test func stampIsUTC() throws {
        let parsed = try ParsedCalendar(try sample().text)
        let stamps = parsed.values("DTSTAMP", in: "VCALENDAR/VEVENT").map(\.value)
        #expect(stamps == ["20270115T080000Z", "20270115T080000Z"])
        #expect(stamps.allSatisfy { $0.hasSuffix("Z") })
    }

    @Test func timeZoneHasTheUSRules() throws {
        // setup + MUT
        let parsed = try ParsedCalendar(try sample().text)
        // validate
        #expect(parsed.value("TZID", in: "VCALENDAR/VTIMEZONE") == "America/Chicago")
        let daylight = "VCALENDAR/VTIMEZONE/DAYLIGHT"
        let standard = "VCALENDAR/VTIMEZONE/STANDARD"
        #expect(parsed.values("TZOFFSETTO", in: daylight).map(\.value) == ["-0500"])
        #expect(parsed.value("TZOFFSETFROM", in: daylight) == "-0600")
        #expect(parsed.values("TZOFFSETTO", in: standard).map(\.value) == ["-0600"])
        #expect(parsed.value("TZOFFSETFROM", in: standard) == "-0500")
        #expect(parsed.value("TZNAME", in: daylight) == "CDT")
        #expect(parsed.value("TZNAME", in: standard) == "CST")
        // second Sunday of March and first Sunday of November, at 02:00
        #expect(parsed.value("RRULE", in: daylight) == "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU")
        #expect(parsed.value("RRULE", in: standard) == "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU")
        #expect(parsed.value("DTSTART", in: daylight)?.hasSuffix("T020000") == true)
        #expect(parsed.value("DTSTART", in: standard)?.hasSuffix("T020000") == true)
        // the rules start before the first event, so every event is covered
        #expect(try #require(parsed.value("DTSTART", in: standard)) < "20270111T080000")
    }

    @Test func otherZonesFollowTheirOwnRules() throws {
        // Berlin: last Sunday of March and of October
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let event = CalendarEvent(
            uid: "b", summary: "s", description: "", location: "", start: try local("2027-07-12", "08:00", berlin),
            end: try local("2027-07-12", "16:00", berlin))
        let parsedBerlin = try ParsedCalendar(ICalendar.calendar(events: [event], timeZone: berlin, stamp: stamp))
        #expect(parsedBerlin.value("RRULE", in: "VCALENDAR/VTIMEZONE/DAYLIGHT") == "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU")
        #expect(parsedBerlin.value("RRULE", in: "VCALENDAR/VTIMEZONE/STANDARD") == "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU")
        #expect(parsedBerlin.value("TZOFFSETTO", in: "VCALENDAR/VTIMEZONE/DAYLIGHT") == "+0200")
        #expect(parsedBerlin.value("DTSTART", in: "VCALENDAR/VEVENT") == "20270712T080000")
        #expect(parsedBerlin.value("METHOD", in: "VCALENDAR") == nil)

        // Phoenix: no daylight time, one standard observance
        let phoenix = TimeZone(identifier: "America/Phoenix")!
        let parsedPhoenix = try ParsedCalendar(ICalendar.calendar(events: [], timeZone: phoenix, stamp: stamp))
        #expect(parsedPhoenix.values("TZOFFSETTO", in: "VCALENDAR/VTIMEZONE/STANDARD").map(\.value) == ["-0700"])
        #expect(parsedPhoenix.values("TZOFFSETTO", in: "VCALENDAR/VTIMEZONE/DAYLIGHT").isEmpty)
        #expect(parsedPhoenix.values("UID", in: "VCALENDAR/VEVENT").isEmpty)
    }

    @Test func secondOneThirtyOnFallBackNightIsWrittenInUTC() throws {
        // setup: 01:30 CST on 2027-11-07 is the second 01:30 that night (07:30 UTC)
        let first = try local("2027-11-07", "01:30")
        let second = first.addingTimeInterval(3600)
        let events = [
            CalendarEvent(uid: "a", summary: "first", description: "", location: "", start: first, end: first.addingTimeInterval(1800)),
            CalendarEvent(uid: "b", summary: "second", description: "", location: "", start: second, end: second.addingTimeInterval(1800)),
        ]
        // MUT
        let parsed = try ParsedCalendar(ICalendar.calendar(events: events, timeZone: chicago, stamp: stamp))
        // validate: the local form would mean the first 01:30, so the second is said in UTC
        let starts = parsed.values("DTSTART", in: "VCALENDAR/VEVENT")
        #expect(starts[0] == ContentLine(name: "DTSTART", parameters: ["TZID": "America/Chicago"], value: "20271107T013000"))
        #expect(starts[1] == ContentLine(name: "DTSTART", parameters: [:], value: "20271107T073000Z"))
    }

    @Test func escapeHandlesEverySpecialCharacter() {
        #expect(ICalendar.escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne")
        // CRLF and a lone CR are one line break each; other control characters are dropped
        #expect(ICalendar.escape("one\r\ntwo\rthree\u{7}\u{0}") == "one\\ntwo\\nthree")
        #expect(ICalendar.escape("tab\there: ok") == "tab\there: ok")
    }

    @Test func foldingCountsOctetsNotCharacters() throws {
        let exactly75 = String(repeating: "a", count: 75)
        #expect(ICalendar.fold(exactly75) == exactly75)
        #expect(ICalendar.fold(exactly75 + "b") == exactly75 + "\r\n b")
        // 74 ASCII octets then a 2-octet é: 76 octets, so é moves to the next line whole
        let folded = ICalendar.fold(String(repeating: "a", count: 74) + "é")
        #expect(folded == String(repeating: "a", count: 74) + "\r\n é")
        // a long run of 4-octet emoji: every physical line is whole UTF-8 and at most 75 octets
        let emoji = ICalendar.fold("SUMMARY:" + String(repeating: "👮", count: 60))
        for line in emoji.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 75)
            #expect(String(validating: Array(line.utf8), as: UTF8.self) != nil)
        }
        #expect(emoji.replacingOccurrences(of: "\r\n ", with: "") == "SUMMARY:" + String(repeating: "👮", count: 60))
    }

    @Test func foldingKeepsCharactersWhole() {
        // setup: an emoji with skin tone and joiners (17 octets) straddling the 75th octet
        let officer = "👮🏽‍♀️"
        let line = String(repeating: "a", count: 70) + officer + "b"
        // MUT
        let folded = ICalendar.fold(line)
        // validate: the whole emoji moves to the next line
        #expect(folded == String(repeating: "a", count: 70) + "\r\n " + officer + "b")
        // a single character longer than a line is split between scalars, never inside one
        let huge = "e" + String(repeating: "\u{301}", count: 60)  // 121 octets, one Character
        for piece in ICalendar.fold(huge).components(separatedBy: "\r\n") {
            #expect(piece.utf8.count <= 75)
            #expect(String(validating: Array(piece.utf8), as: UTF8.self) != nil)
        }
    }

    @Test func methodIsAToken() throws {
        let text = ICalendar.calendar(events: [], timeZone: chicago, method: "request\r\nX-EVIL:1", stamp: stamp)
        let parsed = try ParsedCalendar(text)
        #expect(parsed.value("METHOD", in: "VCALENDAR") == "REQUESTX-EVIL1")
        #expect(parsed.value("X-EVIL", in: "VCALENDAR") == nil)
    }
}
