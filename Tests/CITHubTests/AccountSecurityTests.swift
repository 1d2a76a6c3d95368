import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
import NIOCore
@testable import CITHub
import CITDomain

/// Issue 13, parts 3 and 5: where sign-in may send someone, how long a session lives,
/// the throttle under concurrency, the mailed sign-in link, API token expiry and the
/// client address behind a proxy.
@Suite struct AccountSecurityTests {
    // MARK: open redirect (finding 3)

    @Test("after sign-in, next=/%09/evil.example (and its relatives) stays on this site")
    func signInRedirectStaysOnSite() async throws {
        try await withCITHub { app in
            // setup
            let user = try await Fixtures.user(app, email: "next@example.org", role: .trainer)
            for next in [
                "/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "/%0a/evil.example", "/%2F/evil.example", "/\\evil.example",
                "//evil.example", "/%5Cevil.example",
            ] {
                let browser = TestBrowser(app)
                // MUT
                let response = try await browser.post(
                    SiteURL.login.path, ["email": user.email, "password": Fixtures.password, "next": next])
                // validate
                #expect(response.status == .seeOther)
                #expect(
                    response.location == "/account", "next \(next.debugDescription) sent the browser to \(response.location ?? "nowhere")")
                // Signed in already: the login page's own redirect follows the same rule.
                let again = try await browser.get("/login?next=" + TestBrowser.encode(next))
                #expect(
                    again.location == "/account",
                    "GET /login with next \(next.debugDescription) sent the browser to \(again.location ?? "nowhere")")
            }
            // A path on the site is still honoured, query included.
            let ok = try await TestBrowser(app).post(
                SiteURL.login.path, ["email": user.email, "password": Fixtures.password, "next": "/classes?course=cit"])
            #expect(ok.location == "/classes?course=cit")
        }
    }

    // MARK: sessions (finding 5, first item)

    /// A second browser signed in as the same person.
    static func signIn(_ app: Application, _ user: User) async throws -> TestBrowser {
        let browser = TestBrowser(app)
        let response = try await browser.post(SiteURL.login.path, ["email": user.email, "password": Fixtures.password])
        #expect(response.status == .seeOther)
        return browser
    }

    static func isSignedIn(_ browser: TestBrowser) async throws -> Bool {
        try await browser.get(SiteURL.account.path).status == .ok
    }

    @Test("a password reset ends every session of that person, the one that made it too")
    func resetEndsSessions() async throws {
        try await withCITHub { app in
            // setup: signed in on a desktop and a phone; the phone opens a reset link
            let user = try await Fixtures.user(app, email: "reset@example.org", role: .trainer)
            let desktop = try await Self.signIn(app, user)
            let phone = try await Self.signIn(app, user)
            let (token, hash) = AccountToken.generate()
            try await AccountToken(purpose: .passwordReset, tokenHash: hash, userID: user.id, expiresAt: Date().addingTimeInterval(3600))
                .create(on: app.db)
            #expect(try await Self.isSignedIn(desktop))

            // MUT
            let reset = try await phone.post(
                SiteURL.resetPassword(.value(token)).path,
                ["password": "a brand new passphrase 7", "password_confirm": "a brand new passphrase 7"])

            // validate
            #expect(reset.status == .seeOther)
            #expect(try await !Self.isSignedIn(desktop), "the other browser's old cookie still signs in")
            #expect(try await !Self.isSignedIn(phone), "the browser that reset is signed out too, and signs in again")
            #expect(
                try await phone.post(SiteURL.login.path, ["email": user.email, "password": "a brand new passphrase 7"]).status == .seeOther)
            #expect(try await Self.isSignedIn(phone))
        }
    }

    @Test("disabling an account ends its sessions: enabling it again does not bring an old cookie back")
    func disableEndsSessions() async throws {
        try await withCITHub { app in
            // setup
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            let user = try await Fixtures.user(app, email: "disabled@example.org", role: .trainer)
            let browser = try await Self.signIn(app, user)
            // MUT
            #expect(
                try await admin.post(SiteURL.adminUserStatus(.value(user.id!.uuidString)).path, ["action": "disable"]).status == .seeOther)
            #expect(
                try await admin.post(SiteURL.adminUserStatus(.value(user.id!.uuidString)).path, ["action": "enable"]).status == .seeOther)
            // validate
            #expect(try await !Self.isSignedIn(browser))
        }
    }

    @Test("a role change (or a role added or removed) ends that person's sessions; the administrator stays signed in")
    func roleChangeEndsSessions() async throws {
        try await withCITHub { app in
            // setup
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            let user = try await Fixtures.user(app, email: "role@example.org", role: .trainer)
            let first = try await Self.signIn(app, user)
            // MUT: change the role
            #expect(
                try await admin.post(SiteURL.adminUserRoles(.value(user.id!.uuidString)).path, ["role": Role.trainee.rawValue]).status
                    == .seeOther)
            // validate
            #expect(try await !Self.isSignedIn(first))
            #expect(try await Self.isSignedIn(admin))

            // MUT: add a role, then remove one
            let second = try await Self.signIn(app, user)
            #expect(
                try await admin.post(
                    SiteURL.adminUserRoles(.value(user.id!.uuidString)).path, ["role": Role.trainer.rawValue, "mode": "add"]
                ).status == .seeOther)
            #expect(try await !Self.isSignedIn(second))
            let third = try await Self.signIn(app, user)
            let grant = try #require(
                try await RoleGrant.query(on: app.db).filter(\.$user.$id == user.id!).filter(\.$role == .trainee).first())
            #expect(
                try await admin.post(SiteURL.adminUserRoleRemove(.value(user.id!.uuidString), .value(grant.id!.uuidString)).path, [:])
                    .status == .seeOther)
            #expect(try await !Self.isSignedIn(third))
        }
    }

    /// Every stored session row, as text, from whichever table the app uses.
    static func sessionRows(_ app: Application) async throws -> [String] {
        let sql = app.db as! any SQLDatabase
        var rows: [String] = []
        for table in ["_fluent_sessions", "account_sessions"] {
            guard let found = try? await sql.raw("SELECT * FROM \(ident: table)").all() else { continue }
            for row in found {
                rows.append(
                    row.allColumns.map { column in
                        (try? row.decode(column: column, as: String.self)) ?? ""
                    }.joined(separator: "|"))
            }
        }
        return rows
    }

    @Test("the database keeps a hash of the session key, never the cookie's value")
    func sessionKeyIsHashed() async throws {
        try await withCITHub { app in
            // setup + MUT
            let user = try await Fixtures.user(app, email: "hash@example.org", role: .trainer)
            let browser = try await Self.signIn(app, user)
            let cookie = try #require(browser.cookies["cithub_session"])
            // validate
            let rows = try await Self.sessionRows(app)
            #expect(!rows.isEmpty)
            #expect(rows.allSatisfy { !$0.contains(cookie) }, "a session row holds the cookie value")
            let record = try #require(try await AccountSession.query(on: app.db).filter(\.$userID == user.id!).first())
            #expect(record.keyHash == SHA256.hash(data: Data(cookie.utf8)).hex)
        }
    }

    @Test("a session idle for 8 hours is refused, and so is one older than 7 days however busy")
    func idleAndTooOldSessionsAreRefused() async throws {
        try await withCITHub { app in
            // setup
            let user = try await Fixtures.user(app, email: "idle@example.org", role: .trainer)
            let idle = try await Self.signIn(app, user)
            let old = try await Self.signIn(app, user)
            let now = Date()
            let idleHash = SHA256.hash(data: Data(try #require(idle.cookies["cithub_session"]).utf8)).hex
            let oldHash = SHA256.hash(data: Data(try #require(old.cookies["cithub_session"]).utf8)).hex
            // 7 h 59 m idle still works
            try await AccountSession.query(on: app.db).filter(\.$keyHash == idleHash).set(
                \.$lastSeenAt, to: now.addingTimeInterval(-(8 * 3600 - 60))
            ).update()
            #expect(try await Self.isSignedIn(idle))
            // MUT
            try await AccountSession.query(on: app.db).filter(\.$keyHash == idleHash).set(
                \.$lastSeenAt, to: now.addingTimeInterval(-8 * 3600 - 1)
            ).update()
            try await AccountSession.query(on: app.db).filter(\.$keyHash == oldHash).set(
                \.$createdAt, to: now.addingTimeInterval(-7 * 24 * 3600 - 1)
            ).update()
            // validate
            #expect(try await !Self.isSignedIn(idle))
            #expect(try await !Self.isSignedIn(old))
            #expect(
                try await AccountSession.query(on: app.db).filter(\.$keyHash ~~ [idleHash, oldHash]).count() == 0,
                "expired rows are deleted when seen")
        }
    }

    @Test("a cookie of the wrong shape is not looked up, and a stale cookie adds no rows")
    func staleCookiesStoreNothing() async throws {
        try await withCITHub { app in
            let browser = TestBrowser(app)
            browser.cookies["cithub_session"] = "not-a-session"
            for _ in 0..<3 { _ = try await browser.get(SiteURL.login.path) }
            #expect(try await AccountSession.query(on: app.db).count() == 0)
        }
    }

    // MARK: throttle race (finding 5, second item)

    @Test("15 wrong passwords sent at once: at most 5 reach the password check, the rest are throttled")
    func concurrentWrongPasswordsAreCountedAtomically() async throws {
        try await withCITHub { app in
            // setup: 15 browsers, each with its CSRF cookie
            let user = try await Fixtures.user(app, email: "race@example.org", role: .trainer)
            var browsers: [TestBrowser] = []
            for _ in 0..<15 {
                let browser = TestBrowser(app)
                try await browser.get(SiteURL.login.path)
                browsers.append(browser)
            }
            // MUT
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for (index, browser) in browsers.enumerated() {
                    group.addTask {
                        try await browser.post(SiteURL.login.path, ["email": user.email, "password": "wrong guess \(index)"]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // validate
            let checked = try await AuditEvent.query(on: app.db).filter(\.$action == "sign_in.failed").count()
            #expect(checked <= 5, "\(checked) passwords were checked")
            #expect(statuses.filter { $0 == .unauthorized }.count <= 5)
            #expect(statuses.filter { $0 == .tooManyRequests }.count >= 10)
            #expect(statuses.allSatisfy { $0 == .unauthorized || $0 == .tooManyRequests })
        }
    }

    // MARK: client address behind a proxy (finding 5, proxies)

    /// Posts a sign-in as if it came over TCP from `peer` (in-memory tests have no peer).
    static func signIn(_ app: Application, email: String, password: String, peer: String, forwardedFor: String) async throws
        -> HTTPResponseStatus
    {
        let csrf = String(repeating: "a", count: 43)
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        headers.replaceOrAdd(name: .cookie, value: "\(CSRF.cookieName)=\(csrf)")
        headers.replaceOrAdd(name: .xForwardedFor, value: forwardedFor)
        let body = ["email": email, "password": password, CSRF.fieldName: csrf]
            .map { "\(TestBrowser.encode($0.key))=\(TestBrowser.encode($0.value))" }.joined(separator: "&")
        headers.replaceOrAdd(name: .contentLength, value: String(body.utf8.count))
        let request = Request(
            application: app, method: .POST, url: URI(path: SiteURL.login.path), headers: headers,
            collectedBody: ByteBuffer(string: body), remoteAddress: try SocketAddress(ipAddress: peer, port: 40000),
            logger: app.logger, on: app.eventLoopGroup.next())
        return try await app.responder.respond(to: request).get().status
    }

    /// 30 failures (the address limit) from one client, each for a different address
    /// so that no account locks; then the same client once more and another client.
    static func exhaustAddress(_ app: Application) async throws -> (sameClient: HTTPResponseStatus, otherClient: HTTPResponseStatus) {
        let user = try await Fixtures.user(app, email: "proxy@example.org", role: .trainer)
        for attempt in 0..<30 {
            let status = try await signIn(
                app, email: "nobody\(attempt)@example.org", password: "wrong", peer: "10.0.0.1", forwardedFor: "203.0.113.1")
            #expect(status == .unauthorized)
        }
        let same = try await signIn(app, email: user.email, password: Fixtures.password, peer: "10.0.0.1", forwardedFor: "203.0.113.1")
        let other = try await signIn(app, email: user.email, password: Fixtures.password, peer: "10.0.0.1", forwardedFor: "203.0.113.2")
        return (same, other)
    }

    @Test("behind a trusted proxy, two clients are throttled separately")
    func trustedProxySeparatesClients() async throws {
        try await withCITHub(configure: { $0.trustedProxies = TrustedProxies(parsing: "10.0.0.1") }) { app in
            let (same, other) = try await Self.exhaustAddress(app)
            #expect(same == .tooManyRequests)
            #expect(other == .seeOther, "another client behind the proxy was locked out with the first")
            let ips = try await AuditEvent.query(on: app.db).all().compactMap(\.ip)
            #expect(Set(ips) == ["203.0.113.1", "203.0.113.2"])
        }
    }

    @Test("without CITHUB_TRUSTED_PROXIES, X-Forwarded-For is ignored: a client cannot pick a fresh address")
    func forwardedForIgnoredByDefault() async throws {
        try await withCITHub { app in
            let (same, other) = try await Self.exhaustAddress(app)
            #expect(same == .tooManyRequests)
            #expect(other == .tooManyRequests)
            let ips = try await AuditEvent.query(on: app.db).all().compactMap(\.ip)
            #expect(Set(ips) == ["10.0.0.1"])
        }
    }
}
