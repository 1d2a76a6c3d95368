import Vapor
import Fluent
import Plot
import CITDomain

/// Sign in and out, with throttling per account and per address.
enum SignInController {
    /// Five wrong passwords in a row for one account lock it for 15 minutes; an address
    /// gets more room because an office or a police station shares one.
    static let accountThrottle = SignInThrottle()
    static let addressThrottle = SignInThrottle(maxFailures: 30)

    static func register(on routes: any RoutesBuilder) {
        routes.get(SiteURL.login.pathComponents, use: form)
        routes.post(SiteURL.login.pathComponents, use: signIn)
        routes.post(SiteURL.logout.pathComponents, use: signOut)
        // A mailed one-time link for an owner locked out by wrong passwords (`SignInLink`).
        routes.get(SiteURL.signInLink.pathComponents) { req in SignInLink.requestPage(req, email: "", error: nil, status: .ok) }
        routes.post(SiteURL.signInLink.pathComponents, use: SignInLink.request)
        routes.get(SiteURL.signInLinkToken(.key).pathComponents, use: SignInLink.confirmForm)
        routes.post(SiteURL.signInLinkToken(.key).pathComponents, use: SignInLink.signIn)
    }

    @Sendable static func form(req: Request) async throws -> Response {
        if req.auth.has(User.self) { return req.redirect(to: safeNext(req.query[String.self, at: "next"])) }
        let notice = Notices.text(for: req.query[String.self, at: "notice"])
        return try render(req, email: "", next: req.query[String.self, at: "next"] ?? "", error: nil, status: .ok, notice: notice)
    }

    @Sendable static func signIn(req: Request) async throws -> Response {
        let form = FormValues(req)
        let email = User.normalize(email: form["email"])
        let password = form["password"]
        let next = form["next"]
        let now = Date()
        let accountKey = "email:" + email
        let addressKey = "ip:" + req.clientAddress

        if email.isEmpty || password.isEmpty {
            return try render(
                req, email: email, next: next, error: "Enter your email address and your password.", status: .unprocessableEntity)
        }

        // Refuse before checking the password, so a locked account gives nothing away.
        // The count and the record of this attempt are one step (`reserveAttempt`), so
        // attempts sent at once cannot all pass the count before any is recorded.
        let reservation = try await reserveAttempt(req, keys: [(accountKey, accountThrottle), (addressKey, addressThrottle)], now: now)
        guard case .reserved(let reservedIDs) = reservation else {
            guard case .throttled(let key, let retryAfter) = reservation else { throw Abort(.internalServerError) }
            try await req.audit.record(
                "sign_in.throttled", entityType: "account", entityID: email,
                details: key.hasPrefix("ip:") ? "too many failures from this address" : "too many failures for this account")
            let minutes = max(1, Int((retryAfter / 60).rounded(.up)))
            // A locked account (not only a busy address) may be someone else's doing: the
            // owner can still get in through a mailed link.
            let accountLocked = key == accountKey
            let response = try render(
                req, email: email, next: next,
                error: "Too many sign-in attempts. Wait \(minutes) minute\(minutes == 1 ? "" : "s") and try again, "
                    + (accountLocked ? "or ask for a sign-in link by email." : "or reset your password."),
                status: .tooManyRequests, offerLink: accountLocked)
            response.headers.replaceOrAdd(name: .retryAfter, value: String(Int(retryAfter.rounded(.up))))
            return response
        }

        let user = try await User.query(on: req.db).filter(\.$email == email).with(\.$roleGrants).first()
        let hash = user?.passwordHash ?? dummyHash
        let matches = (try? await req.password.async.verify(password, created: hash)) ?? false
        guard let user, matches, user.passwordHash != nil, !user.isDisabled else {
            // The reserved attempt rows stay: they are this failure's record.
            try await req.audit.record(
                "sign_in.failed", entityType: "account", entityID: email,
                details: user?.isDisabled == true ? "account disabled" : "wrong email or password")
            return try render(req, email: email, next: next, error: "The email address or password is incorrect.", status: .unauthorized)
        }

        try await req.db.transaction { tx in
            try await SignInFailure.query(on: tx).filter(\.$key == accountKey).delete()
            // A success is not a failure of the address either.
            try await SignInFailure.query(on: tx).filter(\.$id ~~ reservedIDs).delete()
            try await req.audit.record("sign_in.succeeded", entityType: "account", entityID: user.id?.uuidString, actor: user, on: tx)
        }
        try await startSession(req, user: user)
        return req.redirect(to: safeNext(next), redirectType: .normal)
    }

