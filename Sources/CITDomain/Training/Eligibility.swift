import Foundation

/// Whether someone may register for a course, and if not, why and where to go instead.
public enum EligibilityResult: Sendable, Equatable {
    case eligible
    /// `reason` is a sentence or two for the person; `suggestedCourseCode` is the catalog
    /// course open to them, if there is one, so the page can link to its classes.
    case notEligible(reason: String, suggestedCourseCode: String?)
}

/// Checks a person's audience against a course's, and steers them to the course that
/// is for them: a teacher who picked CIT is sent to CIP, a dispatcher to CIT for Dispatch.
///
/// Suggestions and wording come from the catalog passed in (the courses in the database
/// once a state adds its own), so a new course for an audience is suggested without a
/// code change.
public enum Eligibility {

    /// `.eligible` if the course is open to `audience`; otherwise a reason naming who the
    /// course is for and, when the catalog has one, the course to take instead.
    public static func check(course: CourseDefinition, audience: Audience, catalog: [CourseDefinition] = CourseCatalog.courses)
        -> EligibilityResult
    {
        if course.isOpen(to: audience) { return .eligible }

        let courseName = shortName(course)
        let first =
            course.audiences.isEmpty
            ? "\(courseName) is not open for registration yet."
            : "\(courseName) is for \(list(course.audiences.map(phrase)))."

        guard let suggestion = suggestion(for: audience, instead: course, catalog: catalog) else {
            return .notEligible(
                reason:
                    "\(first) No course in the catalog is for \(phrase(audience)) yet; the program's coordinator can tell you about other classes.",
                suggestedCourseCode: nil
            )
        }
        return .notEligible(
            reason: "\(first) \(shortName(suggestion)) (\(length(suggestion))) is for \(phrase(audience)) like you.",
            suggestedCourseCode: suggestion.code
        )
    }

    /// The course to offer instead: one whose main (first) audience is the person's comes
    /// before one that merely admits them; otherwise catalog order.
    static func suggestion(for audience: Audience, instead course: CourseDefinition, catalog: [CourseDefinition]) -> CourseDefinition? {
        let open = catalog.filter { $0.code != course.code && $0.isOpen(to: audience) }
        return open.first { $0.audiences.first == audience } ?? open.first
    }

    /// The name people know a course by. The catalog's titles spell the code out in
    /// parentheses when people say the code ("Crisis Intervention Team (CIT) training"
    /// is "CIT"); otherwise the title is the better name ("CIT for Dispatch", not
    /// "CIT-DISPATCH").
    static func shortName(_ course: CourseDefinition) -> String {
        course.title.contains("(\(course.code))") ? course.code : course.title
    }

    /// "16 hours over 2 days", "8 hours".
    static func length(_ course: CourseDefinition) -> String {
        let hours = AgendaProblem.hoursText(course.requiredHours)
        return course.typicalDays > 1 ? "\(hours) over \(course.typicalDays) days" : hours
    }

    /// An audience as it reads inside a sentence ("CIT is for sworn law enforcement").
    static func phrase(_ audience: Audience) -> String {
        switch audience {
        case .swornLawEnforcement: return "sworn law enforcement"
        case .dispatch: return "dispatchers and 911 telecommunicators"
        case .corrections: return "corrections staff"
        case .nonLawEnforcementProfessionals: return "non-law-enforcement professionals"
        case .communityMembers: return "community members"
        }
    }

    static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        case 2: return "\(items[0]) and \(items[1])"
        default: return items.dropLast().joined(separator: ", ") + ", and " + items.last!
        }
    }
}
