import Vapor
import Fluent
import Plot
import CITDomain

/// The administrator's pages for people: invite, change roles, disable and enable.
enum AdminAccountsController {
    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get(SiteURL.adminUsers, .manageAccounts, use: list)
        protected.post(SiteURL.adminInvite, .manageAccounts, use: invite)
        protected.get(SiteURL.adminUser(":id"), .manageAccounts, use: show)
        protected.post(SiteURL.adminUserRoles(":id"), .manageAccounts, use: changeRole)
        protected.post(SiteURL.adminUserStatus(":id"), .manageAccounts, use: changeStatus)
    }

    struct InviteInput { var email = ""; var name = ""; var role = Role.trainee.rawValue; var scope = "" }

    @Sendable static func list(req: Request) async throws -> Response {
        try await listPage(req, input: InviteInput(), errors: [:], status: .ok)
    }

    static func listPage(_ req: Request, input: InviteInput, errors: [String: String], status: HTTPResponseStatus) async throws -> Response {
        let users = try await User.query(on: req.db).with(\.$roleGrants).sort(\.$email).all()
        let labels = ["email": "Email address", "name": "Name", "role": "Role", "scope": "Program or agency"]
        let page = Page(title: "People and roles", chrome: req.chrome(notice: Notices.text(for: req.query[String.self, at: "notice"])), main: [
            .h1(.text("People and roles")),
            .div(.class("table-scroll"), .table(
                .caption(.text("Everyone with an account (\(users.count))")),
                .tr(.th(.text("Name")), .th(.text("Email")), .th(.text("Roles")), .th(.text("Status"))),
                .forEach(users) { user in
                    .tr(
                        .td(.a(.href(SiteURL.adminUser(user.id!.uuidString)), .text(user.name.isEmpty ? "(no name yet)" : user.name))),
                        .td(.text(user.email)),
                        .td(.text(user.roles.sorted().map(\.title).joined(separator: ", "))),
                        .td(.text(user.isDisabled ? "Disabled" : (user.hasAcceptedInvitation ? "Active" : "Invited")))
                    )
                }
            )),
            .h2(.id("invite"), .text("Invite someone")),
            .p(.text("They receive an email with a link to choose their password. The link works once, for 7 days.")),
            FormHTML.errorSummary(errors, order: ["email", "name", "role", "scope"], labels: labels),
            FormHTML.form(action: SiteURL.adminInvite, csrf: req.csrfToken, [
                FormHTML.field(.init(name: "email", label: labels["email"]!, type: "email", value: input.email, error: errors["email"], autocomplete: "off")),
                FormHTML.field(.init(name: "name", label: labels["name"]!, value: input.name, error: errors["name"], autocomplete: "off")),
                roleSelect(selected: input.role, error: errors["role"]),
                FormHTML.field(.init(name: "scope", label: labels["scope"]!, value: input.scope, error: errors["scope"],
                                     hint: "For a program coordinator or agency liaison: the program or agency they act for. Programs and agencies can be picked from the directory once it has them.",
                                     required: false)),
                FormHTML.submit("Send invitation"),
            ]),
        ])
        return htmlResponse(page, status: status)
    }

    static func roleSelect(selected: String, error: String?) -> BodyNode {
        FormHTML.select(name: "role", label: "Role", options: Role.allCases.map { ($0.rawValue, "\($0.title): \($0.explanation)") }, selected: selected, error: error)
    }

    @Sendable static func invite(req: Request) async throws -> Response {
        let form = FormValues(req)
        let input = InviteInput(email: User.normalize(email: form["email"]), name: form.trimmed("name"), role: form["role"], scope: form.trimmed("scope"))
        var errors: [String: String] = [:]
        if let error = AccountService.emailError(input.email) { errors["email"] = error }
        if let error = AccountService.nameError(input.name) { errors["name"] = error.replacingOccurrences(of: "your name", with: "their name") }
        let role = Role(rawValue: input.role)
        if role == nil { errors["role"] = "Choose one of the roles." }
        if input.scope.count > 200 { errors["scope"] = "At most 200 characters." }
        if errors["email"] == nil, try await User.query(on: req.db).filter(\.$email == input.email).count() > 0 {
            errors["email"] = "Someone already has an account with this address."
        }
        guard errors.isEmpty, let role else { return try await listPage(req, input: input, errors: errors, status: .unprocessableEntity) }

        let settings = req.application.settings
        let inviter = try req.auth.require(User.self)
        let (token, hash) = AccountToken.generate()
        try await req.db.transaction { tx in
            let user = User(email: input.email, name: input.name)
            try await user.create(on: tx)
            try await RoleGrant(userID: user.id!, role: role, scopeID: input.scope.isEmpty ? nil : input.scope).create(on: tx)
            try await AccountToken(purpose: .invitation, tokenHash: hash, userID: user.id, expiresAt: Date().addingTimeInterval(AccountService.invitationLifetime)).create(on: tx)
            try await Outbox(database: tx, from: settings.mailFrom).enqueue(
                to: user.email, subject: "You are invited to CIT Hub",
                text: """
                Hello \(input.name),

                \(inviter.name) invited you to CIT Hub as \(role.title.lowercased()) for \(settings.organization.name).
                Open this link to choose your password. It works once, within 7 days.

                \(settings.publicURL + SiteURL.invitation(token: token))

                If you were not expecting this, you can ignore this message.
                """)
            try await req.audit.record("invitation.created", entityType: "user", entityID: user.id?.uuidString, details: "\(user.email) as \(role.rawValue)\(input.scope.isEmpty ? "" : " for \(input.scope)")", on: tx)
        }
        return req.redirect(to: SiteURL.adminUsers + "?notice=invited", redirectType: .normal)
    }

    static func findUser(_ req: Request) async throws -> User {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let user = try await User.query(on: req.db).filter(\.$id == id).with(\.$roleGrants).first()
        else { throw Abort(.notFound) }
        return user
    }

    @Sendable static func show(req: Request) async throws -> Response {
        try await showPage(req, user: try await findUser(req), errors: [:], status: .ok)
    }

    static func showPage(_ req: Request, user: User, errors: [String: String], status: HTTPResponseStatus) async throws -> Response {
        let events = try await AuditEvent.query(on: req.db).group(.or) { $0.filter(\.$entityID == user.id!.uuidString).filter(\.$actorID == user.id!) }
            .sort(\.$at, .descending).limit(50).all()
        let current = user.roles.sorted().first?.rawValue ?? Role.trainee.rawValue
        let page = Page(title: user.email, chrome: req.chrome(notice: Notices.text(for: req.query[String.self, at: "notice"])), main: [
            .p(.a(.href(SiteURL.adminUsers), .text("← People and roles"))),
            .h1(.text(user.name.isEmpty ? user.email : user.name)),
            .p(.text("\(user.email) · " + (user.isDisabled ? "Disabled" : (user.hasAcceptedInvitation ? "Active" : "Invited, not yet accepted")))),
            .p(.text("Roles: " + user.$roleGrants.value!.map { $0.role.title + ($0.scopeID.map { " (\($0))" } ?? "") }.joined(separator: ", "))),
            .h2(.text("Change role")),
            .if(errors["role"] != nil || errors["scope"] != nil, .div(.class("error-summary"), .attribute(named: "role", value: "alert"), .p(.text([errors["role"], errors["scope"]].compactMap { $0 }.joined(separator: " "))))),
            FormHTML.form(action: SiteURL.adminUserRoles(user.id!.uuidString), csrf: req.csrfToken, [
                roleSelect(selected: current, error: errors["role"]),
                FormHTML.field(.init(name: "scope", label: "Program or agency", value: user.$roleGrants.value?.first?.scopeID ?? "", error: errors["scope"], required: false)),
                FormHTML.submit("Change role"),
            ]),
            .h2(.text(user.isDisabled ? "Enable account" : "Disable account")),
            .p(.text(user.isDisabled ? "They will be able to sign in again." : "They will be signed out and cannot sign in. Their history stays.")),
            .unwrap(errors["status"]) { .p(.class("error"), .text($0)) },
            FormHTML.form(action: SiteURL.adminUserStatus(user.id!.uuidString), csrf: req.csrfToken, [
                .input(.type(.hidden), .name("action"), .value(user.isDisabled ? "enable" : "disable")),
                FormHTML.submit(user.isDisabled ? "Enable account" : "Disable account", secondary: true),
            ]),
            .h2(.text("History")),
            AuditController.table(events),
        ])
        return htmlResponse(page, status: status)
    }

    @Sendable static func changeRole(req: Request) async throws -> Response {
        let user = try await findUser(req)
        let form = FormValues(req)
        let scope = form.trimmed("scope")
        guard let role = Role(rawValue: form["role"]) else {
            return try await showPage(req, user: user, errors: ["role": "Choose one of the roles."], status: .unprocessableEntity)
        }
        if scope.count > 200 { return try await showPage(req, user: user, errors: ["scope": "At most 200 characters."], status: .unprocessableEntity) }
        let before = user.roles.sorted().map(\.rawValue).joined(separator: ",")
        let result = try await req.db.transaction { tx -> String? in
            if user.roles.contains(.stateAdministrator) && role != .stateAdministrator {
                let admins = try await RoleGrant.query(on: tx).filter(\.$role == .stateAdministrator)
                    .join(User.self, on: \RoleGrant.$user.$id == \User.$id).filter(User.self, \.$disabledAt == nil).count()
                if admins <= 1 { return "This is the only active state administrator. Make someone else an administrator first." }
            }
            try await RoleGrant.query(on: tx).filter(\.$user.$id == user.id!).delete()
            try await RoleGrant(userID: user.id!, role: role, scopeID: scope.isEmpty ? nil : scope).create(on: tx)
            try await req.audit.record("account.role_changed", entityType: "user", entityID: user.id?.uuidString, details: "\(user.email): \(before) → \(role.rawValue)\(scope.isEmpty ? "" : " for \(scope)")", on: tx)
            return nil
        }
        if let problem = result { return try await showPage(req, user: user, errors: ["role": problem], status: .unprocessableEntity) }
        return req.redirect(to: SiteURL.adminUser(user.id!.uuidString) + "?notice=roles-changed", redirectType: .normal)
    }

    @Sendable static func changeStatus(req: Request) async throws -> Response {
        let user = try await findUser(req)
        let actor = try req.auth.require(User.self)
        let action = FormValues(req)["action"]
        guard action == "disable" || action == "enable" else {
            return try await showPage(req, user: user, errors: ["status": "Choose to disable or enable the account."], status: .unprocessableEntity)
        }
        if action == "disable" && user.id == actor.id {
            return try await showPage(req, user: user, errors: ["status": "You cannot disable your own account."], status: .unprocessableEntity)
        }
        try await req.db.transaction { tx in
            user.disabledAt = action == "disable" ? Date() : nil
            try await user.save(on: tx)
            try await req.audit.record(action == "disable" ? "account.disabled" : "account.enabled", entityType: "user", entityID: user.id?.uuidString, details: user.email, on: tx)
        }
        return req.redirect(to: SiteURL.adminUser(user.id!.uuidString) + "?notice=status-changed", redirectType: .normal)
    }
}

