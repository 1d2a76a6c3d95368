import Fluent
import Vapor
import SQLKit
import CITDomain

/// The periodic pass over unconfirmed registrations: a hold that ran out gives its seat to
/// the waitlist without waiting for the next registration or cancellation in that class,
/// and a pending registration whose link ran out is deleted (it was nobody's place, and
/// keeps nothing worth keeping). Seats are counted by time, so a pass that comes late
/// never lets a seat be taken twice; it only decides when the waitlist moves.
enum RegistrationHolds {
    @discardableResult
    static func release(on db: any Database, settings: Settings, now: Date = Date()) async throws -> (
        classes: Int, promoted: Int, deleted: Int
    ) {
        let due = try await Registration.query(on: db).filter(\.$status == .pending)
            .group(.or) { $0.filter(\.$holdUntil <= now).filter(\.$confirmExpiresAt <= now) }
            .all()
        var promoted = 0, deleted = 0
        let classes = Set(due.map(\.$classSession.id))
        for classID in classes {
            let (up, gone) = try await db.transaction { tx -> (Int, Int) in
                let session = try await RegistrationService.lock(classID, on: tx)
                let up = try await RegistrationService.promote(session, on: tx, settings: settings, now: now).count
                let expired = {
                    Registration.query(on: tx).filter(\.$classSession.$id == classID).filter(\.$status == .pending).filter(
                        \.$confirmExpiresAt <= now)
                }
                let gone = try await expired().count()
                try await expired().delete()
                return (up, gone)
            }
            promoted += up
            deleted += gone
        }
        return (classes.count, promoted, deleted)
    }
}