    /// Signs `user` in on this request (a password, or a mailed sign-in link).
    static func startSession(_ req: Request, user: User) async throws {
        // A new session id at sign-in, so an id planted before cannot be used after.
        if req.hasSession, let old = req.session.id {
            try await req.application.sessions.driver.deleteSession(old, for: req).get()
            req.session.id = nil
        }
        req.auth.login(user)
        req.session.authenticate(user)
    }

    @Sendable static func signOut(req: Request) async throws -> Response {
        if let user = req.auth.get(User.self) {
            try await req.audit.record("sign_out", entityType: "account", entityID: user.id?.uuidString)
        }
        req.auth.logout(User.self)
        if req.hasSession { req.session.destroy() }
        return req.redirect(to: SiteURL.home.path, redirectType: .normal)
    }

    enum Reservation {
        /// Rows recorded for this attempt (as if it failed), to delete if it succeeds.
        case reserved([UUID])
        case throttled(key: String, retryAfter: TimeInterval)
    }

    /// Counts each key's recent failures and, if none is throttled, records this attempt
    /// as a failure before its password is checked; a success deletes the record again.
    /// Per key, one request at a time does this: in this process through `attemptGate`
    /// (SQLite has one process per file), across instances through PostgreSQL advisory
    /// locks held until the transaction commits. Fifteen attempts sent at once therefore
    /// see one another: the sixth finds five failures and is refused.
    static func reserveAttempt(_ req: Request, keys: [(String, SignInThrottle)], now: Date) async throws -> Reservation {
        let names = keys.map(\.0).sorted()
        let gate = req.application.signInGate
        for name in names { await gate.lock(name) }
        defer { Task { for name in names { await gate.unlock(name) } } }
        return try await req.db.transaction { tx in
            for name in names { try await StartupLock.lockTransaction(tx, key: advisoryKey(name)) }
            // The first statement writes (dropping these keys' failures that no window
            // counts any more), so on SQLite the transaction holds the write lock before it
            // reads. One that read first and then wrote would fail with "database is locked"
            // (SQLITE_BUSY_SNAPSHOT) whenever another sign-in had written in between.
            let oldest = now.addingTimeInterval(-(keys.map(\.1.window).max() ?? 0))
            try await SignInFailure.query(on: tx).filter(\.$key ~~ names).filter(\.$failedAt < oldest).delete()
            for (key, throttle) in keys {
                let failures = try await SignInFailure.query(on: tx).filter(\.$key == key)
                    .filter(\.$failedAt > now.addingTimeInterval(-throttle.window)).all().map(\.failedAt)
                if case .throttled(let retryAfter) = throttle.decision(failuresSinceLastSuccess: failures, now: now) {
                    return .throttled(key: key, retryAfter: retryAfter)
                }
            }
            var ids: [UUID] = []
            for (key, _) in keys {
                let failure = SignInFailure(key: key, failedAt: now)
                try await failure.create(on: tx)
                ids.append(failure.id!)
            }
            return .reserved(ids)
        }
    }

    /// A PostgreSQL advisory lock number for a throttle key (the first 8 bytes of its SHA-256).
    static func advisoryKey(_ key: String) -> Int64 {
        SHA256.hash(data: Data(("sign-in:" + key).utf8)).withUnsafeBytes { raw in
            raw.prefix(8).reduce(Int64(0)) { ($0 << 8) | Int64($1) }
        }
    }

