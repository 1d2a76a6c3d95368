import Foundation

/// What a trainee must attend to complete a class and receive a certificate.
///
/// Kept as data rather than code per course so a state that sets its own rules (a
/// required module more, a course without the every-day rule) changes a record, not a
/// release.
public struct CompletionPolicy: Sendable, Equatable, Codable {
    /// Every hour: no tolerance beyond 1 second of rounding (39.5 of 40 is NOT
    /// complete). A certificate says "40 hours", so it needs 40 hours attended.
    public var requiredHours: Double
    /// Every non-break agenda block with one of these topics must be fully attended (or
    /// excused): hours elsewhere do not replace the role-plays.
    public var requiredTopicCodes: [String]
    /// Some attendance on every calendar day (in the class's time zone) the agenda
    /// teaches on.
    public var requireEveryDay: Bool

    public init(requiredHours: Double, requiredTopicCodes: [String] = [], requireEveryDay: Bool = false) {
        self.requiredHours = requiredHours
        self.requiredTopicCodes = requiredTopicCodes
        self.requireEveryDay = requireEveryDay
    }

    /// Defaults: CIT → all 40 hours + required modules ["de-escalation", "role-plays"];
    /// CIP → all hours + every day ("both days"); CIT-DISPATCH and any other code → all
    /// hours.
    ///
    /// The required hours come from the caller (the course's record) so a state that
    /// changed a course's hours is not overruled here. Codes compare ignoring case.
    public static func standard(courseCode: String, requiredHours: Double) -> CompletionPolicy {
        switch courseCode.trimmingCharacters(in: .whitespaces).uppercased() {
        case CourseCatalog.cit.code:
            return CompletionPolicy(requiredHours: requiredHours, requiredTopicCodes: ["de-escalation", "role-plays"])
        case CourseCatalog.cip.code:
            return CompletionPolicy(requiredHours: requiredHours, requireEveryDay: true)
        default:
            return CompletionPolicy(requiredHours: requiredHours)
        }
    }

    /// One plain sentence for course pages, e.g. "All 40 hours, including every
    /// De-escalation and Role-plays with feedback block; an excused make-up recorded by
    /// a coordinator counts."
    public var summary: String {
        var text = requiredHours == 1 ? "The whole hour" : "All \(AgendaProblem.number(requiredHours)) hours"
        let titles = requiredTopicCodes.map(CompletionRules.topicTitle)
        if !titles.isEmpty {
            text += ", including every \(Self.list(titles)) block"
        }
        if requireEveryDay {
            text += titles.isEmpty ? ", with attendance on every day of the class" : ", and attendance on every day of the class"
        }
        return text + "; an excused make-up recorded by a coordinator counts."
    }

    /// "A", "A and B", "A, B and C".
    static func list(_ items: [String]) -> String {
        guard let last = items.last else { return "" }
        guard items.count > 1 else { return last }
        return items.dropLast().joined(separator: ", ") + " and " + last
    }
}

/// One reason a trainee has not completed a class, worded for the coordinator who
/// decides whether to arrange a make-up.
public enum CompletionShortfall: Sendable, Equatable, CustomStringConvertible {
    /// Fewer hours attended than required.
    case hours(earned: Double, required: Double)
    /// A required-topic block not fully attended. `title` is the topic's title,
    /// `blockTitle` the agenda block's.
    case module(topicCode: String, title: String, blockTitle: String)
    /// No attendance on a teaching day, as "2027-03-16".
    case day(String)

    public var description: String {
        switch self {
        case let .hours(earned, required):
            let missing = AgendaProblem.hoursText(max(0, required - earned))
            return "Attended \(AgendaProblem.hoursText(earned)) of the \(AgendaProblem.number(required)) required (\(missing) missing)."
        case let .module(_, title, blockTitle):
            return "Did not attend all of “\(blockTitle)”, a required \(title) block. A coordinator can record an excused make-up."
        case let .day(day):
            return "No attendance recorded on \(day); the course requires attendance on every day of the class."
        }
    }
}

/// Whether a trainee completed a class, and if not, why.
public struct CompletionResult: Sendable, Equatable {
    public var hoursEarned: Double
    /// Hours first, then required blocks in agenda order, then days in date order.
    public var shortfalls: [CompletionShortfall]
    public var isComplete: Bool { shortfalls.isEmpty }

    public init(hoursEarned: Double, shortfalls: [CompletionShortfall]) {
        self.hoursEarned = hoursEarned
        self.shortfalls = shortfalls
    }
}

/// Applies a `CompletionPolicy` to a class's agenda and one trainee's attendance.
public enum CompletionRules {

    /// Rounding allowance: one second, in hours and in minutes. Enough for times
    /// converted back and forth, never enough to forgive a missed minute.
    static let hoursTolerance = 1.0 / 3600
    static let minutesTolerance = 1.0 / 60

    /// Every shortfall at once, so the coordinator sees the whole picture in one look.
    ///
    /// Hours are what was attended, not what the agenda holds: an agenda shorter than
    /// the requirement leaves everyone short. A day is the day a block starts on in
    /// `timeZone`; breaks and zero-length blocks do not make a teaching day.
    public static func evaluate(policy: CompletionPolicy, agenda: [AgendaBlock], attendance: [BlockAttendance], timeZone: TimeZone)
        -> CompletionResult
    {
        let merged = AttendanceHours.merge(attendance, blockCount: agenda.count)
        let credited = agenda.indices.map { index -> Double in
            guard let entry = merged[index] else { return 0 }
            return AttendanceHours.creditedMinutes(block: agenda[index], attendance: entry)
        }
        let earned = credited.reduce(0, +) / 60
        var shortfalls: [CompletionShortfall] = []

        if earned < policy.requiredHours - hoursTolerance {
            shortfalls.append(.hours(earned: earned, required: policy.requiredHours))
        }

        let teaching = agenda.indices
            .filter { !agenda[$0].isBreak && agenda[$0].end > agenda[$0].start }
            .sorted { (agenda[$0].start, $0) < (agenda[$1].start, $1) }

        let required = Set(policy.requiredTopicCodes)
        for index in teaching {
            let block = agenda[index]
            guard let code = block.topicCode, required.contains(code) else { continue }
            if credited[index] < AttendanceHours.lengthInMinutes(block) - minutesTolerance {
                shortfalls.append(.module(topicCode: code, title: topicTitle(code), blockTitle: block.title))
            }
        }

        if policy.requireEveryDay {
            var attendedDays = Set<String>()
            var days: [String] = []
            for index in teaching {
                let day = ClassTimes.dayAndTime(agenda[index].start, timeZone: timeZone).day
                if !days.contains(day) { days.append(day) }
                if credited[index] > 0 { attendedDays.insert(day) }
            }
            for day in days.sorted() where !attendedDays.contains(day) {
                shortfalls.append(.day(day))
            }
        }

        return CompletionResult(hoursEarned: earned, shortfalls: shortfalls)
    }

    /// The catalog's title for a topic code, or the code itself for a topic a state added.
    static func topicTitle(_ code: String) -> String {
        CourseCatalog.topic(code: code)?.title ?? code
    }
}