/// The audit log page and the table other pages reuse for a record's history.
enum AuditController {
    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get(SiteURL.adminAudit, .readAuditLog, use: list)
    }

    @Sendable static func list(req: Request) async throws -> Response {
        var query = AuditEvent.query(on: req.db).sort(\.$at, .descending).limit(200)
        let action = req.query[String.self, at: "action"].map { String($0.prefix(100)) }
        if let action, !action.isEmpty { query = query.filter(\.$action == action) }
        let events = try await query.all()
        let page = Page(title: "Audit log", chrome: req.chrome(), main: [
            .h1(.text("Audit log")),
            .p(.text("The newest 200 events: sign-ins (successful and failed), role changes, and every change to records.")),
            table(events),
        ])
        return htmlResponse(page)
    }

    static func table(_ events: [AuditEvent]) -> BodyNode {
        .div(.class("table-scroll"), .table(
            .tr(.th(.text("When (UTC)")), .th(.text("Who")), .th(.text("What")), .th(.text("Record")), .th(.text("Details")), .th(.text("From"))),
            .forEach(events) { event in
                .tr(.td(.text(event.at.formatted(.iso8601))), .td(.text(event.actor)), .td(.text(event.action)),
                    .td(.text(event.entityType + (event.entityID.map { " " + $0 } ?? ""))), .td(.text(event.details)), .td(.text(event.ip ?? "")))
            }
        ))
    }
}

