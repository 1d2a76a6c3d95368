import Vapor
import Fluent
import Plot
import CITDomain

/// The pages behind single-use links: the first administrator, an accepted invitation,
/// a password reset; and the "forgot password" request and the account page.
enum AccountLinksController {
    static func register(on routes: any RoutesBuilder, protected: ProtectedRoutesBuilder) {
        routes.get(SiteURL.setup(.key).pathComponents, use: setupForm)
        routes.post(SiteURL.setup(.key).pathComponents, use: setup)
        routes.get(SiteURL.invitation(.key).pathComponents, use: invitationForm)
        routes.post(SiteURL.invitation(.key).pathComponents, use: acceptInvitation)
        routes.get(SiteURL.forgotPassword.pathComponents, use: forgotForm)
        routes.post(SiteURL.forgotPassword.pathComponents, use: forgot)
        routes.get(SiteURL.resetPassword(.key).pathComponents, use: resetForm)
        routes.post(SiteURL.resetPassword(.key).pathComponents, use: reset)
        protected.get(SiteURL.account, .useOwnAccount, use: account)
    }

    static let passwordHint =
        "At least \(PasswordPolicy.minimumLength) characters. A few unrelated words make a strong password that is easy to remember."

    // MARK: first administrator

    @Sendable static func setupForm(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard try await AccountService.usableToken(token, purpose: .firstAdministrator, on: req.db) != nil,
            try await !AccountService.hasActiveAdministrator(on: req.db)
        else {
            throw Abort(
                .gone,
                reason:
                    "This set-up link has already been used or has expired. Restart CIT Hub to print a new one (it prints one only while no administrator exists)."
            )
        }
        return setupPage(req, token: token, values: [:], errors: [:], status: .ok)
    }

    @Sendable static func setup(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard let record = try await AccountService.usableToken(token, purpose: .firstAdministrator, on: req.db),
            try await !AccountService.hasActiveAdministrator(on: req.db)
        else { throw Abort(.gone, reason: "This set-up link has already been used or has expired.") }
        let form = FormValues(req)
        let values = ["name": form.trimmed("name"), "email": User.normalize(email: form["email"])]
        var errors: [String: String] = [:]
        if let error = AccountService.nameError(values["name"]!) { errors["name"] = error }
        if let error = AccountService.emailError(values["email"]!) { errors["email"] = error }
        errors.merge(
            AccountService.passwordErrors(
                password: form["password"], confirmation: form["password_confirm"], email: values["email"], name: values["name"])
        ) { a, _ in a }
        guard errors.isEmpty else { return setupPage(req, token: token, values: values, errors: errors, status: .unprocessableEntity) }

        let hash = try await AccountService.hash(password: form["password"], on: req)
        let created = try await req.db.transaction { tx -> Bool in
            // Two set-up links used at once (two instances each printed one) must not
            // make two administrators: one at a time, and look again inside.
            try await StartupLock.lockTransaction(tx, key: StartupLock.firstAdministratorKey)
            guard try await AccountService.consume(record, on: tx) else { return false }
            if try await AccountService.hasActiveAdministrator(on: tx) { return false }
            if try await User.query(on: tx).filter(\.$email == values["email"]!).count() > 0 { return false }
            let user = User(email: values["email"]!, name: values["name"]!, passwordHash: hash)
            try await user.create(on: tx)
            try await RoleGrant(userID: user.id!, role: .stateAdministrator).create(on: tx)
            // Other set-up links printed earlier die with this one.
            try await AccountToken.query(on: tx).filter(\.$purpose == .firstAdministrator).filter(\.$usedAt == nil).set(
                \.$usedAt, to: Date()
            ).update()
            try await req.audit.record(
                "account.created", entityType: "user", entityID: user.id?.uuidString, details: "first administrator \(user.email)",
                actor: user, on: tx)
            return true
        }
        guard created else { throw Abort(.gone, reason: "This set-up link has already been used.") }
        return req.redirect(to: SiteURL.login.path + "?notice=administrator-created", redirectType: .normal)
    }

    static func setupPage(_ req: Request, token: String, values: [String: String], errors: [String: String], status: HTTPResponseStatus)
        -> Response
    {
        let labels = ["name": "Your name", "email": "Email address", "password": "Password", "password_confirm": "Password again"]
        let page = Page(
            title: "Create the first administrator", chrome: req.chrome(),
            main: [
                .h1(.text("Create the first administrator")),
                .p(
                    .text(
                        "This account runs CIT Hub for the state network: it invites coordinators, trainers and liaisons. This link works once."
                    )),
                FormHTML.errorSummary(errors, order: ["name", "email", "password", "password_confirm"], labels: labels),
                FormHTML.form(
                    action: SiteURL.setup(.value(token)).path, csrf: req.csrfToken,
                    [
                        FormHTML.field(
                            .init(
                                name: "name", label: labels["name"]!, value: values["name"] ?? "", error: errors["name"],
                                autocomplete: "name")),
                        FormHTML.field(
                            .init(
                                name: "email", label: labels["email"]!, type: "email", value: values["email"] ?? "", error: errors["email"],
                                autocomplete: "email")),
                        FormHTML.field(
                            .init(
                                name: "password", label: labels["password"]!, type: "password", error: errors["password"],
                                hint: passwordHint, autocomplete: "new-password")),
                        FormHTML.field(
                            .init(
                                name: "password_confirm", label: labels["password_confirm"]!, type: "password",
                                error: errors["password_confirm"], autocomplete: "new-password")),
                        FormHTML.submit("Create administrator"),
                    ]),
            ])
        return htmlResponse(page, status: status)
    }

