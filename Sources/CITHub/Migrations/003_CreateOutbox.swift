import Fluent

struct M003_CreateOutbox: AsyncMigration {
    /// The name it shipped under (its type name then); installations have it recorded as applied.
    var name: String { "CITHub.MailMigrations.CreateOutbox" }

    func prepare(on database: any Database) async throws {
        try await database.schema(OutboxMessage.schema)
            .id()
            .field("to_address", .string, .required)
            .field("subject", .string, .required)
            .field("body_text", .string, .required)
            .field("attachments_json", .string)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("last_error", .string)
            .field("sent_at", .datetime)
            .field("claim_token", .string)
            .field("claimed_until", .datetime)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OutboxMessage.schema).delete()
    }
}
