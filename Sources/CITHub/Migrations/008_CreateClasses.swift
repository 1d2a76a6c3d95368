import Fluent
import SQLKit

struct M008_CreateClasses: AsyncMigration {
    /// The name it shipped under (its type name then); installations have it recorded as applied.
    var name: String { "CITHub.ClassMigrations.CreateClasses" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ClassSession.schema)
            .id()
            .field("program_id", .uuid, .required, .references(Program.schema, .id))
            .field("course_id", .uuid, .required, .references(Course.schema, .id))
            .field("title", .string, .required)
            .field("venue_name", .string, .required)
            .field("venue_address", .string, .required)
            .field("venue_zip", .string, .required)
            .field("county_fips", .string, .required)
            .field("time_zone", .string, .required)
            .field("capacity", .int, .required)
            .field("default_agency_limit", .int)
            .field("registration_opens_at", .datetime)
            .field("registration_closes_at", .datetime)
            .field("trainers", .string, .required)
            .field("agenda_json", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("status", .string, .required)
            .field("registration_sequence", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema(ClassAgencyLimit.schema)
            .id()
            .field("class_id", .uuid, .required, .references(ClassSession.schema, .id, onDelete: .cascade))
            .field("agency_key", .string, .required)
            .field("agency_name", .string, .required)
            .field("seat_limit", .int, .required)
            .unique(on: "class_id", "agency_key")
            .create()
        try await database.schema(Registration.schema)
            .id()
            .field("class_id", .uuid, .required, .references(ClassSession.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("email", .string, .required)
            .field("phone", .string, .required)
            .field("organization", .string, .required)
            .field("agency_key", .string, .required)
            .field("audience", .string, .required)
            .field("status", .string, .required)
            .field("sequence", .int, .required)
            .field("joined_at", .datetime, .required)
            .field("manage_token_hash", .string, .required)
            .field("promoted_at", .datetime)
            .field("cancelled_at", .datetime)
            .field("reminder_sent_at", .datetime)
            .field("created_at", .datetime)
            // The same email cannot hold two places in one class, even under a race.
            .unique(on: "class_id", "email")
            .unique(on: "manage_token_hash")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "class_sessions_starts").on(ClassSession.schema).column("starts_at").run()
            try await sql.create(index: "registrations_class_status").on(Registration.schema).column("class_id").column("status").run()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [Registration.schema, ClassAgencyLimit.schema, ClassSession.schema] {
            try await database.schema(schema).delete()
        }
    }
}