    // MARK: invitation

    @Sendable static func invitationForm(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard let record = try await AccountService.usableToken(token, purpose: .invitation, on: req.db),
            let user = try await record.$user.get(on: req.db), !user.isDisabled
        else {
            throw Abort(
                .gone, reason: "This invitation has already been used or has expired. Ask the person who invited you for a new one.")
        }
        return invitationPage(req, token: token, email: user.email, values: ["name": user.name], errors: [:], status: .ok)
    }

    @Sendable static func acceptInvitation(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard let record = try await AccountService.usableToken(token, purpose: .invitation, on: req.db),
            let user = try await record.$user.get(on: req.db), !user.isDisabled
        else { throw Abort(.gone, reason: "This invitation has already been used or has expired.") }
        let form = FormValues(req)
        let values = ["name": form.trimmed("name")]
        var errors: [String: String] = [:]
        if let error = AccountService.nameError(values["name"]!) { errors["name"] = error }
        errors.merge(
            AccountService.passwordErrors(
                password: form["password"], confirmation: form["password_confirm"], email: user.email, name: values["name"])
        ) { a, _ in a }
        guard errors.isEmpty else {
            return invitationPage(req, token: token, email: user.email, values: values, errors: errors, status: .unprocessableEntity)
        }
        let hash = try await AccountService.hash(password: form["password"], on: req)
        let accepted = try await req.db.transaction { tx -> Bool in
            guard try await AccountService.consume(record, on: tx) else { return false }
            user.name = values["name"]!
            user.passwordHash = hash
            try await user.save(on: tx)
            try await req.audit.record("invitation.accepted", entityType: "user", entityID: user.id?.uuidString, actor: user, on: tx)
            return true
        }
        guard accepted else { throw Abort(.gone, reason: "This invitation has already been used.") }
        return req.redirect(to: SiteURL.login.path + "?notice=invitation-accepted", redirectType: .normal)
    }

    static func invitationPage(
        _ req: Request, token: String, email: String, values: [String: String], errors: [String: String], status: HTTPResponseStatus
    ) -> Response {
        let labels = ["name": "Your name", "password": "Choose a password", "password_confirm": "Password again"]
        let page = Page(
            title: "Accept your invitation", chrome: req.chrome(),
            main: [
                .h1(.text("Welcome to CIT Hub")),
                .p(.text("You were invited as \(email). Choose a password to finish setting up your account.")),
                FormHTML.errorSummary(errors, order: ["name", "password", "password_confirm"], labels: labels),
                FormHTML.form(
                    action: SiteURL.invitation(.value(token)).path, csrf: req.csrfToken,
                    [
                        FormHTML.field(
                            .init(
                                name: "name", label: labels["name"]!, value: values["name"] ?? "", error: errors["name"],
                                autocomplete: "name")),
                        FormHTML.field(
                            .init(
                                name: "password", label: labels["password"]!, type: "password", error: errors["password"],
                                hint: passwordHint, autocomplete: "new-password")),
                        FormHTML.field(
                            .init(
                                name: "password_confirm", label: labels["password_confirm"]!, type: "password",
                                error: errors["password_confirm"], autocomplete: "new-password")),
                        FormHTML.submit("Create my account"),
                    ]),
            ])
        return htmlResponse(page, status: status)
    }

    // MARK: password reset

    @Sendable static func forgotForm(req: Request) async throws -> Response {
        forgotPage(req, email: "", error: nil, status: .ok)
    }

    @Sendable static func forgot(req: Request) async throws -> Response {
        let form = FormValues(req)
        let email = User.normalize(email: form["email"])
        if let error = AccountService.emailError(email) { return forgotPage(req, email: email, error: error, status: .unprocessableEntity) }
        // Same answer, after the same work, whether or not the account exists, so neither
        // the page nor its timing tells who has an account: the account work is queued.
        if let exceeded = try await RateLimitStore(database: req.db).hit(forgotLimits(email: email, address: req.rateLimitAddress)) {
            let minutes = max(1, exceeded.retryAfter(Date()) / 60)
            let response = forgotPage(
                req, email: email,
                error:
                    "Too many requests for a password link from here or for this address. Please try again in \(minutes) minute\(minutes == 1 ? "" : "s").",
                status: .tooManyRequests)
            response.headers.replaceOrAdd(name: .retryAfter, value: String(exceeded.retryAfter(Date())))
            return response
        }
        req.application.passwordResetQueue.enqueue(email: email, application: req.application, clientAddress: req.rateLimitAddress)
        return req.redirect(to: SiteURL.login.path + "?notice=reset-sent", redirectType: .normal)
    }

