import Vapor
import Fluent
import Plot
import CITDomain

/// The administrator's pages for people: invite, change roles, disable and enable, and
/// add an agency that is not in the directory yet. Programs and agencies are picked by
/// name from the directory (a typed list with suggestions that works without
/// JavaScript); what does not resolve to exactly one record is refused beside the field.
enum AdminAccountsController {
    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get(SiteURL.adminUsers, .manageAccounts, use: list)
        protected.post(SiteURL.adminInvite, .manageAccounts, use: invite)
        protected.post(SiteURL.adminAgencies, .editAllPrograms, use: addAgency)
        protected.get(SiteURL.adminUser(.key), .manageAccounts, use: show)
        protected.post(SiteURL.adminUserRoles(.key), .manageAccounts, use: changeRole)
        protected.post(SiteURL.adminUserRoleRemove(.key, .key), .manageAccounts, use: removeRole)
        protected.post(SiteURL.adminUserStatus(.key), .manageAccounts, use: changeStatus)
    }

    struct InviteInput { var email = ""; var name = ""; var role = Role.trainee.rawValue; var program = ""; var agency = "" }
    struct AgencyInput { var name = ""; var county = ""; var kind = OrganizationKind.lawEnforcement.rawValue }

    static let labels = [
        "email": "Email address", "name": "Name", "role": "Role", "program": "Program", "agency": "Agency",
        "agency_name": "New agency", "agency_county": "County", "agency_kind": "Type of agency",
    ]

    @Sendable static func list(req: Request) async throws -> Response {
        var input = InviteInput()
        // Back from adding an agency: it is filled in, ready to invite its liaison.
        if let added = req.query[String.self, at: "agency"].flatMap(UUID.init(uuidString:)),
            let label = try await ScopeDirectory.agencies(on: req.db).label(of: added)
        {
            input.agency = label
            input.role = Role.agencyLiaison.rawValue
        }
        return try await listPage(req, input: input, errors: [:], agency: AgencyInput(), agencyErrors: [:], status: .ok)
    }

    static func listPage(
        _ req: Request, input: InviteInput, errors: [String: String], agency: AgencyInput, agencyErrors: [String: String],
        status: HTTPResponseStatus
    ) async throws -> Response {
        let users = try await User.query(on: req.db).with(\.$roleGrants).sort(\.$email).all()
        let names = try await ScopeDirectory.names(for: users.flatMap { $0.roleGrants }, on: req.db)
        let programs = try await ScopeDirectory.programs(on: req.db)
        let agencies = try await ScopeDirectory.agencies(on: req.db)
        let counties = try await County.query(on: req.db).filter(\.$stateCode == req.application.settings.stateCode)
            .field(\.$id).field(\.$name).sort(\.$name).all()
        let page = Page(
            title: "People and roles", chrome: req.chrome(notice: Notices.text(for: req.query[String.self, at: "notice"])),
            main: [
                .h1(.text("People and roles")),
                .p(.a(.href("#invite"), .text("Invite someone")), .text(" · "), .a(.href("#add-agency"), .text("Add an agency"))),
                // A list of cards rather than a table: it reads on a phone without scrolling sideways.
                .h2(.text("Everyone with an account (\(users.count))")),
                .ul(
                    .class("people"),
                    .forEach(users) { user in
                        .li(
                            .a(
                                .class("person-name"), .href(SiteURL.adminUser(.value(user.id!.uuidString)).path),
                                .text(user.name.isEmpty ? "(no name yet)" : user.name)),
                            .span(.class("person-email"), .text(user.email)),
                            .span(
                                .class("person-roles"),
                                .text(ScopeDirectory.describe(user.roleGrants, names: names).joined(separator: "; "))),
                            .span(
                                .class("person-status"),
                                .text(user.isDisabled ? "Disabled" : (user.hasAcceptedInvitation ? "Active" : "Invited, not yet accepted")))
                        )
                    }),
                .h2(.id("invite"), .text("Invite someone")),
                .p(.text("They receive an email with a link to choose their password. The link works once, for 7 days.")),
                FormHTML.errorSummary(errors, order: ["email", "name", "role", "program", "agency"], labels: labels),
                FormHTML.form(
                    action: SiteURL.adminInvite.path, csrf: req.csrfToken, id: "invite-form",
                    [
                        FormHTML.field(
                            .init(
                                name: "email", label: labels["email"]!, type: "email", value: input.email, error: errors["email"],
                                autocomplete: "off")),
                        FormHTML.field(
                            .init(name: "name", label: labels["name"]!, value: input.name, error: errors["name"], autocomplete: "off")),
                        roleSelect(selected: input.role, error: errors["role"]),
                        ScopePickerHTML.programField(value: input.program, error: errors["program"], choices: programs),
                        ScopePickerHTML.agencyField(value: input.agency, error: errors["agency"], choices: agencies),
                        FormHTML.submit("Send invitation"),
                    ]),
                addAgencySection(req, input: agency, errors: agencyErrors, counties: counties.map { ($0.id!, $0.name) }),
            ])
        return htmlResponse(page, status: status)
    }

    /// The small form for an agency the directory lacks. Closed until needed, open again
    /// when it comes back with a problem.
    static func addAgencySection(_ req: Request, input: AgencyInput, errors: [String: String], counties: [(String, String)]) -> BodyNode {
        .element(
            named: "details",
            nodes: [
                .id("add-agency"), .class("add-agency"),
                .if(!errors.isEmpty, .attribute(named: "open", value: "open")),
                .element(named: "summary", text: "Agency not in the directory? Add it"),
                .p(
                    .text(
                        "A law enforcement agency, dispatch centre or jail that is not listed yet. After adding it, it is filled in above, ready for its liaison's invitation."
                    )),
                FormHTML.errorSummary(errors, order: ["agency_name", "agency_county", "agency_kind"], labels: labels),
                FormHTML.form(
                    action: SiteURL.adminAgencies.path, csrf: req.csrfToken,
                    [
                        FormHTML.field(
                            .init(
                                name: "agency_name", label: labels["agency_name"]!, value: input.name, error: errors["agency_name"],
                                hint: "Its full name, as officers would look for it: “Oshkosh Police Department”.", autocomplete: "off")),
                        FormHTML.select(
                            name: "agency_county", label: labels["agency_county"]!, options: [("", "Choose…")] + counties,
                            selected: input.county, error: errors["agency_county"]),
                        FormHTML.select(
                            name: "agency_kind", label: labels["agency_kind"]!,
                            options: ScopeDirectory.agencyKinds.map { ($0.rawValue, $0.title) }, selected: input.kind,
                            error: errors["agency_kind"]),
                        FormHTML.submit("Add agency", secondary: true),
                    ]),
            ])
    }

    /// The role choice: short titles (long ones are cut off on a phone), with what each
    /// role can do one click away.
    static func roleSelect(selected: String, error: String?) -> BodyNode {
        .group(
            FormHTML.select(
                name: "role", label: "Role", options: Role.allCases.map { ($0.rawValue, $0.title) }, selected: selected, error: error),
            .element(
                named: "details",
                nodes: [
                    .class("role-help"),
                    .element(named: "summary", text: "What each role can do"),
                    .element(
                        named: "dl",
                        nodes: [
                            .class("label-list"),
                            .forEach(Role.allCases) { role in
                                .group(.element(named: "dt", text: role.title), .element(named: "dd", text: role.explanation))
                            },
                        ]),
                ])
        )
    }

    /// A role with its scope resolved from the picker fields. Only the field the role
    /// uses is read (the other may hold a leftover from a role chosen first).
    struct ResolvedRole { var role: Role; var scope: UUID?; var scopeName: String? }

    static func resolveRole(_ roleText: String, program: String, agency: String, on db: any Database) async throws -> (
        ResolvedRole?, [String: String]
    ) {
        guard let role = Role(rawValue: roleText) else { return (nil, ["role": "Choose one of the roles."]) }
        switch role.scopeKind {
        case nil:
            return (ResolvedRole(role: role), [:])
        case .program?:
            let choices = try await ScopeDirectory.programs(on: db)
            let match = choices.resolve(program)
            if let problem = ScopeDirectory.problem(match, typed: program, kind: .program, role: role) {
                return (nil, ["program": problem])
            }
            guard case let .found(id) = match else { return (nil, [:]) }
            return (ResolvedRole(role: role, scope: id, scopeName: choices.candidates.first { $0.id == id }?.name), [:])
        case .agency?:
            let choices = try await ScopeDirectory.agencies(on: db)
            let match = choices.resolve(agency)
            if let problem = ScopeDirectory.problem(match, typed: agency, kind: .agency, role: role) { return (nil, ["agency": problem]) }
            guard case let .found(id) = match else { return (nil, [:]) }
            return (ResolvedRole(role: role, scope: id, scopeName: choices.candidates.first { $0.id == id }?.name), [:])
        }
    }

    /// "program_coordinator for NAMI Dane County CIT/CIP (id)": the audit log keeps the id
    /// and the name the record had then.
    static func auditText(_ resolved: ResolvedRole) -> String {
        resolved.role.rawValue + (resolved.scope.map { " for \(resolved.scopeName ?? "") (\($0.uuidString.lowercased()))" } ?? "")
    }

    @Sendable static func invite(req: Request) async throws -> Response {
        let form = FormValues(req)
        let input = InviteInput(
            email: User.normalize(email: form["email"]), name: form.trimmed("name"), role: form["role"],
            program: form.trimmed("program"), agency: form.trimmed("agency"))
        var errors: [String: String] = [:]
        if let error = AccountService.emailError(input.email) { errors["email"] = error }
        if let error = AccountService.nameError(input.name) {
            errors["name"] = error.replacingOccurrences(of: "your name", with: "their name")
        }
        let (resolved, scopeErrors) = try await resolveRole(input.role, program: input.program, agency: input.agency, on: req.db)
        errors.merge(scopeErrors) { a, _ in a }
        if errors["email"] == nil, try await User.query(on: req.db).filter(\.$email == input.email).count() > 0 {
            errors["email"] = "Someone already has an account with this address."
        }
        guard errors.isEmpty, let resolved else {
            return try await listPage(
                req, input: input, errors: errors, agency: AgencyInput(), agencyErrors: [:], status: .unprocessableEntity)
        }

        let settings = req.application.settings
        let inviter = try req.auth.require(User.self)
        let (token, hash) = AccountToken.generate()
        // The mail names what they will act for: the program or agency, or for roles
        // without one, the organisation running this CIT Hub.
        let actingFor = resolved.scopeName ?? settings.organization.name
        try await req.db.transaction { tx in
            let user = User(email: input.email, name: input.name)
            try await user.create(on: tx)
            try await RoleGrant(userID: user.id!, role: resolved.role, scopeID: resolved.scope?.uuidString.lowercased()).create(on: tx)
            try await AccountToken(
                purpose: .invitation, tokenHash: hash, userID: user.id,
                expiresAt: Date().addingTimeInterval(AccountService.invitationLifetime)
            ).create(on: tx)
            try await Outbox(database: tx, from: settings.mailFrom).enqueue(
                to: user.email, subject: "You are invited to CIT Hub",
                text: """
                    Hello \(input.name),

                    \(inviter.name) invited you to CIT Hub as \(resolved.role.title.lowercased()) for \(actingFor).
                    Open this link to choose your password. It works once, within 7 days.

                    \(settings.publicURL + SiteURL.invitation(.value(token)).path)

                    If you were not expecting this, you can ignore this message.
                    """)
            try await req.audit.record(
                "invitation.created", entityType: "user", entityID: user.id?.uuidString, details: "\(user.email) as \(auditText(resolved))",
                on: tx)
        }
        return req.redirect(to: SiteURL.adminUsers.path + "?notice=invited", redirectType: .normal)
    }

    @Sendable static func addAgency(req: Request) async throws -> Response {
        let form = FormValues(req)
        let input = AgencyInput(
            name: form.trimmed("agency_name").split(whereSeparator: \.isWhitespace).joined(separator: " "),
            county: form.trimmed("agency_county"), kind: form.trimmed("agency_kind"))
        var errors: [String: String] = [:]
        if input.name.isEmpty {
            errors["agency_name"] = "Enter the agency's name."
        } else if input.name.count > 200 {
            errors["agency_name"] = "At most 200 characters."
        } else if input.name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors["agency_name"] = "A name cannot contain control characters."
        }
        let county =
            input.county.isEmpty
            ? nil
            : try await County.query(on: req.db).filter(\.$id == input.county)
                .filter(\.$stateCode == req.application.settings.stateCode).field(\.$id).field(\.$name).first()
        if county == nil { errors["agency_county"] = "Choose the county the agency is in." }
        let kind = OrganizationKind(rawValue: input.kind).flatMap { ScopeDirectory.agencyKinds.contains($0) ? $0 : nil }
        if kind == nil { errors["agency_kind"] = "Choose law enforcement, dispatch or corrections." }
        if errors["agency_name"] == nil, let county {
            let key = ScopeChoices.normalize(input.name)
            let same = try await Organization.query(on: req.db).filter(\.$countyFIPS == county.id!).all()
                .first { ScopeChoices.normalize($0.name) == key }
            if let same {
                errors["agency_name"] =
                    "“\(same.name)” is already in the directory for \(county.name) County. Type its name in the Agency field above."
            }
        }
        guard errors.isEmpty, let kind, let county else {
            return try await listPage(
                req, input: InviteInput(), errors: [:], agency: input, agencyErrors: errors, status: .unprocessableEntity)
        }
        let organization = Organization(name: input.name, kind: kind, countyFIPS: county.id!)
        try await req.db.transaction { tx in
            try await organization.create(on: tx)
            try await req.audit.record(
                "organization.created", entityType: "organization", entityID: organization.id?.uuidString,
                details: "\(organization.name), \(kind.rawValue), county \(county.id!)", on: tx)
        }
        req.application.pageCache.invalidateAll()
        return req.redirect(
            to: SiteURL.adminUsers.path + "?notice=agency-added&agency=\(organization.id!.uuidString.lowercased())#invite",
            redirectType: .normal)
    }

    static func findUser(_ req: Request) async throws -> User {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let user = try await User.query(on: req.db).filter(\.$id == id).with(\.$roleGrants).first()
        else { throw Abort(.notFound) }
        return user
    }

    @Sendable static func show(req: Request) async throws -> Response {
        try await showPage(req, user: try await findUser(req), input: nil, errors: [:], status: .ok)
    }

    static func showPage(_ req: Request, user: User, input: InviteInput?, errors: [String: String], status: HTTPResponseStatus) async throws
        -> Response
    {
        let events = try await AuditEvent.query(on: req.db).group(.or) {
            $0.filter(\.$entityID == user.id!.uuidString).filter(\.$actorID == user.id!)
        }
        .sort(\.$at, .descending).limit(50).all()
        let grants = user.$roleGrants.value ?? []
        let names = try await ScopeDirectory.names(for: grants, on: req.db)
        let programs = try await ScopeDirectory.programs(on: req.db)
        let agencies = try await ScopeDirectory.agencies(on: req.db)
        // The form starts from what they hold: their first role, its program or agency.
        var current = input ?? InviteInput(role: user.roles.sorted().first?.rawValue ?? Role.trainee.rawValue)
        if input == nil {
            for grant in grants {
                guard let id = grant.scopeID.flatMap(UUID.init(uuidString:)) else { continue }
                if grant.role == .programCoordinator, current.program.isEmpty { current.program = programs.label(of: id) ?? "" }
                if grant.role == .agencyLiaison, current.agency.isEmpty { current.agency = agencies.label(of: id) ?? "" }
            }
        }
        let sortedGrants = grants.sorted {
            ($0.role, names[$0.scopeID?.lowercased() ?? ""] ?? "") < ($1.role, names[$1.scopeID?.lowercased() ?? ""] ?? "")
        }
        let userID = user.id!.uuidString
        let page = Page(
            title: user.name.isEmpty ? user.email : user.name,
            chrome: req.chrome(notice: Notices.text(for: req.query[String.self, at: "notice"])),
            main: [
                .p(.a(.href(SiteURL.adminUsers.path), .text("← People and roles"))),
                .h1(.text(user.name.isEmpty ? user.email : user.name)),
                .p(
                    .text(
                        "\(user.email) · "
                            + (user.isDisabled ? "Disabled" : (user.hasAcceptedInvitation ? "Active" : "Invited, not yet accepted")))),
                .h2(.text("Roles")),
                .if(grants.isEmpty, .p(.text("No role: they can sign in but open nothing. Give them one below."))),
                .ul(
                    .class("role-list"),
                    .forEach(sortedGrants) { grant in
                        .li(
                            .span(.text(ScopeDirectory.describe(grant, names: names))),
                            .if(
                                grants.count > 1,
                                FormHTML.form(
                                    action: SiteURL.adminUserRoleRemove(.value(userID), .value(grant.id!.uuidString.lowercased())).path,
                                    csrf: req.csrfToken,
                                    [
                                        .element(
                                            named: "button",
                                            nodes: [
                                                .attribute(named: "type", value: "submit"), .class("button secondary small"),
                                                .attribute(
                                                    named: "aria-label", value: "Remove \(ScopeDirectory.describe(grant, names: names))"),
                                                .text("Remove"),
                                            ])
                                    ])))
                    }),
                .h2(.id("change-role"), .text("Change or add a role")),
                .p(
                    .text(
                        "“Change role” replaces every role they hold with this one. “Add this role” keeps the others: a coordinator of two programs holds the role twice, once for each."
                    )),
                FormHTML.errorSummary(errors, order: ["role", "program", "agency"], labels: labels),
                FormHTML.form(
                    action: SiteURL.adminUserRoles(.value(userID)).path, csrf: req.csrfToken, id: "role-form",
                    [
                        roleSelect(selected: current.role, error: errors["role"]),
                        ScopePickerHTML.programField(value: current.program, error: errors["program"], choices: programs),
                        ScopePickerHTML.agencyField(
                            value: current.agency, error: errors["agency"], choices: agencies,
                            addLink: SiteURL.adminUsers.path + "#add-agency"),
                        .div(
                            .class("actions"),
                            .element(
                                named: "button",
                                nodes: [
                                    .attribute(named: "type", value: "submit"), .attribute(named: "name", value: "mode"),
                                    .attribute(named: "value", value: "replace"), .class("button"), .text("Change role"),
                                ]),
                            .element(
                                named: "button",
                                nodes: [
                                    .attribute(named: "type", value: "submit"), .attribute(named: "name", value: "mode"),
                                    .attribute(named: "value", value: "add"), .class("button secondary"), .text("Add this role"),
                                ])),
                    ]),
                .h2(.text(user.isDisabled ? "Enable account" : "Disable account")),
                .p(
                    .text(
                        user.isDisabled
                            ? "They will be able to sign in again." : "They will be signed out and cannot sign in. Their history stays.")),
                .unwrap(errors["status"]) { .p(.class("error"), .text($0)) },
                FormHTML.form(
                    action: SiteURL.adminUserStatus(.value(userID)).path, csrf: req.csrfToken,
                    [
                        .input(.type(.hidden), .name("action"), .value(user.isDisabled ? "enable" : "disable")),
                        FormHTML.submit(user.isDisabled ? "Enable account" : "Disable account", secondary: true),
                    ]),
                .h2(.text("History")),
                AuditController.table(events),
            ])
        return htmlResponse(page, status: status)
    }

    /// Whether taking the administrator role away from this user would leave no active one.
    static func isLastAdministrator(_ user: User, on db: any Database) async throws -> Bool {
        guard user.roles.contains(.stateAdministrator) else { return false }
        let admins = try await RoleGrant.query(on: db).filter(\.$role == .stateAdministrator)
            .join(User.self, on: \RoleGrant.$user.$id == \User.$id).filter(User.self, \.$disabledAt == nil).count()
        return admins <= 1
    }

    static let lastAdministratorMessage = "This is the only active state administrator. Make someone else an administrator first."

    @Sendable static func changeRole(req: Request) async throws -> Response {
        let user = try await findUser(req)
        let form = FormValues(req)
        let adding = form["mode"] == "add"
        let input = InviteInput(role: form["role"], program: form.trimmed("program"), agency: form.trimmed("agency"))
        let (resolvedRole, errors) = try await resolveRole(input.role, program: input.program, agency: input.agency, on: req.db)
        guard errors.isEmpty, let resolved = resolvedRole else {
            return try await showPage(req, user: user, input: input, errors: errors, status: .unprocessableEntity)
        }
        let scope = resolved.scope?.uuidString.lowercased()
        let grants = user.$roleGrants.value ?? []
        if adding, grants.contains(where: { $0.role == resolved.role && $0.scopeID?.lowercased() == scope }) {
            let field = resolved.role.scopeKind.map { $0 == .program ? "program" : "agency" } ?? "role"
            return try await showPage(
                req, user: user, input: input,
                errors: [field: "They already hold this role\(resolved.scopeName.map { " for \($0)" } ?? "")."],
                status: .unprocessableEntity)
        }
        let before = grants.map { $0.role.rawValue + ($0.scopeID.map { " for \($0)" } ?? "") }.sorted().joined(separator: ", ")
        let result = try await req.db.transaction { tx -> String? in
            if !adding, resolved.role != .stateAdministrator, try await isLastAdministrator(user, on: tx) {
                return lastAdministratorMessage
            }
            if !adding { try await RoleGrant.query(on: tx).filter(\.$user.$id == user.id!).delete() }
            try await RoleGrant(userID: user.id!, role: resolved.role, scopeID: scope).create(on: tx)
            // New powers (or fewer) start with a new sign-in: their other sessions end.
            try await AccountSessions.end(for: user.id!, on: tx, request: req, keepingCurrent: true)
            try await req.audit.record(
                adding ? "account.role_added" : "account.role_changed", entityType: "user", entityID: user.id?.uuidString,
                details: "\(user.email): \(before.isEmpty ? "no role" : before) → \(adding ? "added " : "")\(auditText(resolved))", on: tx)
            return nil
        }
        if let problem = result {
            return try await showPage(req, user: user, input: input, errors: ["role": problem], status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.adminUser(.value(user.id!.uuidString)).path + "?notice=roles-changed", redirectType: .normal)
    }

    @Sendable static func removeRole(req: Request) async throws -> Response {
        let user = try await findUser(req)
        let grants = user.$roleGrants.value ?? []
        guard let grantID = req.parameters.get("grant").flatMap(UUID.init(uuidString:)),
            let grant = grants.first(where: { $0.id == grantID })
        else { throw Abort(.notFound) }
        if grants.count == 1 {
            return try await showPage(
                req, user: user, input: nil, errors: ["role": "This is their only role. Change it instead, or disable the account."],
                status: .unprocessableEntity)
        }
        if grant.role == .stateAdministrator, grants.filter({ $0.role == .stateAdministrator }).count == 1,
            try await isLastAdministrator(user, on: req.db)
        {
            return try await showPage(req, user: user, input: nil, errors: ["role": lastAdministratorMessage], status: .unprocessableEntity)
        }
        let names = try await ScopeDirectory.names(for: [grant], on: req.db)
        try await req.db.transaction { tx in
            try await RoleGrant.query(on: tx).filter(\.$id == grantID).delete()
            try await AccountSessions.end(for: user.id!, on: tx, request: req, keepingCurrent: true)
            try await req.audit.record(
                "account.role_removed", entityType: "user", entityID: user.id?.uuidString,
                details:
                    "\(user.email): removed \(grant.role.rawValue)\(grant.scopeID.map { " for \(names[$0.lowercased()] ?? "") (\($0))" } ?? "")",
                on: tx)
        }
        return req.redirect(to: SiteURL.adminUser(.value(user.id!.uuidString)).path + "?notice=roles-changed", redirectType: .normal)
    }

    @Sendable static func changeStatus(req: Request) async throws -> Response {
        let user = try await findUser(req)
        let actor = try req.auth.require(User.self)
        let action = FormValues(req)["action"]
        guard action == "disable" || action == "enable" else {
            return try await showPage(
                req, user: user, input: nil, errors: ["status": "Choose to disable or enable the account."], status: .unprocessableEntity)
        }
        if action == "disable" && user.id == actor.id {
            return try await showPage(
                req, user: user, input: nil, errors: ["status": "You cannot disable your own account."], status: .unprocessableEntity)
        }
        try await req.db.transaction { tx in
            user.disabledAt = action == "disable" ? Date() : nil
            try await user.save(on: tx)
            if action == "disable" { try await AccountSessions.end(for: user.id!, on: tx) }
            try await req.audit.record(
                action == "disable" ? "account.disabled" : "account.enabled", entityType: "user", entityID: user.id?.uuidString,
                details: user.email, on: tx)
        }
        return req.redirect(to: SiteURL.adminUser(.value(user.id!.uuidString)).path + "?notice=status-changed", redirectType: .normal)
    }
}

