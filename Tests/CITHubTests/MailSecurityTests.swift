import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

/// Issue 13, parts 4 and 5: one-time links in mail, the outbox page, rate limits,
/// confirmation of an email address and enumeration.
@Suite("Mail security: one-time links after delivery", .enabled(if: TestSMTPServer.isAvailable, "needs aiosmtpd or CITHUB_TEST_SMTP_URL"))
struct MailLinkDeliveryTests {
    @Test("after delivery to the SMTP server the stored body has no token; the delivered mail still has the link")
    func redactedAfterDelivery() async throws {
        let smtp = try await TestSMTPServer.start()
        defer { smtp.stop() }
        try await withCITHub(configure: { $0.smtpURL = smtp.url }) { app in
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            let address = "redact-\(UUID().uuidString.prefix(8).lowercased())@example.org"
            #expect(
                try await admin.post(SiteURL.adminInvite.path, ["email": address, "name": "Rita Redact", "role": Role.trainer.rawValue])
                    .status == .seeOther)
            let stored = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(
                Fixtures.link(in: stored.bodyText, path: SiteURL.invitation(.key).parentPath) != nil,
                "before delivery the link is kept, so it can be sent")

            #expect(try await app.mailDelivery!.runOnce().sent == 1)

            let delivered = decodeQuotedPrintable(try #require(try smtp.messages(to: address).first))
            let path = try #require(Fixtures.link(in: delivered, path: SiteURL.invitation(.key).parentPath))
            let after = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(after.status == .sent)
            #expect(Fixtures.link(in: after.bodyText, path: SiteURL.invitation(.key).parentPath) == nil)
            #expect(!after.bodyText.contains(String(path.split(separator: "/").last!)))
            #expect(after.bodyText.contains(LinkRedaction.removedAfterDelivery))
            #expect(after.bodyText.contains("Rita Redact") || after.bodyText.contains("invited"), "the rest of the message stays")
            // The link itself still works: only the stored copy lost it.
            #expect(try await TestBrowser(app).get(path).status == .ok)
        }
    }
}

@Suite("Mail security: the outbox page and retention")
struct OutboxSecurityTests {
    @Test("with SMTP configured, one administrator cannot read another's reset link in /admin/outbox")
    func noResetLinkWithSMTP() async throws {
        // Port 9 refuses: the message stays pending, its link live.
        try await withCITHub(configure: { $0.smtpURL = "smtp://127.0.0.1:9" }) { app in
            let victim = try await Fixtures.user(app, email: "victim-admin@example.org", role: .stateAdministrator)
            let (attacker, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            #expect(try await TestBrowser(app).post(SiteURL.forgotPassword.path, ["email": victim.email]).status == .seeOther)
            try await PasswordResetQueue.settle(app)
            let message = try #require(try await OutboxMessage.query(on: app.db).filter(\.$toAddress == victim.email).first())
            #expect(
                Fixtures.link(in: message.bodyText, path: SiteURL.resetPassword(.key).parentPath) != nil,
                "the reset link is still waiting to be sent")

            let list = try await attacker.get(SiteURL.adminOutbox.path)
            #expect(list.status == .ok)
            #expect(list.text.contains(victim.email))
            #expect(Fixtures.link(in: list.text, path: SiteURL.resetPassword(.key).parentPath) == nil)
            let single = try await attacker.get(SiteURL.adminOutboxMessage(.value(message.id!.uuidString)).path)
            #expect(single.status == .ok)
            #expect(Fixtures.link(in: single.text, path: SiteURL.resetPassword(.key).parentPath) == nil)
            #expect(single.text.contains(LinkRedaction.hidden))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "outbox.link_viewed").count() == 0)
        }
    }

