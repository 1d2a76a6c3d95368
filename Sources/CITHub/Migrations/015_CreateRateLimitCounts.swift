import Fluent

/// Issue 13: rate limits on public registration and "forgot your password".
struct M015_CreateRateLimitCounts: AsyncMigration {
    /// The name it shipped under (its type name then); installations have it recorded as applied.
    var name: String { "CITHub.RateLimitMigrations.CreateRateLimitCounts" }

    func prepare(on database: any Database) async throws {
        try await database.schema(RateLimitStore.schema)
            .field("key", .string, .required)
            .field("window_start", .datetime, .required)
            .field("count", .int, .required)
            .compositeIdentifier(over: "key", "window_start")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RateLimitStore.schema).delete()
    }
}
