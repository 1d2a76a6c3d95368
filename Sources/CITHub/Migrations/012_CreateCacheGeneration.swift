import Fluent

struct M012_CreateCacheGeneration: AsyncMigration {
    /// The name it shipped under (its type name then); installations have it recorded as applied.
    var name: String { "CITHub.CacheGenerationMigrations.Create" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CacheGeneration.schema)
            .field("id", .int, .identifier(auto: false))
            .field("generation", .int, .required)
            .create()
        let row = CacheGeneration()
        row.id = 1
        row.generation = 0
        try await row.create(on: database)
    }
    func revert(on database: any Database) async throws { try await database.schema(CacheGeneration.schema).delete() }
}
