import Fluent
import Vapor
import SQLKit
import CITDomain

/// A trainer account assigned to teach a class: it may take attendance and score
/// role-plays there, and nowhere else.
final class ClassTrainer: Model, @unchecked Sendable {
    static let schema = "class_trainers"
    @ID(key: .id) var id: UUID?
    @Parent(key: "class_id") var classSession: ClassSession
    @Parent(key: "user_id") var user: User
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    init(classID: UUID, userID: UUID) { $classSession.id = classID; $user.id = userID }
}

/// One thing a trainer recorded about one trainee in one agenda block: a check-in, a
/// check-out, present for the whole block, absent, minutes attended, a note, or (by a
/// coordinator) an excused make-up.
///
/// Entries are never changed, only added: the trainee's attendance is what the entries
/// add up to, in the order they happened. The id is made by the browser when the trainer
/// taps, so an entry sent twice (a retry after the network dropped) is stored once.
final class AttendanceEntry: Model, @unchecked Sendable {
    static let schema = "attendance_entries"

    enum Kind: String, Codable, CaseIterable {
        case checkIn = "check_in", checkOut = "check_out", present, absent, minutes, note, excused
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "class_id") var classSession: ClassSession
    @Parent(key: "registration_id") var registration: Registration
    @Field(key: "block_index") var blockIndex: Int
    @Field(key: "kind") var kind: Kind
    /// When it happened, by the trainer's device clock: a check-in taken offline at 08:02
    /// and sent at 09:30 still says 08:02.
    @Field(key: "happened_at") var happenedAt: Date
    @OptionalField(key: "minutes") var minutes: Int?
    /// A note, or the reason of an excused make-up.
    @OptionalField(key: "text") var text: String?
    @Field(key: "recorded_by") var recordedBy: String
    @Timestamp(key: "recorded_at", on: .create) var recordedAt: Date?

    init() {}
}

/// A role-play scenario a program uses for one course, with the rubric trainers score.
final class Scenario: Model, @unchecked Sendable {
    static let schema = "scenarios"
    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    @Parent(key: "course_id") var course: Course
    @Field(key: "title") var title: String
    @Field(key: "description") var details: String
    @Field(key: "rubric_json") var rubricJSON: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}

    var rubric: Rubric {
        (try? JSONDecoder().decode(Rubric.self, from: Data(rubricJSON.utf8))) ?? .deEscalationDefault
    }
}

/// One trainer's score sheet for one trainee in one scenario. Several trainers may each
/// score the same trainee; a trainer who scores again replaces their own sheet.
final class Evaluation: Model, @unchecked Sendable {
    static let schema = "evaluations"
    @ID(key: .id) var id: UUID?
    @Parent(key: "class_id") var classSession: ClassSession
    @Parent(key: "registration_id") var registration: Registration
    @Parent(key: "scenario_id") var scenario: Scenario
    @Field(key: "trainer_id") var trainerID: UUID
    @Field(key: "trainer_name") var trainerName: String
    @Field(key: "scores_json") var scoresJSON: String
    @Field(key: "feedback") var feedback: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}

    var scores: [String: Int] {
        (try? JSONDecoder().decode([String: Int].self, from: Data(scoresJSON.utf8))) ?? [:]
    }
}

/// A certificate of completion. What it certifies is copied in when it is issued, so a
/// later edit of the class or the program does not change a certificate already printed.
final class Certificate: Model, @unchecked Sendable {
    static let schema = "certificates"
    @ID(key: .id) var id: UUID?
    /// `VerificationCode`, canonical form.
    @Field(key: "code") var code: String
    @Parent(key: "registration_id") var registration: Registration
    @Parent(key: "class_id") var classSession: ClassSession
    @Field(key: "program_id") var programID: UUID
    @Field(key: "person_name") var personName: String
    @Field(key: "email") var email: String
    @Field(key: "organization") var organization: String
    @Field(key: "course_code") var courseCode: String
    @Field(key: "course_title") var courseTitle: String
    @Field(key: "category") var category: String
    @Field(key: "hours") var hours: Double
    /// yyyy-MM-dd in the class's time zone.
    @Field(key: "start_date") var startDate: String
    @Field(key: "end_date") var endDate: String
    @Field(key: "provider") var provider: String
    @Field(key: "issued_at") var issuedAt: Date
    @Field(key: "issued_by") var issuedBy: String
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @OptionalField(key: "revoked_reason") var revokedReason: String?
    @OptionalField(key: "revoked_by") var revokedBy: String?
    @Field(key: "refresher_due_at") var refresherDueAt: Date
    /// Days-before values of refresher reminders already sent, comma-separated ("60,14").
    @Field(key: "refresher_reminders_sent") var refresherRemindersSent: String
    /// SHA-256 of the print link's token, made like a registration's manage link
    /// (`AccountToken.generate()`): the mail carries the token, the database only its
    /// hash. Nil for certificates issued before print links existed.
    @OptionalField(key: "print_token_hash") var printTokenHash: String?
    /// Who signs the certificate, copied in at issue like everything else it prints:
    /// the issuing coordinator's name and title ("Program coordinator, NAMI Dane County CIT/CIP").
    @OptionalField(key: "signer_name") var signerName: String?
    @OptionalField(key: "signer_title") var signerTitle: String?
    init() {}

    var isRevoked: Bool { revokedAt != nil }
    var remindersSent: Set<Int> { Set(refresherRemindersSent.split(separator: ",").compactMap { Int($0) }) }
}
