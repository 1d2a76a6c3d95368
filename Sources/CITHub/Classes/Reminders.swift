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
                    guard try await Registration.query(on: tx).filter(\.$id == registration.id!).filter(\.$reminderSentAt == now).count() == 1 else { return false }
                    try await Outbox(database: tx, from: settings.mailFrom).enqueue(
                        to: registration.email, subject: "Reminder: \(session.title) starts \(ClassFormat.shortDay(session.startsAt, session.zone))",
                        text: ClassMail.reminder(session, registration: registration))
                    return true
                }
                if claimed { sent += 1 }
            }
        }
        return sent
    }
}
