import Foundation

/// Who a course is for. Registration checks a person's audience against the course's,
/// so a deputy is steered to CIT and a teacher to CIP.
///
/// The raw values are stored in the database; change a label, never a raw value.
public enum Audience: String, CaseIterable, Sendable, Codable {
    /// Police officers and sheriff's deputies: the people CIT was made for.
    case swornLawEnforcement = "sworn_law_enforcement"
    /// 911 call-takers and dispatchers, the first contact in a crisis call.
    case dispatch = "dispatch"
    /// Correctional officers and jail staff. The seed page names correctional officers
    /// among the CIP audience, not the CIT one.
    case corrections = "corrections"
    /// People who work with individuals with a mental illness outside law enforcement:
    /// social workers, teachers, emergency room staff, security, group home staff.
    case nonLawEnforcementProfessionals = "non_law_enforcement_professionals"
    /// Family members, friends and other residents. No seed course is for them yet; the
    /// audience exists so a program can offer community classes without a new release.
    case communityMembers = "community_members"

    /// Plain words for forms and listings.
    public var label: String {
        switch self {
        case .swornLawEnforcement: return "Sworn law enforcement"
        case .dispatch: return "Dispatch and 911 telecommunicators"
        case .corrections: return "Corrections"
        case .nonLawEnforcementProfessionals: return "Non-law-enforcement professionals"
        case .communityMembers: return "Community members"
        }
    }
}

/// A kind of course a CIT program teaches (not a dated class: that is a class session).
///
/// Hours and audiences come from the sources named in `source`, so a coordinator can
/// check them; a class session's agenda is measured against `requiredHours`.
public struct CourseDefinition: Sendable, Equatable, Identifiable {
    /// Stable short code stored with class sessions and printed on certificates.
    public var code: String
    public var title: String
    /// Hours a trainee must attend to complete the course.
    public var requiredHours: Double
    /// Days the course is usually spread over, for listings ("5 days").
    public var typicalDays: Int
    /// Who may register; the first is the main audience.
    public var audiences: [Audience]
    /// What the course is, in its source's own words where it has them.
    public var summary: String
    /// Where the hours, days, audiences and summary come from.
    public var source: String

    public var id: String { code }

    public init(
        code: String, title: String, requiredHours: Double, typicalDays: Int,
        audiences: [Audience], summary: String, source: String
    ) {
        self.code = code
        self.title = title
        self.requiredHours = requiredHours
        self.typicalDays = typicalDays
        self.audiences = audiences
        self.summary = summary
        self.source = source
    }

    /// Whether someone of `audience` may register.
    public func isOpen(to audience: Audience) -> Bool {
        audiences.contains(audience)
    }
}

/// A topic a CIT course covers; a class agenda is made of blocks on these topics.
public struct CurriculumTopic: Sendable, Equatable, Identifiable {
    /// Stable short code for agenda blocks.
    public var code: String
    public var title: String
    /// What the topic covers, in the source's words where it has them.
    public var description: String
    /// Where the topic comes from: `CourseCatalog.seedPageSource` or
    /// `CourseCatalog.memphisModelSource`.
    public var source: String

    public var id: String { code }

    public init(code: String, title: String, description: String, source: String) {
        self.code = code
        self.title = title
        self.description = description
        self.source = source
    }
}

/// The courses and curriculum topics CIT Hub starts with.
///
/// They are code, not rows typed in by hand, so every installation starts from the
/// same sourced definitions; the app copies them into its database at first start,
/// where a state can add its own.
public enum CourseCatalog {

    /// The NAMI Wisconsin CIT/CIP page the product grew from (`seed/cit-cip-page.txt`).
    public static let seedPageSource = "seed page"
    /// The common Memphis Model modules listed in docs/domain-facts.md.
    public static let memphisModelSource = "Memphis Model, per PRODUCT.md"

    /// Crisis Intervention Team training for law enforcement.
    public static let cit = CourseDefinition(
        code: "CIT",
        title: "Crisis Intervention Team (CIT) training",
        requiredHours: 40,
        typicalDays: 5,
        audiences: [.swornLawEnforcement],
        summary:
            "CIT programs provide 40 hours of training for law enforcement on how to better respond to people experiencing a mental health crisis.",
        source: "seed page (40 hours, law enforcement); 5-day standard format per PRODUCT.md"
    )