    /// Only paths on this site, so the login page cannot send someone elsewhere
    /// (`SafeRedirect` has the rule and the tricks it refuses).
    static func safeNext(_ next: String?) -> String {
        SafeRedirect.path(next, fallback: SiteURL.account.path)
    }

    /// Checked when the email is unknown, so a wrong address takes as long as a wrong
    /// password and does not reveal which accounts exist.
    static let dummyHash: String = (try? Bcrypt.hash("cithub-timing-equaliser", cost: 12)) ?? ""

    static func render(
        _ req: Request, email: String, next: String, error: String?, status: HTTPResponseStatus, notice: String? = nil,
        offerLink: Bool = false
    ) throws -> Response {
        let page = Page(
            title: "Sign in", chrome: req.chrome(notice: notice),
            main: [
                .h1(.text("Sign in")),
                .p(
                    .text("For program coordinators, trainers, agency liaisons, officers and trainees. Families do not need an account: "),
                    .a(.href(SiteURL.crisis.path), .text("get help now")), .text(".")),
                .unwrap(error) { error in .div(.class("error-summary"), .attribute(named: "role", value: "alert"), .p(.text(error))) },
                .if(
                    offerLink,
                    FormHTML.form(
                        action: SiteURL.signInLink.path, csrf: req.csrfToken,
                        [
                            .input(.type(.hidden), .name("email"), .value(email.attributeEscaped)),
                            FormHTML.submit("Email me a sign-in link"),
                        ])),
                FormHTML.form(
                    action: SiteURL.login.path, csrf: req.csrfToken,
                    [
                        .input(.type(.hidden), .name("next"), .value(next.attributeEscaped)),
                        FormHTML.field(.init(name: "email", label: "Email address", type: "email", value: email, autocomplete: "username")),
                        FormHTML.field(.init(name: "password", label: "Password", type: "password", autocomplete: "current-password")),
                        FormHTML.submit("Sign in"),
                    ]),
                .p(.a(.href(SiteURL.forgotPassword.path), .text("Forgot your password?"))),
            ])
        return htmlResponse(page, status: status)
    }
}

/// The notices a redirect may ask a page to show, by key: the text is ours, so a link
/// cannot make the site say something it did not.
enum Notices {
    static let texts: [String: String] = [
        "administrator-created": "Your administrator account is ready. Sign in with your email address and password.",
        "invitation-accepted": "Your account is ready. Sign in with your email address and password.",
        "password-reset": "Your password was changed. Sign in with your new password.",
        "sign-in-link-sent": "If an account uses that address, we have sent it a link to sign in. The link works once, for 15 minutes.",
        "reset-sent":
            "If an account uses that address, we have sent it a link to choose a new password. The link works once, for one hour.",
        "invited": "The invitation was sent.",
        "roles-changed": "The role was changed.",
        "status-changed": "The account was updated.",
        "mail-sent": "Mail delivery ran.",
        "agency-added": "The agency was added to the directory and is filled in below: finish the liaison's invitation.",
        "report-corrected": "The report was corrected. The dashboards count the corrected answers.",
        "report-unchanged": "No answer was changed, so nothing was saved.",
    ]

    static func text(for key: String?) -> String? { key.flatMap { texts[$0] } }
}

extension Application {
    private struct SignInGateKey: StorageKey { typealias Value = KeyedGate }
    /// One per application (created in `configure`), so that two applications in one
    /// process (the tests) never wait for each other's sign-ins.
    var signInGate: KeyedGate {
        get { storage[SignInGateKey.self] ?? KeyedGate() }
        set { storage[SignInGateKey.self] = newValue }
    }
}

/// One holder per key at a time, waiting in order; different keys do not wait for each other.
actor KeyedGate {
    private var held: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    func lock(_ key: String) async {
        guard held.contains(key) else { held.insert(key); return }
        await withCheckedContinuation { waiting[key, default: []].append($0) }
    }

    func unlock(_ key: String) {
        if var queue = waiting[key], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[key] = queue.isEmpty ? nil : queue
            next.resume()  // the key stays held, now by the next waiter
        } else {
            held.remove(key)
        }
    }
}