    @Test("without SMTP an administrator opens a message to read its link, and each opening is audited")
    func linkViewAudited() async throws {
        try await withCITHub { app in
            let (admin, adminUser) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            _ = try await admin.post(
                SiteURL.adminInvite.path, ["email": "newcomer@example.org", "name": "Nell", "role": Role.trainee.rawValue])
            let message = try #require(try await OutboxMessage.query(on: app.db).first())

            let list = try await admin.get(SiteURL.adminOutbox.path)
            #expect(list.text.contains("newcomer@example.org"))
            #expect(Fixtures.link(in: list.text, path: SiteURL.invitation(.key).parentPath) == nil, "the list shows no live link")
            #expect(list.text.contains(SiteURL.adminOutboxMessage(.value(message.id!.uuidString.lowercased())).path))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "outbox.link_viewed").count() == 0)

            for expected in 1...2 {
                let single = try await admin.get(SiteURL.adminOutboxMessage(.value(message.id!.uuidString.lowercased())).path)
                #expect(single.status == .ok)
                #expect(Fixtures.link(in: single.text, path: SiteURL.invitation(.key).parentPath) != nil)
                #expect(single.headers.first(name: "Cache-Control")?.contains("no-store") == true)
                let events = try await AuditEvent.query(on: app.db).filter(\.$action == "outbox.link_viewed").all()
                #expect(events.count == expected)
                #expect(events.allSatisfy { $0.actorID == adminUser.id && $0.entityID == message.id!.uuidString })
            }
            #expect(try await admin.get(SiteURL.adminOutboxMessage(.value("not-an-id")).path).status == .notFound)
            #expect(try await admin.get(SiteURL.adminOutboxMessage(.value(UUID().uuidString)).path).status == .notFound)
        }
    }

    @Test("delivered mail older than the retention period is purged by the delivery pass; newer and pending mail stays")
    func purge() async throws {
        try await withCITHub(configure: {
            $0.smtpURL = "smtp://127.0.0.1:9"; $0.mailRetentionDays = 30
        }) { app in
            let now = Date()
            let outbox = Outbox(database: app.db, from: "CIT Hub <a@b.c>")
            let old = try await outbox.enqueue(to: "old@example.org", subject: "old", text: "t")
            let recent = try await outbox.enqueue(to: "recent@example.org", subject: "recent", text: "t")
            let waiting = try await outbox.enqueue(to: "waiting@example.org", subject: "waiting", text: "t")
            for (message, age) in [(old, 31.0), (recent, 29.0)] {
                message.status = .sent
                message.sentAt = now.addingTimeInterval(-age * 86400)
                try await message.update(on: app.db)
            }
            waiting.nextAttemptAt = now.addingTimeInterval(3600)  // not due: the pass does not try to send it
            try await waiting.update(on: app.db)

            _ = try await app.mailDelivery!.runOnce(now: now)
            let left = try await OutboxMessage.query(on: app.db).all().map(\.subject).sorted()
            #expect(left == ["recent", "waiting"])
        }
    }
}

@Suite("Mail security: registration links")
struct RegistrationLinkTests {
    @Test("a registration's manage link stops working once the class has ended: 410 with a clear page, never a 500")
    func manageLinkExpiresWithClass() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, _) = try await ClassFixtures.createClass(app, capacity: 5)
            let link = try await ClassFixtures.registerConfirmed(app, classID: id, registrant: ClassFixtures.registrant(1))
            #expect(try await TestBrowser(app).get(link).status == .ok)

            let session = try #require(try await ClassSession.find(id, on: app.db))
            session.startsAt = Date().addingTimeInterval(-10 * 86400)
            session.endsAt = Date().addingTimeInterval(-6 * 86400)
            try await session.update(on: app.db)

            for path in [link, link + "/cancel"] {
                let page = try await TestBrowser(app).get(path)
                #expect(page.status == .gone, "\(path)")
                #expect(page.text.contains("This class has ended"))
            }
            let cancel = try await TestBrowser(app).post(link + "/cancel", [:])
            #expect(cancel.status == .gone)
            #expect(try await Registration.query(on: app.db).first()?.status == .confirmed)
        }
    }
}