/// The outbox page: what mail is waiting, sent or failed. Without SMTP configured, this is
/// where a newcomer reads an invitation or a reset link.
enum OutboxController {
    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get(SiteURL.adminOutbox, .readOutbox, use: list)
    }

    @Sendable static func list(req: Request) async throws -> Response {
        let messages = try await OutboxMessage.query(on: req.db).sort(\.$createdAt, .descending).limit(100).all()
        let configured = req.application.settings.smtpURL != nil
        let page = Page(title: "Mail outbox", chrome: req.chrome(), main: [
            .h1(.text("Mail outbox")),
            .p(.text(configured
                     ? "Mail is delivered over SMTP every few seconds. Failed deliveries are retried with growing delays."
                     : "SMTP_URL is not set, so mail is not sent: it waits here. Copy a link from a message below to finish an invitation or a password reset, or set SMTP_URL and restart.")),
            .forEach(messages) { message in
                .element(named: "article", nodes: [
                    .attribute(named: "class", value: "card"),
                    .h2(.text(message.subject)),
                    .p(.text("To \(message.toAddress) · created \(message.createdAt?.formatted(.iso8601) ?? "") · "),
                       .span(.class("status-\(message.status.rawValue)"), .text(message.status.rawValue)),
                       .text(message.attempts > 0 ? " · \(message.attempts) attempt(s)" : ""),
                       .unwrap(message.lastError) { .text(" · last error: \($0)") }),
                    .element(named: "pre", nodes: [.attribute(named: "class", value: "mail"), .text(message.bodyText)]),
                ])
            },
            .if(messages.isEmpty, .p(.text("No mail yet."))),
        ])
        return htmlResponse(page)
    }
}
