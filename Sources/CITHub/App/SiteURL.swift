/// Every path of the site, defined once: routes are registered from these and links are
/// built from them, so a renamed page cannot leave a dead link behind.
enum SiteURL {
    static let home = "/"
    static let about = "/about"
    static let crisis = "/crisis"
    static let map = "/map"
    static let classes = "/classes"
    static let healthz = "/healthz"
    static let login = "/login"
    static let logout = "/logout"
    static let account = "/account"
    static let accountPassword = "/account/password"
    static let forgotPassword = "/password/forgot"
    /// A one-time sign-in link by mail, for an owner locked out by wrong passwords (issue 13).
    static let signInLink = "/login/link"
    static let setup = "/setup"
    static let invitation = "/invitation"
    static let resetPassword = "/password/reset"
    static let adminUsers = "/admin/users"
    static let adminInvite = "/admin/users/invite"
    static let adminOutbox = "/admin/outbox"
    static func adminOutboxMessage(_ id: String) -> String { "\(adminOutbox)/\(id)" }
    static let adminAudit = "/admin/audit"
    static let search = "/search"
    static let embedMap = "/embed/map"
    static let directoryCSV = "/directory.csv"
    static let directoryGeoJSON = "/directory.geojson"
    static let directoryHSDS = "/directory/hsds.json"
    static let newProgram = "/programs/new"
    static let stylesheet = "/assets/site.css"
    static let favicon = "/assets/favicon.svg"

    static func setup(token: String) -> String { "\(setup)/\(token)" }
    static func invitation(token: String) -> String { "\(invitation)/\(token)" }
    static func resetPassword(token: String) -> String { "\(resetPassword)/\(token)" }
    static func signInLink(token: String) -> String { "\(signInLink)/\(token)" }
    static func adminUser(_ id: String) -> String { "\(adminUsers)/\(id)" }
    static func adminUserRoles(_ id: String) -> String { "\(adminUsers)/\(id)/roles" }
    static func adminUserStatus(_ id: String) -> String { "\(adminUsers)/\(id)/status" }

    static func county(_ fips: String) -> String { "/counties/\(fips)" }
    static func program(_ id: String) -> String { "/programs/\(id)" }
    static func programEdit(_ id: String) -> String { "/programs/\(id)/edit" }
    static func programVerify(_ id: String) -> String { "/programs/\(id)/verify" }
    static func programMerge(_ id: String) -> String { "/programs/\(id)/merge" }
    static func programPartners(_ id: String) -> String { "/programs/\(id)/partners" }
    static func programPartnerRemove(_ id: String, _ partner: String) -> String { "/programs/\(id)/partners/\(partner)/remove" }
    static func programPartnerApprove(_ id: String, _ partner: String) -> String { "/programs/\(id)/partners/\(partner)/approve" }
    static func programHistory(_ id: String) -> String { "/programs/\(id)/history" }

    // Accounts and liaison reports (issue 12)
    static let adminAgencies = "/admin/agencies"
    static func adminUserRoleRemove(_ id: String, _ grant: String) -> String { "\(adminUsers)/\(id)/roles/\(grant)/remove" }
    static let encounters = "/encounters"
    static let encounterNew = "/encounters/new"
    static let encounterImport = "/encounters/import"
    static func encounterCorrect(_ id: String) -> String { "/encounters/\(id)/correct" }
    static func agency(_ id: String) -> String { "/agencies/\(id)" }

    // Classes (issue 12): editing a class, and the script that adds and removes agenda rows.
    static let agendaRowsScript = "/assets/agenda-rows.js"
    static func classEdit(_ id: String) -> String { "/classes/\(id)/edit" }
    static func classAddPerson(_ id: String) -> String { "/classes/\(id)/registrations/new" }

    /// Turns "/admin/users" into route path components.
    static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init)
    }
}
