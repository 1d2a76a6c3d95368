import Fluent
import Vapor
import CITDomain

/// Which agencies' encounter reports a signed-in person may read exactly, built from
/// their role grants and the programs' approved partners. The rule itself is
/// `CITDomain.OutcomeAccess`; this only reads the facts it needs from the database.
enum OutcomeScope {
    /// The agencies this person may read exactly: `.all` for state reports readers, their
    /// agency for a liaison, the approved partner agencies of the programs they coordinate,
    /// `.none` for everyone else (signed out, trainers, trainees, disabled accounts).
    /// A program's counties are never read: a coordinator can change them.
    static func exactAgencies(for user: User?, on db: any Database) async throws -> ExactScope {
        let grants = try await self.grants(of: user, on: db)
        let programs = grants.compactMap { grant -> UUID? in
            if case .programCoordinator(let program) = grant { return program } else { return nil }
        }
        return OutcomeAccess.exactScope(grants: grants, programs: try await facts(for: programs, on: db))
    }

    /// How one dashboard selection is shown to this person (issue 13, part 2):
    /// - a state reports reader: exact; with no agency or program filter, every agency
    ///   (`.exactAll`);
    /// - `agency` set and inside the person's scope: exact for that agency;
    /// - `program` set and the person coordinates it (or reads state reports, or every
    ///   approved partner is their own agency): exact for the program's APPROVED partner
    ///   agencies, counting the reports those agencies filed wherever the call was, never
    ///   "the reports from the program's counties";
    /// - both: the agency, if it is an approved partner of the program and in scope;
    /// - anything else, including a county filter on its own: `.publicView`, the same
    ///   suppressed numbers an anonymous visitor gets.
    /// `county`, `from` and `to` only narrow rows inside the agencies returned; they never
    /// widen what is exact. A program with no approved partner yet gets `.publicView`.
    ///
    /// The caller filters rows by `agency_id IN` the returned set for `.exactAgencies`, and
    /// must not apply the program's county list on top of an exact view.
    static func access(for user: User?, county: String?, agency: UUID?, program: UUID?, on db: any Database) async throws
        -> OutcomeSelectionAccess
    {
        let grants = try await self.grants(of: user, on: db)
        var programs = Set<UUID>()
        for grant in grants { if case .programCoordinator(let id) = grant { programs.insert(id) } }
        if let program { programs.insert(program) }
        let facts = try await facts(for: Array(programs), on: db)
        let scope = OutcomeAccess.exactScope(grants: grants, programs: facts)
        return OutcomeAccess.selection(county: county, agency: agency, program: program, scope: scope, programs: facts)
    }

    /// The person's grants as the rule reads them. Grants are read from the database
    /// unless they came loaded with the user, so a caller that loaded the user some other
    /// way (an API token) cannot get a stale or empty answer.
    static func grants(of user: User?, on db: any Database) async throws -> [OutcomeGrant] {
        guard let user, let id = user.id, !user.isDisabled, user.hasAcceptedInvitation else { return [] }
        let rows: [RoleGrant]
        if let loaded = user.$roleGrants.value {
            rows = loaded
        } else {
            rows = try await RoleGrant.query(on: db).filter(\.$user.$id == id).all()
        }
        return rows.compactMap { OutcomeGrant(role: $0.role, scope: $0.scopeID.flatMap(UUID.init(uuidString:))) }
    }

    /// Approved and waiting partners (and, for the tests' sake, counties) of these programs.
    /// A merged-away program has no facts: its coordinators reach nothing through it.
    static func facts(for programs: [UUID], on db: any Database) async throws -> [ProgramAccessFacts] {
        guard !programs.isEmpty else { return [] }
        let live = try await Program.query(on: db).filter(\.$id ~~ programs).filter(\.$mergedInto == nil).all().compactMap(\.id)
        guard !live.isEmpty else { return [] }
        let partners = try await ProgramPartner.query(on: db).filter(\.$program.$id ~~ live).all()
        let counties = try await ProgramCounty.query(on: db).filter(\.$program.$id ~~ live).all()
        return live.map { program in
            let mine = partners.filter { $0.$program.id == program }
            return ProgramAccessFacts(
                program: program,
                approvedPartners: Set(mine.filter(\.isApproved).map(\.$organization.id)),
                pendingPartners: Set(mine.filter { !$0.isApproved }.map(\.$organization.id)),
                counties: Set(counties.filter { $0.$program.id == program }.map(\.countyFIPS)))
        }
    }
}
