import Foundation

extension OrganizationKind {
    /// Whether organizations of this kind file encounter reports (and so whether approving
    /// one as a program's partner opens anything).
    public var filesEncounterReports: Bool {
        switch self {
        case .lawEnforcement, .dispatch, .corrections: true
        default: false
        }
    }
}

/// One thing a person holds that can let them read exact (unsuppressed) outcome counts,
/// as plain values: no account, no database.
public enum OutcomeGrant: Hashable, Sendable {
    /// Statewide reports that include non-public figures (the state administrator).
    case stateReports
    /// Liaison of one agency: that agency files the reports, so it may read them.
    case agencyLiaison(agency: UUID)
    /// Coordinator of one program: reaches the program's approved partner agencies only.
    case programCoordinator(program: UUID)

    /// The grant a role gives, or nil for a role that gives none (trainer, trainee) or a
    /// scoped role saved without its scope. "Reads state reports" is asked of the role
    /// table rather than named here, so the permission stays in one place.
    public init?(role: Role, scope: UUID?) {
        if RoleMatrix.allows([role], .readStateReports) { self = .stateReports; return }
        switch (role, scope) {
        case (.agencyLiaison, let agency?): self = .agencyLiaison(agency: agency)
        case (.programCoordinator, let program?): self = .programCoordinator(program: program)
        default: return nil
        }
    }
}

/// What the directory says about one program, as far as outcome access cares.
public struct ProgramAccessFacts: Sendable, Equatable {
    public var program: UUID
    /// Partner organizations a state administrator has approved (or added themselves).
    public var approvedPartners: Set<UUID>
    /// Partners a coordinator added that no administrator has approved yet.
    public var pendingPartners: Set<UUID>
    /// The counties the program says it serves. Carried only so that tests can show it is
    /// never read: a coordinator can edit this list, so it must not reach anyone's data.
    public var counties: Set<String>

    public init(program: UUID, approvedPartners: Set<UUID> = [], pendingPartners: Set<UUID> = [], counties: Set<String> = []) {
        self.program = program
        self.approvedPartners = approvedPartners
        self.pendingPartners = pendingPartners
        self.counties = counties
    }
}

/// Which agencies' encounter reports a person may read exactly.
public enum ExactScope: Sendable, Equatable {
    /// None: every number they see is the public, suppressed one.
    case none
    /// Every agency (state reports readers).
    case all
    /// These agencies' reports, wherever the calls happened.
    case agencies(Set<UUID>)

    /// Whether every one of these agencies is inside the scope.
    public func covers(_ agencies: Set<UUID>) -> Bool {
        switch self {
        case .none: agencies.isEmpty
        case .all: true
        case .agencies(let mine): agencies.isSubset(of: mine)
        }
    }
}

/// How one dashboard selection may be shown to one person.
public enum OutcomeSelectionAccess: Sendable, Equatable {
    /// The public, suppressed view: the same numbers an anonymous visitor gets.
    case publicView
    /// Exact counts of every agency's reports (then narrowed by county and quarter only).
    case exactAll
    /// Exact counts of exactly these agencies' reports (then narrowed by county and quarter).
    case exactAgencies(Set<UUID>)
}

/// The rule for exact outcome counts (issue 13, part 2).
///
/// Small counts are hidden from the public so that nobody in a crisis call can be
/// recognised. A person sees them exactly only for reports they are responsible for:
/// - a state reports reader (the state administrator): every agency;
/// - an agency liaison: their own agency, which filed the reports;
/// - a program coordinator: the program's partner agencies that a state administrator
///   approved. A partner a coordinator adds waits for that approval, because otherwise a
///   coordinator could name any agency as a partner and read its numbers.
/// Counties never confer access. A coordinator edits their program's county list, so a
/// rule that followed counties let one set "every county" and read exact per-agency
/// counts statewide (seen live: "An officer was injured: 2" for another agency).
public enum OutcomeAccess {
    /// The agencies this person may read exactly, from their grants and the programs'
    /// approved partners. Grants add up: a liaison who also coordinates a program reaches
    /// their agency and the program's approved partners.
    public static func exactScope(grants: some Sequence<OutcomeGrant>, programs: [ProgramAccessFacts]) -> ExactScope {
        var agencies: Set<UUID> = []
        for grant in grants {
            switch grant {
            case .stateReports:
                return .all
            case .agencyLiaison(let agency):
                agencies.insert(agency)
            case .programCoordinator(let program):
                // Only approved partners: pending ones and the county list confer nothing.
                for facts in programs where facts.program == program { agencies.formUnion(facts.approvedPartners) }
            }
        }
        return agencies.isEmpty ? .none : .agencies(agencies)
    }

    /// How a dashboard selection is shown to a person whose exact scope is `scope`.
    ///
    /// The selection names the agencies whose reports it counts: every agency; or the one
    /// `agency`; or, for a `program`, the program's approved partner agencies (the reports
    /// those agencies filed, wherever the call was, never "the program's counties"); with
    /// both, the agency if it is one of those partners. The view is exact only when the
    /// person's scope covers every agency the selection counts, and then it is restricted
    /// to exactly those agencies; otherwise it is the public, suppressed view. A `county`
    /// filter narrows the rows inside the selected agencies and confers nothing: a
    /// coordinator asking for a county without an agency sees the public view, because
    /// that county's numbers include agencies outside their scope.
    ///
    /// A program with no approved partner agency selects nothing, so it gets the public
    /// view rather than an exact view of no reports.
    public static func selection(
        county: String?, agency: UUID?, program: UUID?,
        scope: ExactScope, programs: [ProgramAccessFacts]
    ) -> OutcomeSelectionAccess {
        _ = county  // narrows rows only; deliberately not part of the decision
        var selected: Set<UUID>?
        if let agency { selected = [agency] }
        if let program {
            let partners = programs.first { $0.program == program }?.approvedPartners ?? []
            selected = selected.map { $0.intersection(partners) } ?? partners
        }
        guard let selected else { return scope == .all ? .exactAll : .publicView }
        guard !selected.isEmpty, scope.covers(selected) else { return .publicView }
        return .exactAgencies(selected)
    }
}
