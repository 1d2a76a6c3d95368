import Fluent
import SQLKit

struct M010_CreateOutcomes: AsyncMigration {
    /// The name it shipped under (its type name then); installations have it recorded as applied.
    var name: String { "CITHub.OutcomeMigrations.CreateOutcomes" }

    func prepare(on database: any Database) async throws {
        try await database.schema(AgencyProfile.schema)
            .id()
            .field("organization_id", .uuid, .required, .references(Organization.schema, .id))
            .field("sworn_officers", .int, .required)
            .field("patrol_officers", .int, .required)
            .field("shifts_json", .string, .required)
            .field("updated_by", .string, .required)
            .field("updated_at", .datetime)
            .unique(on: "organization_id")
            .create()
        try await database.schema(EncounterReport.schema)
            .id()
            .field("agency_id", .uuid, .required)
            .field("county_fips", .string, .required)
            .field("occurred_on", .string, .required)
            .field("quarter", .string, .required)
            .field("time_block", .string, .required)
            .field("call_source", .string, .required)
            .field("cit_requested", .bool, .required)
            .field("cit_dispatched", .bool, .required)
            .field("cit_arrived", .bool, .required)
            .field("cit_on_scene", .bool, .required)
            .field("disposition", .string, .required)
            .field("disposition_category", .string, .required)
            .field("force_level", .string, .required)
            .field("injury_person", .bool, .required)
            .field("injury_officer", .bool, .required)
            .field("injury_other", .bool, .required)
            .field("weapon", .string, .required)
            .field("veteran", .string, .required)
            .field("substance_use", .string, .required)
            .field("repeat_contact", .string, .required)
            .field("source", .string, .required)
            .field("filed_by", .uuid)
            .field("created_at", .datetime)
            .create()
        try await database.schema(EncounterRollup.schema)
            .id()
            .field("agency_id", .uuid, .required)
            .field("county_fips", .string, .required)
            .field("quarter", .string, .required)
            .field("disposition_category", .string, .required)
            .field("calls", .int, .required)
            .field("cit_requested", .int, .required)
            .field("cit_dispatched", .int, .required)
            .field("cit_arrived", .int, .required)
            .field("cit_on_scene", .int, .required)
            .field("force_used", .int, .required)
            .field("injury_person", .int, .required)
            .field("injury_officer", .int, .required)
            .field("injury_other", .int, .required)
            .field("demo_calls", .int, .required)
            .unique(on: "agency_id", "county_fips", "quarter", "disposition_category")
            .create()
        try await database.schema(EncounterImportBatch.schema)
            .id()
            .field("sha256", .string, .required)
            .field("rows", .int, .required)
            .field("imported_by", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "sha256")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "encounter_reports_county_quarter").on(EncounterReport.schema).column("county_fips").column("quarter").run()
            try await sql.create(index: "encounter_reports_agency_quarter").on(EncounterReport.schema).column("agency_id").column("quarter").run()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [EncounterImportBatch.schema, EncounterRollup.schema, EncounterReport.schema, AgencyProfile.schema] {
            try await database.schema(schema).delete()
        }
    }
}
