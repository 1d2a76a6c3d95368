import Fluent
import SQLKit

/// Indexes for the lookups every sign-in and every delivery pass makes. Written in SQL
/// because Fluent's schema builder has no index API; the statements are the same on
/// SQLite and PostgreSQL.
struct M006_AddLookupIndexes: AsyncMigration {
    /// The name it shipped under (its type name then); installations have it recorded as applied.
    var name: String { "CITHub.IndexMigrations.AddLookupIndexes" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "sign_in_failures_key_at").on(SignInFailure.schema).column("key").column("failed_at").run()
        try await sql.create(index: "outbox_messages_due").on(OutboxMessage.schema).column("status").column("next_attempt_at").run()
        try await sql.create(index: "audit_events_entity").on(AuditEvent.schema).column("entity_id").run()
        try await sql.create(index: "audit_events_at").on(AuditEvent.schema).column("at").run()
        try await sql.create(index: "role_grants_user").on(RoleGrant.schema).column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for name in ["sign_in_failures_key_at", "outbox_messages_due", "audit_events_entity", "audit_events_at", "role_grants_user"] {
            try await sql.drop(index: name).run()
        }
    }
}
