import Fluent

struct M001_CreateUsers: AsyncMigration {
    /// The name it shipped under (its type name then); installations have it recorded as applied.
    var name: String { "CITHub.AccountsMigrations.CreateUsers" }

    func prepare(on database: any Database) async throws {
        try await database.schema(User.schema)
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string)
            .field("disabled_at", .datetime)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "email")
            .create()
        try await database.schema(RoleGrant.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("role", .string, .required)
            .field("scope_id", .string)
            .field("created_at", .datetime)
            .create()
        try await database.schema(AccountToken.schema)
            .id()
            .field("purpose", .string, .required)
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .references(User.schema, .id, onDelete: .cascade))
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema(SignInFailure.schema)
            .id()
            .field("key", .string, .required)
            .field("failed_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SignInFailure.schema).delete()
        try await database.schema(AccountToken.schema).delete()
        try await database.schema(RoleGrant.schema).delete()
        try await database.schema(User.schema).delete()
    }
}