/// The program and agency pickers: a text field with the directory's names as a list
/// of suggestions (`<datalist>`), which browsers filter as one types, with or without
/// JavaScript. The server resolves the name (`ScopeChoices.resolve`).
enum ScopePickerHTML {
    static func programField(value: String, error: String?, choices: ScopeChoices) -> BodyNode {
        field(
            name: "program", label: "Program", value: value, error: error, choices: choices,
            hint:
                "For a program coordinator: start typing the program's name and pick it from the list (\(choices.candidates.count) programs in the directory).",
            kind: "program", extra: nil)
    }

    static func agencyField(value: String, error: String?, choices: ScopeChoices, addLink: String = "#add-agency") -> BodyNode {
        field(
            name: "agency", label: "Agency", value: value, error: error, choices: choices,
            hint:
                "For an agency liaison: start typing the agency's name and pick it from the list (\(choices.candidates.count) agencies in the directory).",
            kind: "agency", extra: .a(.href(addLink), .text("Agency not in the list? Add it")))
    }

    static func field(
        name: String, label: String, value: String, error: String?, choices: ScopeChoices, hint: String, kind: String, extra: BodyNode?
    ) -> BodyNode {
        FormHTML.suggestionField(
            name: name, label: label, value: value, error: error, hint: hint, suggestions: choices.labels,
            listID: "\(name)-choices", extraClass: "scope-field scope-\(kind)", extra: extra)
    }
}
