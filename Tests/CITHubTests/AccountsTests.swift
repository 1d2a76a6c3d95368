import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

@Suite("Accounts: first administrator, sign-in, throttling, CSRF, audit")
struct AccountsTests {
    @Test("the first-administrator link creates an administrator who can sign in, and works once")
    func firstAdministrator() async throws {
        try await withCITHub { app in
            // setup
            let link = try #require(try await AccountService.issueFirstAdministratorLink(on: app.db, publicURL: "http://127.0.0.1:8080"))
            let path = link.replacingOccurrences(of: "http://127.0.0.1:8080", with: "")
            let browser = TestBrowser(app)

            // MUT
            let form = try await browser.get(path)
            #expect(form.status == .ok)
            #expect(form.text.contains("Create administrator"))
            let created = try await browser.post(
                path,
                ["name": "Ada Admin", "email": "Ada@Example.org", "password": Fixtures.password, "password_confirm": Fixtures.password])

            // validate
            #expect(created.status == .seeOther)
            #expect(created.location == "/login?notice=administrator-created")
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "ada@example.org").with(\.$roleGrants).first())
            #expect(user.roles == [.stateAdministrator])
            #expect(try await AccountService.issueFirstAdministratorLink(on: app.db, publicURL: "x") == nil)
            #expect(try await browser.get(path).status == .gone)
            #expect(
                try await browser.post(
                    path, ["name": "Eve", "email": "eve@example.org", "password": Fixtures.password, "password_confirm": Fixtures.password]
                ).status == .gone)
            #expect(try await User.query(on: app.db).count() == 1)

            let signIn = try await browser.post(SiteURL.login.path, ["email": "ada@example.org", "password": Fixtures.password])
            #expect(signIn.status == .seeOther)
            #expect(signIn.location == SiteURL.account.path)
            let cookie = try #require(signIn.headers[.setCookie].first { $0.hasPrefix("cithub_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"), "plain http on a laptop: no Secure flag")
            let account = try await browser.get(SiteURL.account.path)
            #expect(account.status == .ok)
            #expect(account.text.contains("Signed in as"))
            #expect(account.text.contains("ada@example.org"))
        }
    }

    @Test("a weak password is refused beside the field, and nothing is created")
    func weakPasswordOnSetup() async throws {
        try await withCITHub { app in
            let link = try #require(try await AccountService.issueFirstAdministratorLink(on: app.db, publicURL: ""))
            let browser = TestBrowser(app)
            for (password, message) in [("short", "at least 12"), ("password1234", "commonly used"), ("adaexample!!x", nil as String?)] {
                let response = try await browser.post(
                    link,
                    [
                        "name": "Ada", "email": "ada@example.org", "password": password,
                        "password_confirm": password + (message == nil ? "-different" : ""),
                    ])
                #expect(response.status == .unprocessableEntity)
                #expect(response.text.contains("aria-invalid=\"true\""))
                if let message { #expect(response.text.contains(message)) }
                #expect(response.text.contains("value=\"ada@example.org\""), "input is kept")
            }
            #expect(try await User.query(on: app.db).count() == 0)
        }
    }

    @Test("secure cookies when the public address is https")
    func secureCookiesOverHTTPS() async throws {
        try await withCITHub(configure: { $0.publicURL = "https://cit.example.org" }) { app in
            let user = try await Fixtures.user(app, email: "s@example.org", role: .trainer)
            let browser = TestBrowser(app)
            let response = try await browser.post(SiteURL.login.path, ["email": user.email, "password": Fixtures.password])
            let cookie = try #require(response.headers[.setCookie].first { $0.hasPrefix("cithub_session=") })
            #expect(cookie.contains("Secure"))
            #expect(response.headers.first(name: "Strict-Transport-Security") != nil)
        }
    }

    @Test("wrong password: 401 with a message; the 6th attempt in a row is throttled even with the right password")
    func throttling() async throws {
        try await withCITHub { app in
            let user = try await Fixtures.user(app, email: "t@example.org", role: .trainee)
            let browser = TestBrowser(app)
            for attempt in 1...5 {
                let response = try await browser.post(SiteURL.login.path, ["email": user.email, "password": "wrong password \(attempt)"])
                #expect(response.status == .unauthorized)
                #expect(response.text.contains("incorrect"))
            }
            let sixth = try await browser.post(SiteURL.login.path, ["email": user.email, "password": Fixtures.password])
            #expect(sixth.status == .tooManyRequests)
            #expect(sixth.headers.first(name: .retryAfter) != nil)
            #expect(sixth.text.contains("Too many sign-in attempts"))
            #expect(browser.cookies["cithub_session"] == nil)

            let actions = try await AuditEvent.query(on: app.db).all().map(\.action)
            #expect(actions.filter { $0 == "sign_in.failed" }.count == 5)
            #expect(actions.contains("sign_in.throttled"))

            // Another account from the same address is not locked by this one.
            let other = try await Fixtures.user(app, email: "o@example.org", role: .trainee)
            #expect(try await browser.post(SiteURL.login.path, ["email": other.email, "password": Fixtures.password]).status == .seeOther)
        }
    }

    @Test("sign-in success is audited, failures reset on success, sign-out ends the session")
    func signInAndOut() async throws {
        try await withCITHub { app in
            let user = try await Fixtures.user(app, email: "u@example.org", role: .trainer)
            let browser = TestBrowser(app)
            _ = try await browser.post(SiteURL.login.path, ["email": user.email, "password": "nope nope nope"])
            let ok = try await browser.post(
                SiteURL.login.path, ["email": user.email, "password": Fixtures.password, "next": "/admin/audit"])
            #expect(ok.location == "/admin/audit", "a local next is honoured")
            #expect(try await SignInFailure.query(on: app.db).filter(\.$key == "email:u@example.org").count() == 0)
            let events = try await AuditEvent.query(on: app.db).sort(\.$at).all()
            #expect(events.map(\.action) == ["sign_in.failed", "sign_in.succeeded"])
            #expect(events.last?.actorID == user.id)

            let out = try await browser.post(SiteURL.logout.path, [:])
            #expect(out.status == .seeOther)
            #expect(out.location == "/")
            let after = try await browser.get(SiteURL.account.path)
            #expect(after.status == .seeOther)
            #expect(after.location?.hasPrefix("/login?next=") == true)
        }
    }

    @Test("next must stay on this site")
    func openRedirectRefused() {
        #expect(SignInController.safeNext("//evil.example") == SiteURL.account.path)
        #expect(SignInController.safeNext("https://evil.example") == SiteURL.account.path)
        #expect(SignInController.safeNext("/\\evil.example") == SiteURL.account.path)
        #expect(SignInController.safeNext("/admin/users") == "/admin/users")
    }

    @Test("a disabled account cannot sign in, and an open session stops working")
    func disabledAccount() async throws {
        try await withCITHub { app in
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            let (trainer, user) = try await Fixtures.signedIn(app, role: .trainer)
            #expect(try await trainer.get(SiteURL.account.path).status == .ok)

            let disable = try await admin.post(SiteURL.adminUserStatus(.value(user.id!.uuidString)).path, ["action": "disable"])
            #expect(disable.status == .seeOther)
            #expect(try await trainer.get(SiteURL.account.path).status == .seeOther, "session no longer signs in")
            #expect(
                try await TestBrowser(app).post(SiteURL.login.path, ["email": user.email, "password": Fixtures.password]).status
                    == .unauthorized)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "account.disabled").count() == 1)
        }
    }

    @Test("the only administrator cannot remove their own role")
    func lastAdministratorKept() async throws {
        try await withCITHub { app in
            let (admin, user) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            let response = try await admin.post(SiteURL.adminUserRoles(.value(user.id!.uuidString)).path, ["role": Role.trainee.rawValue])
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("only active state administrator"))
            #expect(try await RoleGrant.query(on: app.db).filter(\.$user.$id == user.id!).first()?.role == .stateAdministrator)
        }
    }

    @Test("role change is applied and audited with before and after")
    func roleChange() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            let user = try await Fixtures.user(app, email: "c@example.org", role: .trainee)
            // A name that is not a program is refused (issue 12: it used to be stored and grant nothing).
            let unknown = try await admin.post(
                SiteURL.adminUserRoles(.value(user.id!.uuidString)).path,
                ["role": Role.programCoordinator.rawValue, "program": "Fox Valley CIT"])
            #expect(unknown.status == .unprocessableEntity)
            #expect(unknown.text.contains("No program in the directory is called “Fox Valley CIT”"))
            let response = try await admin.post(
                SiteURL.adminUserRoles(.value(user.id!.uuidString)).path,
                ["role": Role.programCoordinator.rawValue, "program": "NAMI Dane County CIT/CIP"])
            #expect(response.status == .seeOther)
            let grants = try await RoleGrant.query(on: app.db).filter(\.$user.$id == user.id!).all()
            #expect(grants.map(\.role) == [.programCoordinator])
            #expect(grants.first?.scopeID == (try await programID(app, named: "NAMI Dane County CIT/CIP")).lowercased())
            let event = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "account.role_changed").first())
            #expect(event.details.contains("trainee → program_coordinator"))

            let bad = try await admin.post(SiteURL.adminUserRoles(.value(user.id!.uuidString)).path, ["role": "emperor"])
            #expect(bad.status == .unprocessableEntity)
            #expect(try await RoleGrant.query(on: app.db).filter(\.$user.$id == user.id!).first()?.role == .programCoordinator)
        }
    }
}

