import Fluent
import SQLKit

struct M007_CreateDirectory: AsyncMigration {
    /// The name it shipped under (its type name then); installations have it recorded as applied.
    var name: String { "CITHub.DirectoryMigrations.CreateDirectory" }

    func prepare(on database: any Database) async throws {
        try await database.schema(Program.schema)
            .id()
            .field("name", .string, .required)
            .field("kinds", .string, .required)
            .field("status", .string, .required)
            .field("year_started", .int)
            .field("cit_accredited_on", .datetime)
            .field("cip_accredited_on", .datetime)
            .field("accreditation_note", .string)
            .field("website", .string)
            .field("public_email", .string)
            .field("public_phone", .string)
            .field("description", .string, .required)
            .field("last_verified_at", .datetime)
            .field("verified_by", .string)
            .field("source_url", .string)
            .field("source_date", .string)
            .field("merged_into", .uuid)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema(ProgramCounty.schema)
            .id()
            .field("program_id", .uuid, .required, .references(Program.schema, .id, onDelete: .cascade))
            .field("county_fips", .string, .required)
            .unique(on: "program_id", "county_fips")
            .create()
        try await database.schema(Organization.schema)
            .id()
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("county_fips", .string)
            .field("created_at", .datetime)
            .create()
        try await database.schema(ProgramPartner.schema)
            .id()
            .field("program_id", .uuid, .required, .references(Program.schema, .id, onDelete: .cascade))
            .field("organization_id", .uuid, .required, .references(Organization.schema, .id, onDelete: .cascade))
            .field("role", .string, .required)
            .unique(on: "program_id", "organization_id")
            .create()
        try await database.schema(ZipCounty.schema)
            .id()
            .field("zip", .string, .required)
            .field("county_fips", .string, .required)
            .field("city", .string, .required)
            .field("is_primary", .bool, .required)
            .field("land_share", .double)
            .field("lat", .double)
            .field("lon", .double)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "zip_counties_zip").on(ZipCounty.schema).column("zip").run()
            try await sql.create(index: "program_counties_fips").on(ProgramCounty.schema).column("county_fips").run()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [ZipCounty.schema, ProgramPartner.schema, Organization.schema, ProgramCounty.schema, Program.schema] {
            try await database.schema(schema).delete()
        }
    }
}
