import Fluent
import SQLKit

struct M009_CreateTraining: AsyncMigration {
    /// The name it shipped under (its type name then); installations have it recorded as applied.
    var name: String { "CITHub.TrainingMigrations.CreateTraining" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ClassTrainer.schema)
            .id()
            .field("class_id", .uuid, .required, .references(ClassSession.schema, .id, onDelete: .cascade))
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("created_at", .datetime)
            .unique(on: "class_id", "user_id")
            .create()
        try await database.schema(AttendanceEntry.schema)
            .id()
            .field("class_id", .uuid, .required, .references(ClassSession.schema, .id, onDelete: .cascade))
            .field("registration_id", .uuid, .required, .references(Registration.schema, .id, onDelete: .cascade))
            .field("block_index", .int, .required)
            .field("kind", .string, .required)
            .field("happened_at", .datetime, .required)
            .field("minutes", .int)
            .field("text", .string)
            .field("recorded_by", .string, .required)
            .field("recorded_at", .datetime)
            .create()
        try await database.schema(Scenario.schema)
            .id()
            .field("program_id", .uuid, .required, .references(Program.schema, .id))
            .field("course_id", .uuid, .required, .references(Course.schema, .id))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("rubric_json", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema(Evaluation.schema)
            .id()
            .field("class_id", .uuid, .required, .references(ClassSession.schema, .id, onDelete: .cascade))
            .field("registration_id", .uuid, .required, .references(Registration.schema, .id, onDelete: .cascade))
            .field("scenario_id", .uuid, .required, .references(Scenario.schema, .id))
            .field("trainer_id", .uuid, .required)
            .field("trainer_name", .string, .required)
            .field("scores_json", .string, .required)
            .field("feedback", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "registration_id", "scenario_id", "trainer_id")
            .create()
        try await database.schema(Certificate.schema)
            .id()
            .field("code", .string, .required)
            .field("registration_id", .uuid, .required, .references(Registration.schema, .id))
            .field("class_id", .uuid, .required, .references(ClassSession.schema, .id))
            .field("program_id", .uuid, .required)
            .field("person_name", .string, .required)
            .field("email", .string, .required)
            .field("organization", .string, .required)
            .field("course_code", .string, .required)
            .field("course_title", .string, .required)
            .field("category", .string, .required)
            .field("hours", .double, .required)
            .field("start_date", .string, .required)
            .field("end_date", .string, .required)
            .field("provider", .string, .required)
            .field("issued_at", .datetime, .required)
            .field("issued_by", .string, .required)
            .field("revoked_at", .datetime)
            .field("revoked_reason", .string)
            .field("revoked_by", .string)
            .field("refresher_due_at", .datetime, .required)
            .field("refresher_reminders_sent", .string, .required)
            .unique(on: "code")
            // One certificate per place in a class, even if two coordinators issue at once.
            .unique(on: "registration_id")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "attendance_entries_class").on(AttendanceEntry.schema).column("class_id").column("registration_id").run()
            try await sql.create(index: "certificates_email").on(Certificate.schema).column("email").run()
            try await sql.create(index: "certificates_refresher").on(Certificate.schema).column("refresher_due_at").run()
            try await sql.create(index: "evaluations_class").on(Evaluation.schema).column("class_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [Certificate.schema, Evaluation.schema, Scenario.schema, AttendanceEntry.schema, ClassTrainer.schema] {
            try await database.schema(schema).delete()
        }
    }
}
