import Foundation

/// One role a person holds, with the program (coordinator) or agency (liaison) it is
/// scoped to. Unscoped roles, and scoped roles saved without a scope, have `scope == nil`.
public struct Grant: Hashable, Sendable {
    public var role: Role
    public var scope: UUID?

    public init(role: Role, scope: UUID? = nil) {
        self.role = role
        self.scope = scope
    }
}

/// The signed-in person as the scope rules see them: who they are (for "own" records)
/// and what they hold.
public struct AccessHolder: Sendable, Equatable {
    /// The account's id: trainers are assigned to classes by it.
    public var userID: UUID?
    /// The account's email: certificates are issued to an email address, and a person
    /// opens the certificates issued to theirs.
    public var email: String
    public var grants: [Grant]

    public init(userID: UUID?, email: String, grants: [Grant]) {
        self.userID = userID
        self.email = email
        self.grants = grants
    }

    public var roles: [Role] { grants.map(\.role) }

    public func can(_ permission: Permission) -> Bool { RoleMatrix.allows(roles, permission) }

    /// The programs or agencies the person holds `role` for.
    public func scopes(_ role: Role) -> Set<UUID> { Set(grants.filter { $0.role == role }.compactMap(\.scope)) }

    public func holds(_ role: Role, for id: UUID) -> Bool { grants.contains { $0.role == role && $0.scope == id } }
}

/// A record as far as "who may touch it" cares: the program, class, agency or person it
/// belongs to. Controllers load this much and ask `Scope.decide`.
public enum ScopedRecord: Sendable, Hashable {
    /// A directory program (its page, partners, scenarios, new classes).
    case program(UUID)
    /// A class session of a program, with the accounts assigned to teach it.
    case classSession(programID: UUID, trainerIDs: Set<UUID>)
    /// A law enforcement, dispatch or corrections organization.
    case agency(UUID)
    /// A filed encounter report, by the agency it was filed for.
    case encounter(agencyID: UUID)
    /// A certificate, issued to an email address by a program.
    case certificate(ownerEmail: String, programID: UUID)
}

/// What a person wants to do with a record.
public enum ScopedAction: String, CaseIterable, Sendable {
    /// Open a record that is not public (a printable certificate).
    case view
    /// Change a record: a program's directory entry and partners, an agency's officer
    /// counts, an encounter report (correction).
    case edit
    /// State-only changes to a program: verify, approve a partner, merge.
    case verify
    /// Run a program's classes: create classes and scenarios, rosters, edit, completion,
    /// certificates, trainers.
    case manage
    /// Teach a class: attendance and role-play scores.
    case teach
    /// File encounter reports for an agency.
    case file
}

/// The answer. `hidden` is a refusal that must look like a missing record (404), for
/// records whose very existence is not another scope's business (encounter reports);
/// `forbidden` (403) is for records that are public anyway (programs, classes, agencies)
/// or whose code the person already holds (certificates).
public enum ScopeDecision: Sendable, Equatable {
    case allowed
    case forbidden
    case hidden

    public var isAllowed: Bool { self == .allowed }
}

/// A set of ids a person reaches: every record, or only these.
public enum Reach: Sendable, Equatable {
    case everything
    case only(Set<UUID>)

    public func contains(_ id: UUID) -> Bool {
        switch self {
        case .everything: true
        case .only(let ids): ids.contains(id)
        }
    }
}

/// Which records a person may touch, given what they hold (issue 14). The role matrix
/// decides which kinds of page a person may open; these rules decide which records on
/// them. The statewide permission (`editAllPrograms`) reaches every record; scoped roles
/// reach their program's or agency's records; trainers the classes they are assigned to;
/// everyone the certificates issued to their own email.
public enum Scope {
    public static func decide(_ holder: AccessHolder, _ action: ScopedAction, _ record: ScopedRecord) -> ScopeDecision {
        let state = holder.can(.editAllPrograms)
        func allow(_ yes: Bool, else refusal: ScopeDecision = .forbidden) -> ScopeDecision { yes ? .allowed : refusal }
        switch (record, action) {
        case (.program(let id), .edit):
            return allow(state || (holder.can(.editOwnPrograms) && holder.holds(.programCoordinator, for: id)))
        case (.program(let id), .manage):
            return allow(state || (holder.can(.manageOwnClasses) && holder.holds(.programCoordinator, for: id)))
        case (.program, .verify):
            return allow(state)
        case (.classSession(let program, _), .manage):
            return decide(holder, .manage, .program(program))
        case (.classSession(let program, let trainers), .teach):
            if decide(holder, .manage, .program(program)).isAllowed { return .allowed }
            return allow(holder.can(.teachOwnClasses) && holder.userID.map(trainers.contains) == true)
        case (.agency(let id), .edit), (.agency(let id), .file):
            return allow(state || (holder.can(.reportForOwnAgency) && holder.holds(.agencyLiaison, for: id)))
        case (.encounter(let agency), .edit):
            // Another agency's report answers as if it did not exist.
            return allow(decide(holder, .file, .agency(agency)).isAllowed, else: .hidden)
        case (.certificate(let owner, let program), .view):
            return allow(holder.email == owner || decide(holder, .manage, .program(program)).isAllowed)
        default:
            return .forbidden
        }
    }

    /// The programs whose records the person may `edit` or `manage`, for list queries.
    public static func programs(_ holder: AccessHolder, for action: ScopedAction) -> Reach {
        if decide(holder, action, .program(UUID())).isAllowed { return .everything }
        return .only(holder.scopes(.programCoordinator).filter { decide(holder, action, .program($0)).isAllowed })
    }

    /// The agencies the person may `edit` or `file` for, for list queries.
    public static func agencies(_ holder: AccessHolder, for action: ScopedAction) -> Reach {
        if decide(holder, action, .agency(UUID())).isAllowed { return .everything }
        return .only(holder.scopes(.agencyLiaison).filter { decide(holder, action, .agency($0)).isAllowed })
    }
}
