import Fluent
import Vapor
import CITDomain

/// Completion of every confirmed trainee of a class, computed from attendance and the
/// course's rule; nobody ticks it by hand.
struct ClassCompletion {
    var session: ClassSession
    var course: Course
    var policy: CompletionPolicy
    var attendance: ClassAttendance
    var rows: [(registration: Registration, result: CompletionResult)]

    static func load(_ session: ClassSession, on db: any Database) async throws -> ClassCompletion {
        let course = try await session.$course.get(on: db)
        let policy = CompletionPolicy.standard(courseCode: course.code, requiredHours: course.requiredHours)
        let entries = try await ClassAttendance.load(classID: session.id!, on: db)
        let agenda = session.agenda
        let attendance = ClassAttendance(entries: entries, agenda: agenda)
        let confirmed = try await Registration.query(on: db).filter(\.$classSession.$id == session.id!)
            .filter(\.$status == .confirmed).sort(\.$name).all()
        let rows = confirmed.map { registration in
            (
                registration,
                CompletionRules.evaluate(
                    policy: policy, agenda: agenda, attendance: attendance.blocks(for: registration.id!), timeZone: session.zone)
            )
        }
        return ClassCompletion(session: session, course: course, policy: policy, attendance: attendance, rows: rows)
    }
}
