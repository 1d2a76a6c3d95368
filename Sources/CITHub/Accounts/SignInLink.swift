import Vapor
import Fluent
import NIOConcurrencyHelpers
import CITDomain

/// A one-time sign-in link by mail (issue 13, part 5). Five wrong passwords lock an account
/// for 15 minutes, and anyone who knows the address can send five more every 15 minutes,
/// so the lock alone would keep the owner out for good. The lock stays for passwords; the
/// owner, who can read the account's mail, signs in through a link instead.
///
/// Asking for a link answers the same for every address, after the same work (check the
/// form, count the rate limits, hand the address to `SignInLinkQueue`), like "forgot your
/// password". The link opens a page with a button: only the button's POST signs in, so a
/// mail scanner that opens links does not use it up.
enum SignInLink {
    /// Short: the link stands in for the password while the account is locked.
    static let lifetime: TimeInterval = 15 * 60

    @Sendable static func request(req: Request) async throws -> Response {
        let form = FormValues(req)
        let email = User.normalize(email: form["email"])
        if let error = AccountService.emailError(email) {
            return requestPage(req, email: email, error: error, status: .unprocessableEntity)
        }
        if let exceeded = try await RateLimitStore(database: req.db).hit(limits(email: email, address: req.rateLimitAddress)) {
            let seconds = exceeded.retryAfter(Date())
            let minutes = max(1, seconds / 60)
            let response = requestPage(
                req, email: email,
                error:
                    "Too many requests for a sign-in link from here or for this address. Please try again in \(minutes) minute\(minutes == 1 ? "" : "s").",
                status: .tooManyRequests)
            response.headers.replaceOrAdd(name: .retryAfter, value: String(seconds))
            return response
        }
        req.application.signInLinkQueue.enqueue(email: email, application: req.application, clientAddress: req.rateLimitAddress)
        return req.redirect(to: SiteURL.login.path + "?notice=sign-in-link-sent", redirectType: .normal)
    }

    /// Per email address and per client address, with the numbers of "forgot your password".
    static func limits(email: String, address: String?) -> [(RateLimit, String)] {
        var checks = [(RateLimit.signInLinkPerEmail, RateLimit.signInLinkPerEmail.key("email", email))]
        if let address { checks.append((RateLimit.signInLinkPerAddress, RateLimit.signInLinkPerAddress.key("address", address))) }
        return checks
    }

    /// The page that asks for a link (shown again when the address is malformed or the limit is reached).
    static func requestPage(_ req: Request, email: String, error: String?, status: HTTPResponseStatus) -> Response {
        let page = Page(
            title: "Email me a sign-in link", chrome: req.chrome(),
            main: [
                .h1(.text("Email me a sign-in link")),
                .p(.text("Enter the email address of your account. We will send it a link that signs you in once, within 15 minutes.")),
                FormHTML.form(
                    action: SiteURL.signInLink.path, csrf: req.csrfToken,
                    [
                        FormHTML.field(
                            .init(name: "email", label: "Email address", type: "email", value: email, error: error, autocomplete: "email")),
                        FormHTML.submit("Email me a sign-in link"),
                    ]),
            ])
        return htmlResponse(page, status: status)
    }

    /// Opening the link shows a button; it does not sign in.
    @Sendable static func confirmForm(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard try await AccountService.usableToken(token, purpose: .signInLink, on: req.db) != nil
        else {
            throw Abort(.gone, reason: "This sign-in link has already been used or has expired. Ask for a new one from the sign-in page.")
        }
        let page = Page(
            title: "Sign in", chrome: req.chrome(),
            main: [
                .h1(.text("Sign in with your link")),
                .p(.text("This link signs you in once. Press the button to continue.")),
                FormHTML.form(
                    action: SiteURL.signInLinkToken(.value(token)).path, csrf: req.csrfToken,
                    [
                        FormHTML.submit("Sign in")
                    ]),
            ])
        return htmlResponse(page)
    }

