import Fluent
import SQLKit

/// The hashed-key session table. The old `_fluent_sessions` rows hold raw keys:
/// they are deleted, so everyone signs in once more after the upgrade.
struct M016_CreateAccountSessions: AsyncMigration {
    /// The name it shipped under (its type name then); installations have it recorded as applied.
    var name: String { "CITHub.SessionMigrations.CreateAccountSessions" }

    func prepare(on database: any Database) async throws {
        try await database.schema(AccountSession.schema)
            .id()
            .field("key_hash", .string, .required)
            .field("user_id", .uuid, .references(User.schema, .id, onDelete: .cascade))
            .field("data", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .unique(on: "key_hash")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "account_sessions_user_id").on(AccountSession.schema).column("user_id").run()
        }
        try await SessionRecord.query(on: database).delete()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AccountSession.schema).delete()
    }
}