    /// Per email address and per client address (see `RateLimit` for why these numbers).
    static func forgotLimits(email: String, address: String?) -> [(RateLimit, String)] {
        var checks = [(RateLimit.passwordResetPerEmail, RateLimit.passwordResetPerEmail.key("email", email))]
        if let address { checks.append((RateLimit.passwordResetPerAddress, RateLimit.passwordResetPerAddress.key("address", address))) }
        return checks
    }

    static func forgotPage(_ req: Request, email: String, error: String?, status: HTTPResponseStatus) -> Response {
        let page = Page(
            title: "Forgot your password", chrome: req.chrome(),
            main: [
                .h1(.text("Forgot your password?")),
                .p(.text("Enter the email address of your account. We will send it a link to choose a new password.")),
                FormHTML.form(
                    action: SiteURL.forgotPassword.path, csrf: req.csrfToken,
                    [
                        FormHTML.field(
                            .init(name: "email", label: "Email address", type: "email", value: email, error: error, autocomplete: "email")),
                        FormHTML.submit("Send me a link"),
                    ]),
            ])
        return htmlResponse(page, status: status)
    }

    @Sendable static func resetForm(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard try await AccountService.usableToken(token, purpose: .passwordReset, on: req.db) != nil
        else { throw Abort(.gone, reason: "This link has already been used or has expired. Ask for a new one from the sign-in page.") }
        return resetPage(req, token: token, errors: [:], status: .ok)
    }

    @Sendable static func reset(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard let record = try await AccountService.usableToken(token, purpose: .passwordReset, on: req.db),
            let user = try await record.$user.get(on: req.db), !user.isDisabled
        else { throw Abort(.gone, reason: "This link has already been used or has expired.") }
        let form = FormValues(req)
        let errors = AccountService.passwordErrors(
            password: form["password"], confirmation: form["password_confirm"], email: user.email, name: user.name)
        guard errors.isEmpty else { return resetPage(req, token: token, errors: errors, status: .unprocessableEntity) }
        let hash = try await AccountService.hash(password: form["password"], on: req)
        let done = try await req.db.transaction { tx -> Bool in
            guard try await AccountService.consume(record, on: tx) else { return false }
            user.passwordHash = hash
            try await user.save(on: tx)
            try await SignInFailure.query(on: tx).filter(\.$key == "email:" + user.email).delete()
            // Whoever knew the old password may hold a session: every one ends, this one too.
            try await AccountSessions.end(for: user.id!, on: tx)
            try await req.audit.record("password_reset.completed", entityType: "user", entityID: user.id?.uuidString, actor: user, on: tx)
            return true
        }
        guard done else { throw Abort(.gone, reason: "This link has already been used.") }
        req.auth.logout(User.self)
        if req.hasSession { req.session.destroy() }
        return req.redirect(to: SiteURL.login.path + "?notice=password-reset", redirectType: .normal)
    }

    static func resetPage(_ req: Request, token: String, errors: [String: String], status: HTTPResponseStatus) -> Response {
        let labels = ["password": "New password", "password_confirm": "New password again"]
        let page = Page(
            title: "Choose a new password", chrome: req.chrome(),
            main: [
                .h1(.text("Choose a new password")),
                FormHTML.errorSummary(errors, order: ["password", "password_confirm"], labels: labels),
                FormHTML.form(
                    action: SiteURL.resetPassword(.value(token)).path, csrf: req.csrfToken,
                    [
                        FormHTML.field(
                            .init(
                                name: "password", label: labels["password"]!, type: "password", error: errors["password"],
                                hint: passwordHint, autocomplete: "new-password")),
                        FormHTML.field(
                            .init(
                                name: "password_confirm", label: labels["password_confirm"]!, type: "password",
                                error: errors["password_confirm"], autocomplete: "new-password")),
                        FormHTML.submit("Save new password"),
                    ]),
            ])
        return htmlResponse(page, status: status)
    }

    // MARK: account

    @Sendable static func account(req: Request) async throws -> Response {
        let user = try req.auth.require(User.self)
        let zone = TimeZone(identifier: req.application.settings.timeZone) ?? TimeZone(identifier: "America/Chicago")!
        let home = try await AccountHome.query(user: user, on: req.db, timeZone: zone)
        let chrome = req.chrome(notice: Notices.text(for: req.query[String.self, at: "notice"]))
        return htmlResponse(AccountHomeView.page(home, chrome: chrome, csrf: req.csrfToken))
    }
}
