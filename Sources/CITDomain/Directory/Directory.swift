import Foundation

/// What a local program offers.
public enum ProgramKind: String, CaseIterable, Codable, Sendable {
    case cit = "CIT"
    case cip = "CIP"
    case citDispatch = "CIT for Dispatch"
    case youth = "Youth CIT"
    case inService = "In-service"

    public init?(label: String) {
        let normalized = label.trimmingCharacters(in: .whitespaces).lowercased()
        guard let kind = Self.allCases.first(where: { $0.rawValue.lowercased() == normalized }) else { return nil }
        self = kind
    }
}

/// Whether a program is running.
public enum ProgramStatus: String, CaseIterable, Codable, Sendable {
    case active, forming, inactive

    public var title: String {
        switch self {
        case .active: "Active"
        case .forming: "Forming"
        case .inactive: "Inactive"
        }
    }
}

/// The kinds of organization that make up a CIT partnership.
public enum OrganizationKind: String, CaseIterable, Codable, Sendable {
    case lawEnforcement = "law_enforcement"
    case dispatch
    case corrections
    case mentalHealthProvider = "mental_health_provider"
    case hospital
    case namiAffiliate = "nami_affiliate"
    case countyCrisisServices = "county_crisis_services"
    case school = "school"
    case other

    public var title: String {
        switch self {
        case .lawEnforcement: "Law enforcement"
        case .dispatch: "Dispatch"
        case .corrections: "Corrections"
        case .mentalHealthProvider: "Mental health provider"
        case .hospital: "Hospital"
        case .namiAffiliate: "NAMI affiliate"
        case .countyCrisisServices: "County crisis services"
        case .school: "School or college"
        case .other: "Other"
        }
    }

    /// Reads the free-text type a source gave ("law enforcement", "NAMI affiliate",
    /// "mental health provider, CIP training venue"): the first kind named wins.
    public init(describedAs text: String) {
        let t = text.lowercased()
        if t.contains("nami") {
            self = .namiAffiliate
        } else if t.contains("dispatch") && !t.contains("law enforcement") {
            self = .dispatch
        } else if t.contains("law enforcement") || t.contains("police") || t.contains("sheriff") {
            self = .lawEnforcement
        } else if t.contains("correction") || t.contains("jail") {
            self = .corrections
        } else if t.contains("hospital") {
            self = .hospital
        } else if t.contains("crisis") {
            self = .countyCrisisServices
        } else if t.contains("mental health") || t.contains("behavioral") {
            self = .mentalHealthProvider
        } else if t.contains("school") || t.contains("college") || t.contains("university") {
            self = .school
        } else {
            self = .other
        }
    }
}

/// An organization's part in a program.
public enum PartnerRole: String, CaseIterable, Codable, Sendable {
    case steering = "steering"
    case trainingHost = "training_host"
    case partner = "partner"

    public var title: String {
        switch self {
        case .steering: "Steering agency"
        case .trainingHost: "Training host"
        case .partner: "Partner"
        }
    }
}

/// A partner as a source wrote it: "Catalpa Health (mental health provider, CIP training venue)".
public struct ReportedPartner: Sendable, Equatable {
    public var name: String
    public var kind: OrganizationKind
    public var role: PartnerRole
    public var description: String

    /// Parses a semicolon-separated partner list.
    public static func parseList(_ text: String) -> [ReportedPartner] {
        text.split(separator: ";").compactMap { item in
            let entry = item.trimmingCharacters(in: .whitespaces)
            guard !entry.isEmpty else { return nil }
            var name = entry
            var description = ""
            if let open = entry.lastIndex(of: "("), entry.hasSuffix(")") {
                name = entry[..<open].trimmingCharacters(in: .whitespaces)
                description = String(entry[entry.index(after: open)..<entry.index(before: entry.endIndex)])
            }
            let role: PartnerRole =
                description.lowercased().contains("venue") || description.lowercased().contains("host") ? .trainingHost : .partner
            return ReportedPartner(name: name, kind: OrganizationKind(describedAs: description), role: role, description: description)
        }
    }
}

/// The CIT coverage of a county, as the map colours it.
public enum Coverage: String, Sendable, CaseIterable, Codable {
    /// At least one program serving the county trains officers (CIT).
    case cit
    /// Programs serve the county, but only with CIP (non-law-enforcement) training.
    case cipOnly = "cip_only"
    /// No program is known.
    case none

    public var title: String {
        switch self {
        case .cit: "CIT program"
        case .cipOnly: "CIP only"
        case .none: "None known"
        }
    }

    /// Inactive programs do not count; a forming one does (people can ask it).
    public static func classify(_ programs: [(kinds: Set<ProgramKind>, status: ProgramStatus)]) -> Coverage {
        let live = programs.filter { $0.status != .inactive }
        if live.contains(where: { $0.kinds.contains(.cit) }) { return .cit }
        if live.contains(where: {
            $0.kinds.contains(.cip) || $0.kinds.contains(.citDispatch) || $0.kinds.contains(.youth) || $0.kinds.contains(.inService)
        }) {
            return .cipOnly
        }
        return .none
    }
}

/// "Map last updated": the newest verification among the records, never typed by hand.
/// Nil when nothing has been verified yet, which the page says plainly.
public enum DirectoryFreshness {
    public static func lastUpdated(verifiedAt dates: [Date?]) -> Date? {
        dates.compactMap { $0 }.max()
    }
}

/// A US ZIP code's shape: five digits.
public enum ZIPCode {
    public static func isWellFormed(_ text: String) -> Bool {
        text.count == 5 && text.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
