import Fluent
import Vapor
import CITDomain

/// Who may do what in one class. The role matrix lets a trainer into the attendance
/// pages at all; this decides which classes.
enum TrainingAccess {
    /// Coordinators of the class's program (and administrators) run it; trainers assigned
    /// to it teach it.
    static func mayTeach(_ user: User, session: ClassSession, on db: any Database) async throws -> Bool {
        let trainers = try await ClassTrainer.query(on: db).filter(\.$classSession.$id == session.id!).all().map { $0.$user.id }
        return user.may(.teach, .classSession(programID: session.$program.id, trainerIDs: Set(trainers))).isAllowed
    }

    /// The class at `:id`, or 404; then 403 unless the user teaches it.
    static func taughtClass(_ req: Request) async throws -> ClassSession {
        let session = try await ClassQueries.findClass(req)
        guard try await mayTeach(try req.auth.require(User.self), session: session, on: req.db) else {
            throw Abort(.forbidden, reason: "You can take attendance and score role-plays only in the classes you teach.")
        }
        return session
    }
}
