import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

/// A real SMTP server for the test: the one `.ci/run` starts (CITHUB_TEST_SMTP_URL and
/// CITHUB_TEST_MAILDIR), or Python's aiosmtpd started here when it is installed
/// (`scripts/install-test-deps.sh`). Messages land in a Maildir that the test reads.
struct TestSMTPServer {
    let url: String
    let maildir: URL
    let process: Process?

    static var isAvailable: Bool {
        let env = ProcessInfo.processInfo.environment
        if env["CITHUB_TEST_SMTP_URL"] != nil && env["CITHUB_TEST_MAILDIR"] != nil { return true }
        return aiosmtpdInstalled
    }

    static let aiosmtpdInstalled: Bool = {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import aiosmtpd"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { return false }
        check.waitUntilExit()
        return check.terminationStatus == 0
    }()

    static func start() async throws -> TestSMTPServer {
        let env = ProcessInfo.processInfo.environment
        if let url = env["CITHUB_TEST_SMTP_URL"], let dir = env["CITHUB_TEST_MAILDIR"] {
            return TestSMTPServer(url: url, maildir: URL(fileURLWithPath: dir), process: nil)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cithub-mail-\(UUID().uuidString)")
        // aiosmtpd's Mailbox creates the Maildir (new/, cur/, tmp/) only if the folder does
        // not exist yet, so it is not created here.
        let port = Int.random(in: 20000...40000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox", dir.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until it accepts connections.
        for _ in 0..<50 {
            if (try? await SMTPClient(url: "smtp://127.0.0.1:\(port)", timeout: .seconds(2)).send([])) != nil { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return TestSMTPServer(url: "smtp://127.0.0.1:\(port)", maildir: dir, process: process)
    }

    /// aiosmtpd does not stop on SIGTERM while its loop runs; SIGKILL it and reap it.
    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Every message delivered to `address`, as raw text.
    func messages(to address: String) throws -> [String] {
        var found: [String] = []
        for sub in ["new", "cur"] {
            let dir = maildir.appendingPathComponent(sub)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] {
                let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
                if text.contains("To: \(address)") { found.append(text) }
            }
        }
        return found
    }
}

/// Undo quoted-printable soft line breaks and =XX escapes, enough to read links.
func decodeQuotedPrintable(_ text: String) -> String {
    let joined = text.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
    var bytes: [UInt8] = []
    var iterator = Array(joined.utf8).makeIterator()
    while let byte = iterator.next() {
        if byte == UInt8(ascii: "="), let a = iterator.next(), let b = iterator.next(),
            let value = UInt8(String(bytes: [a, b], encoding: .ascii)!, radix: 16)
        {
            bytes.append(value)
        } else {
            bytes.append(byte)
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

@Suite(
    "Mail: outbox and SMTP delivery to a real server",
    .enabled(if: TestSMTPServer.isAvailable, "needs aiosmtpd (scripts/install-test-deps.sh) or CITHUB_TEST_SMTP_URL"))
struct MailDeliveryTests {
    @Test("an invitation is delivered over SMTP and its link works once")
    func invitationDelivered() async throws {
        let smtp = try await TestSMTPServer.start()
        defer { smtp.stop() }
        try await withCITHub(configure: { $0.smtpURL = smtp.url }) { app in
            // setup
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            let address = "invitee-\(UUID().uuidString.prefix(8).lowercased())@example.org"

            // MUT: invite, then one delivery pass
            let invite = try await admin.post(
                SiteURL.adminInvite.path, ["email": address, "name": "Ida Invitee", "role": Role.trainer.rawValue])
            #expect(invite.status == .seeOther)
            let delivery = try #require(app.mailDelivery)
            let result = try await delivery.runOnce()

            // validate: the message is in the SMTP server's mailbox, once
            #expect(result.sent == 1)
            let delivered = try smtp.messages(to: address)
            #expect(delivered.count == 1)
            let text = decodeQuotedPrintable(try #require(delivered.first))
            #expect(text.contains("Subject: You are invited to CIT Hub"))
            let path = try #require(Fixtures.link(in: text, path: SiteURL.invitation(.key).parentPath))
            #expect(try await OutboxMessage.query(on: app.db).first()?.status == .sent)
            #expect(try await delivery.runOnce().sent == 0, "nothing is sent twice")

            let invitee = TestBrowser(app)
            #expect(try await invitee.get(path).status == .ok)
            let accepted = try await invitee.post(
                path, ["name": "Ida Invitee", "password": Fixtures.password, "password_confirm": Fixtures.password])
            #expect(accepted.status == .seeOther)
            #expect(accepted.location == "/login?notice=invitation-accepted")
            #expect(try await invitee.post(SiteURL.login.path, ["email": address, "password": Fixtures.password]).status == .seeOther)
            #expect(try await invitee.get(SiteURL.account.path).text.contains("Trainer"))

            // the link works once
            #expect(try await TestBrowser(app).get(path).status == .gone)
            #expect(
                try await TestBrowser(app).post(
                    path, ["name": "Mallory", "password": "another strong passphrase", "password_confirm": "another strong passphrase"]
                ).status == .gone)
            let events = try await AuditEvent.query(on: app.db).all().map(\.action)
            #expect(events.contains("invitation.created"))
            #expect(events.contains("invitation.accepted"))
        }
    }

    @Test("a password reset is mailed; the link sets a new password once and expires")
    func passwordReset() async throws {
        let smtp = try await TestSMTPServer.start()
        defer { smtp.stop() }
        try await withCITHub(configure: { $0.smtpURL = smtp.url }) { app in
            let address = "reset-\(UUID().uuidString.prefix(8).lowercased())@example.org"
            let user = try await Fixtures.user(app, email: address, role: .trainee)
            let browser = TestBrowser(app)
            let asked = try await browser.post(SiteURL.forgotPassword.path, ["email": address])
            #expect(asked.location == "/login?notice=reset-sent")
            // unknown address: same answer, no mail
            #expect(
                try await browser.post(SiteURL.forgotPassword.path, ["email": "nobody@example.org"]).location == "/login?notice=reset-sent")
            try await PasswordResetQueue.settle(app)  // the account work runs after the answer
            #expect(try await app.mailDelivery!.runOnce().sent == 1)
            let text = decodeQuotedPrintable(try #require(try smtp.messages(to: address).first))
            let path = try #require(Fixtures.link(in: text, path: SiteURL.resetPassword(.key).parentPath))

            let newPassword = "river stone window 77"
            #expect(try await browser.post(path, ["password": newPassword, "password_confirm": newPassword]).status == .seeOther)
            #expect(
                try await browser.post(path, ["password": "a different phrase 1", "password_confirm": "a different phrase 1"]).status
                    == .gone)
            #expect(
                try await TestBrowser(app).post(SiteURL.login.path, ["email": user.email, "password": newPassword]).status == .seeOther)
            #expect(
                try await TestBrowser(app).post(SiteURL.login.path, ["email": user.email, "password": Fixtures.password]).status
                    == .unauthorized)
        }
    }
}

@Suite("Mail without a server")
struct MailOutboxTests {
    @Test("without SMTP the invitation waits in the outbox, which an administrator can read")
    func outboxPage() async throws {
        try await withCITHub { app in
            #expect(app.mailDelivery == nil)
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            _ = try await admin.post(
                SiteURL.adminInvite.path, ["email": "wait@example.org", "name": "Walt", "role": Role.trainee.rawValue])
            let page = try await admin.get(SiteURL.adminOutbox.path)
            #expect(page.status == .ok)
            #expect(page.text.contains("SMTP_URL is not set"))
            #expect(page.text.contains("wait@example.org"))
            // The list hides the link; opening the message shows it (and is audited).
            #expect(Fixtures.link(in: page.text, path: SiteURL.invitation(.key).parentPath) == nil)
            let message = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(message.status == .pending)
            let opened = try await admin.get(SiteURL.adminOutboxMessage(.value(message.id!.uuidString.lowercased())).path)
            #expect(Fixtures.link(in: opened.text, path: SiteURL.invitation(.key).parentPath) != nil)
        }
    }

    @Test("a refused connection is retried later with backoff, not lost")
    func retryOnConnectionFailure() async throws {
        try await withCITHub(configure: { $0.smtpURL = "smtp://127.0.0.1:9" }) { app in
            try await Outbox(database: app.db, from: "CIT Hub <a@b.c>").enqueue(to: "r@example.org", subject: "s", text: "t")
            let now = Date()
            let result = try await app.mailDelivery!.runOnce(now: now)
            #expect(result.retried == 1)
            let message = try #require(try await OutboxMessage.query(on: app.db).first())
            #expect(message.status == .pending)
            #expect(message.attempts == 1)
            #expect(message.nextAttemptAt > now.addingTimeInterval(20))
            #expect(message.claimToken == nil)
            // not due yet: the next pass leaves it alone
            #expect(try await app.mailDelivery!.runOnce(now: now.addingTimeInterval(1)) == .init())
        }
    }
}