extension ClassFixtures {
    /// Registers `registrant` through the public form and returns the path of their
    /// registration page (the manage link), confirming the email address on the way when
    /// the form asks for that.
    static func registerConfirmed(_ app: Application, classID: UUID, registrant: [String: String]) async throws -> String {
        let browser = TestBrowser(app)
        let response = try await browser.post(SiteURL.classRegister(.value(classID)).path, registrant)
        // The form answers "check your email" (200) for every address: no redirect whose
        // address could differ by case.
        #expect(response.status == .ok)
        return try await confirmByMail(app, email: try #require(registrant["email"]))
    }
}

extension ClassFixtures {
    /// Finds the newest confirmation link mailed to `email` (in the outbox), opens it and
    /// presses "Confirm my place"; returns the registration page it leads to.
    static func confirmByMail(_ app: Application, email: String) async throws -> String {
        let mails = try await OutboxMessage.query(on: app.db).filter(\.$toAddress == email).sort(\.$createdAt, .descending).all()
        let path = try #require(
            mails.lazy.compactMap { Fixtures.link(in: $0.bodyText, path: SiteURL.registrationConfirm(.key).parentPath) }.first,
            "no confirmation link mailed to \(email)")
        let browser = TestBrowser(app)
        #expect(try await browser.get(path).status == .ok)
        let confirmed = try await browser.post(path, [:])
        #expect(confirmed.status == .seeOther)
        return try #require(confirmed.location)
    }
}

