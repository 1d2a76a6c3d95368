/// A role a person holds in CIT Hub. Scoped roles (coordinator, liaison) carry the
/// programs or agencies they apply to in `RoleGrant`; the role alone decides which kinds
/// of page a person may open, the scope decides which records on them.
public enum Role: String, CaseIterable, Codable, Sendable, Comparable {
    case stateAdministrator = "state_administrator"
    case programCoordinator = "program_coordinator"
    case trainer = "trainer"
    case agencyLiaison = "agency_liaison"
    case trainee = "trainee"

    /// The words shown to people, never the raw value.
    public var title: String {
        switch self {
        case .stateAdministrator: "State administrator"
        case .programCoordinator: "Program coordinator"
        case .trainer: "Trainer"
        case .agencyLiaison: "Agency liaison"
        case .trainee: "Trainee / officer"
        }
    }

    /// What the role is for, shown next to the choice on the invitation form.
    public var explanation: String {
        switch self {
        case .stateAdministrator: "Runs the statewide network: every program, account, export and report."
        case .programCoordinator: "Runs one or more local programs: partners, classes, rosters, certificates."
        case .trainer: "Teaches classes: attendance, role-play scores and feedback for their own classes."
        case .agencyLiaison: "Keeps one agency's officer counts and files its encounter reports."
        case .trainee: "Sees their own training record and certificates."
        }
    }

    /// Whether the role only makes sense with a scope (programs or an agency).
    public var scopeKind: ScopeKind? {
        switch self {
        case .programCoordinator: .program
        case .agencyLiaison: .agency
        default: nil
        }
    }

    private var rank: Int { Role.allCases.firstIndex(of: self)! }
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// What a scoped role is scoped to.
public enum ScopeKind: String, Codable, Sendable {
    case program
    case agency
}

/// Something a protected page or action needs. Routes name a permission, never a role,
/// so the whole policy lives in `RoleMatrix` and can be read (and tested) in one place.
public enum Permission: String, CaseIterable, Codable, Sendable {
    /// Own account page, own password.
    case useOwnAccount
    /// Invite people, change roles, disable accounts.
    case manageAccounts
    /// Read the audit log.
    case readAuditLog
    /// See the mail outbox (messages waiting when SMTP is not configured).
    case readOutbox
    /// Edit every program in the directory, verify records, merge duplicates.
    case editAllPrograms
    /// Edit the programs the person coordinates.
    case editOwnPrograms
    /// Create and run classes of the person's programs.
    case manageOwnClasses
    /// Take attendance and score role-plays in the person's classes.
    case teachOwnClasses
    /// Keep an agency's officer counts and file its encounter reports.
    case reportForOwnAgency
    /// See one's own training record and certificates.
    case readOwnTraining
    /// Statewide reports and exports that include non-public figures.
    case readStateReports
    /// Revoke a certificate (with a reason shown on its public verification page).
    case revokeCertificates
}

/// The one table of who may do what. Every protected route asks `allows`.
public enum RoleMatrix {
    public static let grants: [Role: Set<Permission>] = [
        .stateAdministrator: Set(Permission.allCases),
        .programCoordinator: [.useOwnAccount, .editOwnPrograms, .manageOwnClasses, .teachOwnClasses, .readOwnTraining],
        .trainer: [.useOwnAccount, .teachOwnClasses, .readOwnTraining],
        .agencyLiaison: [.useOwnAccount, .reportForOwnAgency, .readOwnTraining],
        .trainee: [.useOwnAccount, .readOwnTraining],
    ]

    /// Whether any of the roles grants the permission.
    public static func allows(_ roles: some Sequence<Role>, _ permission: Permission) -> Bool {
        roles.contains { grants[$0, default: []].contains(permission) }
    }
}
