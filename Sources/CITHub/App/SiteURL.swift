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
    static let setup = "/setup"
    static let invitation = "/invitation"
    static let resetPassword = "/password/reset"
    static let adminUsers = "/admin/users"
    static let adminInvite = "/admin/users/invite"
    static let adminOutbox = "/admin/outbox"
    static let adminAudit = "/admin/audit"
    static let stylesheet = "/assets/site.css"
    static let favicon = "/assets/favicon.svg"

    static func setup(token: String) -> String { "\(setup)/\(token)" }
    static func invitation(token: String) -> String { "\(invitation)/\(token)" }
    static func resetPassword(token: String) -> String { "\(resetPassword)/\(token)" }
    static func adminUser(_ id: String) -> String { "\(adminUsers)/\(id)" }
    static func adminUserRoles(_ id: String) -> String { "\(adminUsers)/\(id)/roles" }
    static func adminUserStatus(_ id: String) -> String { "\(adminUsers)/\(id)/status" }

    /// Turns "/admin/users" into route path components.
    static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init)
    }
}