@Suite("Mail security: rate limits and enumeration")
struct RateLimitRouteTests {
    @Test("the counter is atomic: 40 concurrent hits on one key under a limit of 30 let exactly 30 through")
    func atomicCounter() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cithub-ratelimit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await withCITHub(configure: { settings in
            if case .sqliteMemory = settings.storage { settings.storage = .sqliteFile(path: dir.appendingPathComponent("rl.sqlite").path) }
        }) { app in
            _ = try await prepareSQLite(app)
            let limit = RateLimit.registrationPerAddress
            #expect(limit.limit == 30)
            let now = Date()
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        try await RateLimitStore(database: app.db).hit(limit, key: limit.key("address", "192.0.2.7"), now: now)
                    }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(allowed == 30)
            // another address, and the next window, start again
            #expect(try await RateLimitStore(database: app.db).hit(limit, key: limit.key("address", "192.0.2.8"), now: now))
            #expect(
                try await RateLimitStore(database: app.db).hit(
                    limit, key: limit.key("address", "192.0.2.7"), now: now.addingTimeInterval(3600)))
            // counts of windows over for a day are dropped by the delivery pass's purge
            try await RateLimitStore(database: app.db).purge(now: now.addingTimeInterval(3 * 86400))
            #expect(try await RateLimitStore(database: app.db).hit(limit, key: limit.key("address", "192.0.2.7"), now: now))
        }
    }

    @Test("forgot-password: the sixth request in an hour for one address is refused beside the field with 429, and mails nothing")
    func forgotPerEmail() async throws {
        try await withCITHub { app in
            let user = try await Fixtures.user(app, email: "often@example.org", role: .trainee)
            for _ in 1...5 {
                #expect(try await TestBrowser(app).post(SiteURL.forgotPassword.path, ["email": user.email]).status == .seeOther)
            }
            let refused = try await TestBrowser(app).post(SiteURL.forgotPassword.path, ["email": user.email])
            #expect(refused.status == .tooManyRequests)
            #expect(refused.text.contains("Too many requests"))
            #expect(refused.text.contains("value=\"often@example.org\""), "the input is kept")
            #expect(refused.headers.first(name: .retryAfter) != nil)
            try await PasswordResetQueue.settle(app)
            #expect(try await OutboxMessage.query(on: app.db).count() == 5)
            // another address is not affected
            #expect(try await TestBrowser(app).post(SiteURL.forgotPassword.path, ["email": "other@example.org"]).status == .seeOther)
        }
    }

    @Test("registration: the sixth try in an hour for one email is refused beside the field with 429")
    func registrationPerEmail() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, _) = try await ClassFixtures.createClass(app, capacity: 5)
            for _ in 1...5 {
                #expect(
                    try await TestBrowser(app).post(SiteURL.classRegister(.value(id)).path, ClassFixtures.registrant(1)).status
                        != .tooManyRequests)
            }
            let refused = try await TestBrowser(app).post(SiteURL.classRegister(.value(id)).path, ClassFixtures.registrant(1))
            #expect(refused.status == .tooManyRequests)
            #expect(refused.text.contains("Too many registrations"))
            #expect(refused.text.contains("value=\"Officer 1\""), "the input is kept")
            #expect(try await TestBrowser(app).post(SiteURL.classRegister(.value(id)).path, ClassFixtures.registrant(2)).status == .ok)
        }
    }

    @Test("forgot-password answers the same bytes, in the same time, for an account and for an unknown address")
    func forgotSameAnswer() async throws {
        try await withCITHub { app in
            let tries = 21
            var known: [Double] = [], unknown: [Double] = []
            for n in 0..<tries {
                let user = try await Fixtures.user(app, email: "known\(n)@example.org", role: .trainee)
                let a = TestBrowser(app), b = TestBrowser(app)
                _ = try await a.get(SiteURL.forgotPassword.path)
                _ = try await b.get(SiteURL.forgotPassword.path)
                // Alternate which goes first, so a slower moment of the machine does not
                // always fall on the same side.
                func timed(_ browser: TestBrowser, _ email: String) async throws -> (TestingHTTPResponse, Double) {
                    let start = ContinuousClock.now
                    let response = try await browser.post(SiteURL.forgotPassword.path, ["email": email])
                    let elapsed = (ContinuousClock.now - start).milliseconds
                    try await PasswordResetQueue.settle(app)
                    return (response, elapsed)
                }
                let ra: TestingHTTPResponse, rb: TestingHTTPResponse
                if n.isMultiple(of: 2) {
                    let (x, tx) = try await timed(a, user.email); let (y, ty) = try await timed(b, "unknown\(n)@example.org")
                    (ra, rb) = (x, y); known.append(tx); unknown.append(ty)
                } else {
                    let (y, ty) = try await timed(b, "unknown\(n)@example.org"); let (x, tx) = try await timed(a, user.email)
                    (ra, rb) = (x, y); known.append(tx); unknown.append(ty)
                }
                #expect(ra.status == rb.status)
                #expect(ra.location == rb.location)
                #expect(ra.body == rb.body)
                let names: (TestingHTTPResponse) -> [String] = {
                    $0.headers.map { $0.name.lowercased() }.filter { $0 != "set-cookie" && $0 != "date" }.sorted()
                }
                #expect(names(ra) == names(rb))
                for name in names(ra) { #expect(ra.headers[name] == rb.headers[name], "\(name)") }
            }
            #expect(try await OutboxMessage.query(on: app.db).count() == tries, "a mail for each account, none for unknown addresses")
            let medianKnown = known.sorted()[tries / 2], medianUnknown = unknown.sorted()[tries / 2]
            print(
                "forgot-password timing over \(tries) tries each: median known \(String(format: "%.2f", medianKnown)) ms, unknown \(String(format: "%.2f", medianUnknown)) ms"
            )
            // The work is the same by construction (the account work is queued after the
            // answer); the margin only absorbs the noise of other tests running alongside.
            #expect(
                abs(medianKnown - medianUnknown) < max(2.0, 0.4 * max(medianKnown, medianUnknown)),
                "medians \(medianKnown) ms vs \(medianUnknown) ms")
        }
    }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}
