import Fluent

/// The table of Vapor's own session driver, as `SessionRecord.migration` made it (it was
/// registered from Fluent until issue 14). Copied here so that a Fluent upgrade cannot
/// change a migration that has shipped; 016 replaced these sessions with hashed keys.
struct M005_CreateFluentSessions: AsyncMigration {
    /// Fluent's name for `SessionRecord.migration`: installations have it recorded as applied.
    var name: String { "Fluent.SessionRecord.Create" }

    func prepare(on database: any Database) async throws {
        try await database.schema("_fluent_sessions")
            .id()
            .field("key", .string, .required)
            .field("data", .json, .required)
            .unique(on: "key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("_fluent_sessions").delete()
    }
}