    /// Pressing the button: uses the link, clears the account's failures, starts a session.
    @Sendable static func signIn(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard let record = try await AccountService.usableToken(token, purpose: .signInLink, on: req.db),
            let userID = record.$user.id,
            let user = try await User.query(on: req.db).filter(\.$id == userID).with(\.$roleGrants).first(),
            !user.isDisabled, user.hasAcceptedInvitation
        else {
            throw Abort(.gone, reason: "This sign-in link has already been used or has expired. Ask for a new one from the sign-in page.")
        }
        let done = try await req.db.transaction { tx -> Bool in
            guard try await AccountService.consume(record, on: tx) else { return false }
            try await SignInFailure.query(on: tx).filter(\.$key == "email:" + user.email).delete()
            try await req.audit.record("sign_in.link_used", entityType: "account", entityID: user.id?.uuidString, actor: user, on: tx)
            return true
        }
        guard done else { throw Abort(.gone, reason: "This sign-in link has already been used.") }
        try await SignInController.startSession(req, user: user)
        return req.redirect(to: SiteURL.account.path, redirectType: .normal)
    }
}

extension RateLimit {
    /// "Email me a sign-in link", per email address: five an hour, as for a password link.
    static let signInLinkPerEmail = RateLimit(action: "sign-in-link", limit: 5, window: 3600)
    /// Per client address: twenty an hour, as for a password link.
    static let signInLinkPerAddress = RateLimit(action: "sign-in-link", limit: 20, window: 3600)
}

/// The account work of a sign-in link request, after the answer (see `PasswordResetQueue`
/// for why): a token and a mail for an account that may sign in, nothing for any other address.
final class SignInLinkQueue: Sendable {
    private let tasks = NIOLockedValueBox<[UUID: Task<Void, Never>]>([:])

    func enqueue(email: String, application: Application, clientAddress: String?) {
        let id = UUID()
        let task = Task {
            await Self.process(email: email, application: application, clientAddress: clientAddress)
            _ = self.tasks.withLockedValue { $0.removeValue(forKey: id) }
        }
        tasks.withLockedValue { $0[id] = task }
    }

    /// Waits until the work queued so far is done (shutdown, tests).
    func settle() async {
        while true {
            // A task that finished before `enqueue` stored it removed nothing, so its
            // entry would stay for ever and this loop would spin: each awaited task's
            // entry is removed here too.
            let pending = tasks.withLockedValue { Array($0) }
            if pending.isEmpty { return }
            for (id, task) in pending {
                await task.value
                _ = tasks.withLockedValue { $0.removeValue(forKey: id) }
            }
        }
    }

    static func settle(_ app: Application) async throws { await app.signInLinkQueue.settle() }

    static func process(email: String, application: Application, clientAddress: String?) async {
        let db = application.db
        let settings = application.settings
        do {
            guard let user = try await User.query(on: db).filter(\.$email == email).first(), !user.isDisabled, user.hasAcceptedInvitation
            else { return }
            let (token, hash) = AccountToken.generate()
            try await db.transaction { tx in
                try await AccountToken(
                    purpose: .signInLink, tokenHash: hash, userID: user.id, expiresAt: Date().addingTimeInterval(SignInLink.lifetime)
                ).create(on: tx)
                try await Outbox(database: tx, from: settings.mailFrom).enqueue(
                    to: user.email, subject: "Your CIT Hub sign-in link",
                    text: """
                        Hello \(user.name),

                        Someone (we hope you) asked for a link to sign in to your CIT Hub account.
                        Open this link within 15 minutes and press "Sign in". It works once.

                        \(settings.publicURL + SiteURL.signInLinkToken(.value(token)).path)

                        If you did not ask for this, ignore this message. If sign-in said there were
                        too many attempts, someone may be guessing your password: after you sign in,
                        consider choosing a new one.

                        \(settings.organization.name)
                        """)
                try await AuditEvent(
                    actorID: user.id, actor: user.email, action: "sign_in.link_requested", entityType: "user",
                    entityID: user.id?.uuidString, details: "", ip: clientAddress
                ).create(on: tx)
            }
        } catch {
            application.logger.error("sign-in link request failed", metadata: ["error": .string(String(reflecting: error))])
        }
    }

    /// Waits for queued work when the server stops, before the database closes.
    struct Drain: LifecycleHandler {
        func shutdownAsync(_ application: Application) async { await application.signInLinkQueue.settle() }
    }
}

extension Application {
    private struct SignInLinkQueueKey: StorageKey { typealias Value = SignInLinkQueue }
    private static let signInLinkQueueLock = NIOLock()

    var signInLinkQueue: SignInLinkQueue {
        Self.signInLinkQueueLock.withLock {
            if let queue = storage[SignInLinkQueueKey.self] { return queue }
            let queue = SignInLinkQueue()
            storage[SignInLinkQueueKey.self] = queue
            return queue
        }
    }
}
