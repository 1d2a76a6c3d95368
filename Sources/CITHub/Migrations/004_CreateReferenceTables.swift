import Fluent

struct M004_CreateReferenceTables: AsyncMigration {
    /// The name it shipped under (its type name then); installations have it recorded as applied.
    var name: String { "CITHub.ReferenceMigrations.CreateReferenceTables" }

    func prepare(on database: any Database) async throws {
        try await database.schema(County.schema)
            .field("fips", .string, .identifier(auto: false))
            .field("state_code", .string, .required)
            .field("name", .string, .required)
            .field("full_name", .string, .required)
            .field("population_2020", .int, .required)
            .field("land_area_m2", .int64, .required)
            .field("boundary_geojson", .string)
            .field("source", .string, .required)
            .create()
        try await database.schema(Course.schema)
            .id()
            .field("code", .string, .required)
            .field("title", .string, .required)
            .field("required_hours", .double, .required)
            .field("typical_days", .int, .required)
            .field("audiences", .string, .required)
            .field("summary", .string, .required)
            .field("source", .string, .required)
            .field("completion_rule", .string, .required)
            .unique(on: "code")
            .create()
        try await database.schema(CurriculumTopicRecord.schema)
            .id()
            .field("code", .string, .required)
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("source", .string, .required)
            .unique(on: "code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CurriculumTopicRecord.schema).delete()
        try await database.schema(Course.schema).delete()
        try await database.schema(County.schema).delete()
    }
}
