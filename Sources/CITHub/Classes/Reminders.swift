import Fluent
import Vapor
import CITDomain

/// Reminder mail a few days before a class. Each registration is claimed with a
/// conditional UPDATE (reminder_sent_at still empty), so two instances running this at
/// once send one reminder, not two.
enum ClassReminders {
    static let daysBefore: Double = 3

    @discardableResult
    static func run(on db: any Database, settings: Settings, now: Date = Date()) async throws -> Int {
        let soon = try await ClassSession.query(on: db).filter(\.$status == .scheduled)
            .filter(\.$startsAt > now).filter(\.$startsAt <= now.addingTimeInterval(daysBefore * 86_400))
            .with(\.$course).with(\.$program).all()
        var sent = 0
        for session in soon {
            let due = try await Registration.query(on: db).filter(\.$classSession.$id == session.id!)
                .filter(\.$status == .confirmed).filter(\.$reminderSentAt == nil).all()
            for registration in due {
                let claimed = try await db.transaction { tx -> Bool in
                    try await Registration.query(on: tx).set(\.$reminderSentAt, to: now)
                        .filter(\.$id == registration.id!).filter(\.$reminderSentAt == nil).update()
                    // Only the instance whose UPDATE changed the row goes on.
                    guard
                        try await Registration.query(on: tx).filter(\.$id == registration.id!).filter(\.$reminderSentAt == now).count() == 1
                    else { return false }
                    try await Outbox(database: tx, from: settings.mailFrom).enqueue(
                        to: registration.email,
                        subject: "Reminder: \(session.title) starts \(ClassFormat.shortDay(session.startsAt, session.zone))",
                        text: ClassMail.reminder(session, registration: registration))
                    return true
                }
                if claimed { sent += 1 }
            }
        }
        return sent
    }
}

/// One pass over every kind of reminder mail: classes a few days away
/// (`ClassReminders`) and refreshers coming due (`RefresherReminders`). Each is queued
/// in the outbox, which holds it whether or not SMTP is configured; sending is the mail
/// loop's job (or `cithub send-mail`'s).
enum ReminderPass {
    struct Queued: Equatable, Sendable {
        var classes = 0
        var refreshers = 0
        var total: Int { classes + refreshers }
    }

    static func run(on db: any Database, settings: Settings, now: Date = Date()) async throws -> Queued {
        let classes = try await ClassReminders.run(on: db, settings: settings, now: now)
        let refreshers = try await RefresherReminders.run(on: db, settings: settings, now: now)
        return Queued(classes: classes, refreshers: refreshers)
    }
}

/// Runs `ReminderPass` inside the server when it starts and then every
/// `Settings.reminderIntervalSeconds` (0: not at all, as in the tests), and stops cleanly
/// when the server shuts down. Its own job rather than a step of the mail loop, which
/// runs only while SMTP is configured: reminders are queued either way.
final class ReminderService: LifecycleHandler, @unchecked Sendable {
    // `task` is only touched from the lifecycle callbacks, which Vapor calls one at a time.
    private var task: Task<Void, Never>?

    func didBootAsync(_ application: Application) async throws {
        let seconds = application.settings.reminderIntervalSeconds
        // Vapor boots the lifecycle for every command: `cithub migrate` or `restore` must
        // not queue mail from a database they are changing. Only the server runs the job.
        guard seconds > 0, CITHubMain.isServe(application.environment.arguments) else { return }
        let settings = application.settings
        let logger = application.logger
        task = Task {
            while !Task.isCancelled {
                do {
                    // Looked up each pass: the database watchdog may have replaced the pool.
                    let queued = try await ReminderPass.run(on: application.db, settings: settings)
                    if queued.total > 0 {
                        logger.info(
                            "reminders queued",
                            metadata: ["classes": .stringConvertible(queued.classes), "refreshers": .stringConvertible(queued.refreshers)])
                    }
                } catch {
                    logger.error("reminder pass failed", metadata: ["error": .string(String(reflecting: error))])
                }
                try? await Task.sleep(for: .seconds(seconds))
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        task?.cancel()
        await task?.value
    }
}
