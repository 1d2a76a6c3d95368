import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

/// Issue 13, part 5 (lockout): five wrong passwords lock an account for 15 minutes, which
/// anyone who knows the address can repeat for ever. The owner gets out through a mailed,
/// one-time sign-in link; the per-account delay for passwords stays.
@Suite(
    "Lockout: a locked-out owner signs in through a mailed link",
    .enabled(if: TestSMTPServer.isAvailable, "needs aiosmtpd (scripts/install-test-deps.sh) or CITHUB_TEST_SMTP_URL"))
struct LockoutLinkTests {
    /// Five wrong passwords, then the right one is refused (throttled).
    static func lockOut(_ app: Application, _ email: String) async throws -> TestBrowser {
        let browser = TestBrowser(app)
        for _ in 0..<5 {
            #expect(
                try await browser.post(SiteURL.login.path, ["email": email, "password": "wrong guess number one"]).status == .unauthorized)
        }
        let refused = try await browser.post(SiteURL.login.path, ["email": email, "password": Fixtures.password])
        #expect(refused.status == .tooManyRequests)
        return browser
    }

    /// Asks for the link from the throttled page's button, delivers the mail, returns the link's path.
    static func mailedLink(_ app: Application, _ smtp: TestSMTPServer, _ browser: TestBrowser, _ email: String) async throws -> String? {
        let asked = try await browser.post(SiteURL.signInLink.path, ["email": email])
        #expect(asked.status == .seeOther)
        #expect(asked.location == SiteURL.login.path + "?notice=sign-in-link-sent")
        try await SignInLinkQueue.settle(app)
        _ = try await app.mailDelivery!.runOnce()
        guard let raw = try smtp.messages(to: email).last else { return nil }
        return Fixtures.link(in: decodeQuotedPrintable(raw), path: SiteURL.signInLink.path)
    }

    @Test("after 5 wrong passwords the right one is refused, but the mailed link signs the owner in, once")
    func linkSignsLockedOwnerIn() async throws {
        let smtp = try await TestSMTPServer.start()
        defer { smtp.stop() }
        try await withCITHub(configure: { $0.smtpURL = smtp.url }) { app in
            // setup
            let email = "locked-\(UUID().uuidString.prefix(8).lowercased())@example.org"
            let user = try await Fixtures.user(app, email: email, role: .trainer)
            let browser = try await Self.lockOut(app, email)
            let throttled = try await browser.post(SiteURL.login.path, ["email": email, "password": Fixtures.password])
            #expect(throttled.text.contains("Email me a sign-in link"), "the throttled page offers the link")
            #expect(throttled.text.contains("action=\"\(SiteURL.signInLink.path)\""))

            // MUT: ask for the link, open it, press the button
            let path = try #require(try await Self.mailedLink(app, smtp, browser, email))
            let token = String(path.split(separator: "/").last!)
            #expect(token.count == 43)
            let owner = TestBrowser(app)
            let opened = try await owner.get(path)
            #expect(opened.status == .ok)
            #expect(opened.text.contains("<button"))
            #expect(try await owner.get(SiteURL.account.path).status != .ok, "opening the link (GET) does not sign in")
            let signedIn = try await owner.post(path, [:])

            // validate
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.location == SiteURL.account.path)
            #expect(try await owner.get(SiteURL.account.path).status == .ok)
            let failures = try await SignInFailure.query(on: app.db).filter(\.$key == "email:" + email).count()
            #expect(failures == 0, "the account's failure records are cleared")
            #expect(
                try await TestBrowser(app).post(SiteURL.login.path, ["email": email, "password": Fixtures.password]).status == .seeOther)
            // the link works once
            #expect(try await TestBrowser(app).post(path, [:]).status == .gone)
            #expect(try await TestBrowser(app).get(path).status == .gone)
            let events = try await AuditEvent.query(on: app.db).all().map(\.action)
            #expect(events.contains("sign_in.link_used"))
            _ = user
        }
    }

    @Test("an expired link is refused")
    func expiredLinkRefused() async throws {
        let smtp = try await TestSMTPServer.start()
        defer { smtp.stop() }
        try await withCITHub(configure: { $0.smtpURL = smtp.url }) { app in
            let email = "expired-\(UUID().uuidString.prefix(8).lowercased())@example.org"
            try await Fixtures.user(app, email: email, role: .trainer)
            let browser = try await Self.lockOut(app, email)
            let path = try #require(try await Self.mailedLink(app, smtp, browser, email))
            let record = try #require(try await AccountToken.query(on: app.db).filter(\.$purpose == .signInLink).first())
            #expect(
                record.expiresAt.timeIntervalSinceNow <= 15 * 60 + 5 && record.expiresAt.timeIntervalSinceNow > 14 * 60,
                "a link lasts 15 minutes")
            record.expiresAt = Date().addingTimeInterval(-1)
            try await record.save(on: app.db)
            let owner = TestBrowser(app)
            #expect(try await owner.get(path).status == .gone)
            #expect(try await owner.post(path, [:]).status == .gone)
            #expect(try await owner.get(SiteURL.account.path).status != .ok)
        }
    }

    @Test("a disabled account's link is refused")
    func disabledAccountRefused() async throws {
        let smtp = try await TestSMTPServer.start()
        defer { smtp.stop() }
        try await withCITHub(configure: { $0.smtpURL = smtp.url }) { app in
            let email = "disabled-\(UUID().uuidString.prefix(8).lowercased())@example.org"
            let user = try await Fixtures.user(app, email: email, role: .trainer)
            let browser = try await Self.lockOut(app, email)
            let path = try #require(try await Self.mailedLink(app, smtp, browser, email))
            user.disabledAt = Date()
            try await user.save(on: app.db)
            let owner = TestBrowser(app)
            #expect(try await owner.post(path, [:]).status == .gone)
            #expect(try await owner.get(SiteURL.account.path).status != .ok)
            // and a disabled account is mailed no link at all
            let before = try smtp.messages(to: email).count
            #expect(
                try await browser.post(SiteURL.signInLink.path, ["email": email]).location == SiteURL.login.path
                    + "?notice=sign-in-link-sent")
            try await SignInLinkQueue.settle(app)
            _ = try await app.mailDelivery!.runOnce()
            #expect(try smtp.messages(to: email).count == before)
        }
    }

    @Test("an unknown address gets the same answer and no mail; the request is rate-limited")
    func unknownAddressSameAnswer() async throws {
        let smtp = try await TestSMTPServer.start()
        defer { smtp.stop() }
        try await withCITHub(configure: { $0.smtpURL = smtp.url }) { app in
            let known = "known-\(UUID().uuidString.prefix(8).lowercased())@example.org"
            try await Fixtures.user(app, email: known, role: .trainer)
            let unknown = "nobody-\(UUID().uuidString.prefix(8).lowercased())@example.org"
            let browser = TestBrowser(app)
            let a = try await browser.post(SiteURL.signInLink.path, ["email": known])
            let b = try await browser.post(SiteURL.signInLink.path, ["email": unknown])
            #expect(a.status == b.status)
            #expect(a.location == b.location)
            #expect(a.text == b.text)
            try await SignInLinkQueue.settle(app)
            #expect(try await app.mailDelivery!.runOnce().sent == 1)
            #expect(try smtp.messages(to: unknown).isEmpty)
            // a malformed address is answered next to the field
            let bad = try await browser.post(SiteURL.signInLink.path, ["email": "not an address"])
            #expect(bad.status == .unprocessableEntity)
            // rate limit: five an hour per address
            var last: TestingHTTPResponse?
            for _ in 0..<5 { last = try await browser.post(SiteURL.signInLink.path, ["email": unknown]) }
            #expect(last?.status == .tooManyRequests)
            #expect(last?.headers.first(name: .retryAfter) != nil)
        }
    }

    @Test("an account that has not accepted its invitation gets no link, and the button shows only when the account is locked")
    func notAcceptedAndAddressOnly() async throws {
        let smtp = try await TestSMTPServer.start()
        defer { smtp.stop() }
        try await withCITHub(configure: { $0.smtpURL = smtp.url }) { app in
            let invited = "invited-\(UUID().uuidString.prefix(8).lowercased())@example.org"
            try await User(email: invited, name: "Ina Invited", passwordHash: nil).create(on: app.db)
            let browser = TestBrowser(app)
            #expect(
                try await browser.post(SiteURL.signInLink.path, ["email": invited]).location == SiteURL.login.path
                    + "?notice=sign-in-link-sent")
            try await SignInLinkQueue.settle(app)
            #expect(try await app.mailDelivery!.runOnce().sent == 0)
            #expect(try await AccountToken.query(on: app.db).filter(\.$purpose == .signInLink).count() == 0)

            // One client guessing at many accounts is stopped by the address throttle: that
            // answer offers no link (no account is locked), only the wait.
            let client = TestBrowser(app)
            for i in 0..<30 {
                _ = try await client.post(SiteURL.login.path, ["email": "guess\(i)@example.org", "password": "wrong guess number one"])
            }
            let fresh = try await client.post(
                SiteURL.login.path, ["email": "someone-else@example.org", "password": "wrong guess number one"])
            #expect(fresh.status == .tooManyRequests)
            #expect(!fresh.text.contains("Email me a sign-in link"))
        }
    }
}