@Suite("CSRF")
struct CSRFTests {
    @Test("a POST without a valid token gets 403 and changes nothing")
    func postWithoutToken() async throws {
        try await withCITHub { app in
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            let usersBefore = try await User.query(on: app.db).count()
            let auditBefore = try await AuditEvent.query(on: app.db).count()
            let outboxBefore = try await OutboxMessage.query(on: app.db).count()
            let invite = ["email": "new@example.org", "name": "New Person", "role": Role.trainer.rawValue]

            // no token
            let missing = try await admin.post(SiteURL.adminInvite.path, invite, csrf: false)
            #expect(missing.status == .forbidden)
            // wrong token
            var forged = invite
            forged[CSRF.fieldName] = String(repeating: "x", count: 43)
            let wrong = try await admin.post(SiteURL.adminInvite.path, forged, csrf: false)
            #expect(wrong.status == .forbidden)
            // a token without its cookie
            let stranger = TestBrowser(app)
            stranger.cookies["cithub_session"] = admin.cookies["cithub_session"]
            forged[CSRF.fieldName] = admin.cookies[CSRF.cookieName]
            #expect(try await stranger.post(SiteURL.adminInvite.path, forged, csrf: false).status == .forbidden)

            #expect(try await User.query(on: app.db).count() == usersBefore)
            #expect(try await AuditEvent.query(on: app.db).count() == auditBefore)
            #expect(try await OutboxMessage.query(on: app.db).count() == outboxBefore)

            // and with the token it works
            #expect(try await admin.post(SiteURL.adminInvite.path, invite).status == .seeOther)
            #expect(try await User.query(on: app.db).count() == usersBefore + 1)
        }
    }

    @Test("sign-in itself needs the token")
    func loginNeedsToken() async throws {
        try await withCITHub { app in
            let user = try await Fixtures.user(app, email: "l@example.org", role: .trainee)
            let response = try await TestBrowser(app).post(
                SiteURL.login.path, ["email": user.email, "password": Fixtures.password], csrf: false)
            #expect(response.status == .forbidden)
            #expect(try await AuditEvent.query(on: app.db).count() == 0)
        }
    }
}
