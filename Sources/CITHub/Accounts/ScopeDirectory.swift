import Vapor
import Fluent
import CITDomain

/// The programs and agencies scoped roles are given for, read from the directory, and
/// the names of the scopes people already hold. Scopes are stored as the record's id;
/// people only ever see and type names.
enum ScopeDirectory {
    /// The kinds of organization an agency liaison can act for: the ones encounter
    /// reports are filed for.
    static let agencyKinds: [OrganizationKind] = [.lawEnforcement, .dispatch, .corrections]

    /// Programs a coordinator can be given: every program not merged into another. Two
    /// programs of one name are told apart by their counties.
    static func programs(on db: any Database) async throws -> ScopeChoices {
        let programs = try await Program.query(on: db).filter(\.$mergedInto == nil).field(\.$id).field(\.$name).all()
        let counties = try await countyNames(on: db)
        var countiesOf: [UUID: [String]] = [:]
        for link in try await ProgramCounty.query(on: db).all() {
            countiesOf[link.$program.id, default: []].append(counties[link.countyFIPS] ?? link.countyFIPS)
        }
        return ScopeChoices(
            programs.map { program in
                ScopeCandidate(
                    id: program.id!, name: program.name, qualifier: (countiesOf[program.id!] ?? []).sorted().joined(separator: ", "))
            })
    }

    /// Agencies a liaison can be given. Two agencies of one name are told apart by county and kind.
    static func agencies(on db: any Database) async throws -> ScopeChoices {
        let organizations = try await Organization.query(on: db).filter(\.$kind ~~ agencyKinds).all()
        let counties = try await countyNames(on: db)
        return ScopeChoices(
            organizations.map { agency in
                let county = agency.countyFIPS.flatMap { counties[$0] }.map { "\($0) County" }
                return ScopeCandidate(
                    id: agency.id!, name: agency.name, qualifier: [county, agency.kind.title].compactMap { $0 }.joined(separator: ", "))
            })
    }

    static func countyNames(on db: any Database) async throws -> [String: String] {
        Dictionary(
            try await County.query(on: db).field(\.$id).field(\.$name).all().map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    /// Names of the programs and organizations these grants are scoped to, keyed by the
    /// stored scope (lowercased). Scopes that are not a record's id (free text saved
    /// before issue 12) have no entry.
    static func names(for grants: [RoleGrant], on db: any Database) async throws -> [String: String] {
        let ids = Set(grants.compactMap { $0.scopeID.flatMap(UUID.init(uuidString:)) })
        guard !ids.isEmpty else { return [:] }
        var names: [String: String] = [:]
        for program in try await Program.query(on: db).filter(\.$id ~~ ids).field(\.$id).field(\.$name).all() {
            names[program.id!.uuidString.lowercased()] = program.name
        }
        for organization in try await Organization.query(on: db).filter(\.$id ~~ ids).all() {
            names[organization.id!.uuidString.lowercased()] = organization.name
        }
        return names
    }

    /// "Program coordinator — NAMI Dane County CIT/CIP"; a scope that names no record
    /// says so instead of showing what was stored.
    static func describe(_ grant: RoleGrant, names: [String: String]) -> String {
        guard let scope = grant.scopeID, !scope.isEmpty else { return grant.role.title }
        if let name = names[scope.lowercased()] { return "\(grant.role.title) — \(name)" }
        return "\(grant.role.title) — not linked to any \(grant.role.scopeKind == .agency ? "agency" : "program") in the directory"
    }

    /// Every grant of a user described, in role order.
    static func describe(_ grants: [RoleGrant], names: [String: String]) -> [String] {
        grants.sorted { ($0.role, names[$0.scopeID?.lowercased() ?? ""] ?? "") < ($1.role, names[$1.scopeID?.lowercased() ?? ""] ?? "") }
            .map { describe($0, names: names) }
    }

    /// The problem with what was typed for a scope, for the message beside the field;
    /// nil when it resolved to exactly one record.
    static func problem(_ match: ScopeMatch, typed: String, kind: ScopeKind, role: Role) -> String? {
        let noun = kind == .program ? "program" : "agency"
        switch match {
        case .found: return nil
        case .empty:
            return kind == .program
                ? "A program coordinator needs a program: type its name and pick it from the list."
                : "An agency liaison needs an agency: type its name and pick it from the list."
        case let .ambiguous(labels):
            return
                "Several \(kind == .program ? "programs" : "agencies") are called “\(typed)”. Pick one from the list: \(labels.joined(separator: "; "))."
        case let .notFound(suggestions):
            let fix =
                kind == .program
                ? "Check the spelling, or add the program to the directory first." : "Check the spelling, or add the agency below."
            return "No \(noun) in the directory is called “\(typed)”. "
                + (suggestions.isEmpty ? fix : "Did you mean \(suggestions.map { "“\($0)”" }.joined(separator: " or "))?")
        }
    }
}