    /// Crisis Intervention Partners class for everyone else who works with people with a
    /// mental illness. The seed names correctional officers here, so corrections is a
    /// CIP audience.
    public static let cip = CourseDefinition(
        code: "CIP",
        title: "Crisis Intervention Partners (CIP) class",
        requiredHours: 16,
        typicalDays: 2,
        audiences: [.nonLawEnforcementProfessionals, .corrections],
        summary:
            "This CIP training is a 2-day educational class for non-law enforcement personnel. CIP training is encouraged for anyone who works with individuals with a mental illness, i.e. social workers, teachers, emergency room staff, security personnel, correctional officers and group home staff.",
        source: "seed page (2-day class, audiences); 16 hours per PRODUCT.md (NAMI Dane County and Door County pages)"
    )

    /// CIT for 911 call-takers and dispatchers. CIT International teaches its version in
    /// two four-hour sessions on consecutive days, hence two typical days.
    public static let citDispatch = CourseDefinition(
        code: "CIT-DISPATCH",
        title: "CIT for Dispatch",
        requiredHours: 8,
        typicalDays: 2,
        audiences: [.dispatch],
        summary:
            "An 8-hour course for 911 call-takers to prepare them to identify crisis calls, understand their role in triaging these calls, and begin the de-escalation process.",
        source: "CIT International, \"CIT Support Training for 911\" (https://citinternational.org/CITST911), per PRODUCT.md"
    )

    /// Every course, CIT first.
    public static let courses: [CourseDefinition] = [cit, cip, citDispatch]

    /// The course with this code, if there is one.
    public static func course(code: String) -> CourseDefinition? {
        courses.first { $0.code == code }
    }

    /// The curriculum topics: first the seed's, in its order, then the Memphis modules.
    public static let topics: [CurriculumTopic] = [
        CurriculumTopic(
            code: "mental-illness-overview",
            title: "Overview of mental illnesses",
            description: "Overview of various mental illnesses (symptoms, treatments, myths, and facts).",
            source: seedPageSource
        ),
        CurriculumTopic(
            code: "lived-experience",
            title: "Family members and people living with mental illness",
            description: "Presentations and discussion with family members and people living with mental illness.",
            source: seedPageSource
        ),
        CurriculumTopic(
            code: "de-escalation",
            title: "De-escalation",
            description: "Education on de-escalating mental health crises safely and effectively.",
            source: seedPageSource
        ),
        CurriculumTopic(
            code: "role-plays",
            title: "Role-plays with feedback",
            description: "Interactive role-plays on crisis de-escalation with feedback from trainers.",
            source: seedPageSource
        ),
        CurriculumTopic(
            code: "hearing-voices-simulation",
            title: "Hearing voices simulation",
            description:
                "Auditory hallucination (hearing voices) simulation; one of the other activities the seed says a course might include.",
            source: seedPageSource
        ),
        CurriculumTopic(
            code: "site-visits",
            title: "Site visits",
            description: "Site visits; one of the other activities the seed says a course might include.",
            source: seedPageSource
        ),
        CurriculumTopic(
            code: "ride-alongs",
            title: "Ride-alongs with community social workers",
            description: "Ride-alongs with community social workers; one of the other activities the seed says a course might include.",
            source: seedPageSource
        ),
        CurriculumTopic(
            code: "medications",
            title: "Medications and side effects",
            description: "Medications and their side effects.",
            source: memphisModelSource
        ),
        CurriculumTopic(
            code: "co-occurring-disorders",
            title: "Co-occurring disorders",
            description: "Co-occurring disorders.",
            source: memphisModelSource
        ),
        CurriculumTopic(
            code: "suicide-prevention",
            title: "Suicide prevention",
            description: "Suicide prevention.",
            source: memphisModelSource
        ),
        CurriculumTopic(
            code: "civil-commitment",
            title: "Civil commitment and emergency detention",
            description: "Civil commitment and emergency detention (in Wisconsin, emergency detention is Wis. Stat. 51.15).",
            source: memphisModelSource
        ),
        CurriculumTopic(
            code: "ptsd-veterans",
            title: "PTSD and veterans",
            description: "Post-traumatic stress disorder (PTSD) and veterans.",
            source: memphisModelSource
        ),
        CurriculumTopic(
            code: "legal-aspects",
            title: "Legal aspects",
            description: "Legal aspects.",
            source: memphisModelSource
        ),
        CurriculumTopic(
            code: "community-resources",
            title: "Community resources",
            description: "Community resources.",
            source: memphisModelSource
        ),
    ]

    /// The topic with this code, if there is one.
    public static func topic(code: String) -> CurriculumTopic? {
        topics.first { $0.code == code }
    }
}
