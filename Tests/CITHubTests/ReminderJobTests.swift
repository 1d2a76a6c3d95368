import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub

/// Reminders have their own job and command (issue 14): they are queued in the outbox
/// whether or not SMTP is configured; sending stays the mail loop's job.
@Suite("Reminders: their own job and `cithub send-reminders`")
struct ReminderJobTests {
    /// A class two days away with one confirmed registration: one reminder is due.
    static func classWithOneReminderDue(_ app: Application) async throws {
        try await loadDirectory(app)
        let (id, _) = try await ClassFixtures.createClass(app, startInDays: 2)
        _ = try await ClassFixtures.register(app, id, ClassFixtures.registrant(1))
    }

    static func reminders(_ app: Application) async throws -> [OutboxMessage] {
        try await OutboxMessage.query(on: app.db).all().filter { $0.subject.hasPrefix("Reminder") }
    }

    @Test("send-reminders queues what is due, without SMTP, once, and says how many")
    func command() async throws {
        try await withCITHub { app in
            // setup
            #expect(app.settings.smtpURL == nil)
            try await Self.classWithOneReminderDue(app)
            // MUT
            let first = try await SendRemindersCommand.report(app)
            let second = try await SendRemindersCommand.report(app)
            // validate
            #expect(first == "send-reminders: queued=1 classes=1 refreshers=0")
            #expect(second == "send-reminders: queued=0 classes=0 refreshers=0")
            let queued = try await Self.reminders(app)
            #expect(queued.count == 1)
            #expect(queued.first?.status == .pending, "waits in the outbox for the mail loop")
        }
    }

    @Test("the server's job queues reminders without SMTP; it is off in tests and for other commands")
    func job() async throws {
        try await withCITHub { app in
            // setup
            #expect(Settings.forTesting().reminderIntervalSeconds == 0, "off in tests, as the mail loop is")
            #expect(Settings.fromEnvironment([:], arguments: []).reminderIntervalSeconds == 600)
            #expect(Settings.fromEnvironment(["CITHUB_REMINDER_INTERVAL_SECONDS": "0"], arguments: []).reminderIntervalSeconds == 0)
            try await Self.classWithOneReminderDue(app)

            // MUT: a command other than serve boots the lifecycle too; the job stays off.
            app.settings.reminderIntervalSeconds = 3600
            app.environment.arguments = ["cithub", "migrate"]
            let idle = ReminderService()
            try await idle.didBootAsync(app)
            await idle.shutdownAsync(app)
            #expect(try await Self.reminders(app).isEmpty)

            // MUT: serving, the job runs a pass at once, then every interval.
            app.environment.arguments = ["cithub", "serve"]
            let job = ReminderService()
            try await job.didBootAsync(app)
            var queued: [OutboxMessage] = []
            for _ in 0..<100 {
                queued = try await Self.reminders(app)
                if !queued.isEmpty { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            await job.shutdownAsync(app)
            // validate
            #expect(queued.count == 1)
            #expect(queued.first?.status == .pending)
        }
    }
}
