import Fluent
import Vapor
import CITDomain
import SQLKit

/// A local CIT and/or CIP partnership.
final class Program: Model, @unchecked Sendable {
    static let schema = "programs"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    /// ProgramKind raw values, ";"-separated.
    @Field(key: "kinds") var kindsText: String
    @Field(key: "status") var status: ProgramStatus
    @OptionalField(key: "year_started") var yearStarted: Int?
    @OptionalField(key: "cit_accredited_on") var citAccreditedOn: Date?
    @OptionalField(key: "cip_accredited_on") var cipAccreditedOn: Date?
    /// What a source said about accreditation, until dates are entered.
    @OptionalField(key: "accreditation_note") var accreditationNote: String?
    @OptionalField(key: "website") var website: String?
    @OptionalField(key: "public_email") var publicEmail: String?
    @OptionalField(key: "public_phone") var publicPhone: String?
    @Field(key: "description") var description: String
    @OptionalField(key: "last_verified_at") var lastVerifiedAt: Date?
    @OptionalField(key: "verified_by") var verifiedBy: String?
    @OptionalField(key: "source_url") var sourceURL: String?
    @OptionalField(key: "source_date") var sourceDate: String?
    /// Set when an administrator merged this record into another; merged records are
    /// kept for history and redirect to the survivor.
    @OptionalField(key: "merged_into") var mergedInto: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var kinds: [ProgramKind] {
        get { kindsText.split(separator: ";").compactMap { ProgramKind(rawValue: String($0)) } }
        set { kindsText = newValue.map(\.rawValue).joined(separator: ";") }
    }
}

/// A county a program serves.
final class ProgramCounty: Model, @unchecked Sendable {
    static let schema = "program_counties"
    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    @Field(key: "county_fips") var countyFIPS: String
    init() {}
    init(programID: UUID, countyFIPS: String) { self.$program.id = programID; self.countyFIPS = countyFIPS }
}

/// A law enforcement agency, dispatch centre, provider, NAMI affiliate and so on.
final class Organization: Model, @unchecked Sendable {
    static let schema = "organizations"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: OrganizationKind
    @OptionalField(key: "county_fips") var countyFIPS: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    init(name: String, kind: OrganizationKind, countyFIPS: String?) { self.name = name; self.kind = kind; self.countyFIPS = countyFIPS }
}

/// An organization's part in a program.
final class ProgramPartner: Model, @unchecked Sendable {
    static let schema = "program_partners"
    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "role") var role: PartnerRole
    /// When a state administrator approved this partner (or added it themselves). Only an
    /// approved partner agency's encounter reports count as the program's in exact outcome
    /// views; a partner a coordinator adds waits, so naming an agency reads nothing of it
    /// (issue 13, part 2). Nil: waiting for approval.
    @OptionalField(key: "approved_at") var approvedAt: Date?
    /// The administrator's email, as the audit log names actors.
    @OptionalField(key: "approved_by") var approvedBy: String?
    init() {}
    init(programID: UUID, organizationID: UUID, role: PartnerRole, approvedAt: Date? = nil, approvedBy: String? = nil) {
        self.$program.id = programID; self.$organization.id = organizationID; self.role = role
        self.approvedAt = approvedAt; self.approvedBy = approvedBy
    }

    var isApproved: Bool { approvedAt != nil }

    /// How the audit log named a partner when it was added (before approval existed), so
    /// the migration below can find who added each existing row.
    static func auditName(organization: Organization, role: PartnerRole) -> String {
        "\(organization.name) (\(organization.kind.rawValue), \(role.rawValue))"
    }
}

/// ZIP code to county (one row per pair: a ZIP in several counties has several rows).
final class ZipCounty: Model, @unchecked Sendable {
    static let schema = "zip_counties"
    @ID(key: .id) var id: UUID?
    @Field(key: "zip") var zip: String
    @Field(key: "county_fips") var countyFIPS: String
    @Field(key: "city") var city: String
    @Field(key: "is_primary") var isPrimary: Bool
    @OptionalField(key: "land_share") var landShare: Double?
    /// The ZIP's centre (GeoNames, CC BY 4.0 via the zipcodes package), for "classes near me".
    @OptionalField(key: "lat") var lat: Double?
    @OptionalField(key: "lon") var lon: Double?
    init() {}
    init(record: ZipCountyRecord) {
        zip = record.zip; countyFIPS = record.countyFips; city = record.city; isPrimary = record.isPrimary; landShare = record.landShare
        lat = record.lat; lon = record.lon
    }
}

enum DirectoryMigrations {
    struct CreateDirectory: AsyncMigration {
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

    /// Adds `approved_at` / `approved_by` to program partners (issue 13, part 2).
    ///
    /// Existing rows are approved only where the audit log shows that someone who is a state
    /// administrator added them; that event's time and actor become the approval. Every other
    /// row waits for an administrator's approval:
    /// - the starter partners were copied from public web pages at first start by the
    ///   system, and nobody in this installation has reviewed them;
    /// - a row a coordinator added is exactly how a coordinator could have named another
    ///   agency as a partner, so it must not carry access over;
    /// - rows a merge moved have no "added" event for their new program.
    /// Before this change no one's exact access came from partners (it came from counties),
    /// so waiting rows take away nothing the new rule would have given; an administrator
    /// approves each with one button on the program's edit page.
    struct AddPartnerApproval: AsyncMigration {
        func prepare(on database: any Database) async throws {
            // One column per statement: SQLite adds one column per ALTER TABLE.
            try await database.schema(ProgramPartner.schema).field("approved_at", .datetime).update()
            try await database.schema(ProgramPartner.schema).field("approved_by", .string).update()

            let added = try await AuditEvent.query(on: database).filter(\.$action == "program.partner_added").sort(\.$at).all()
            guard !added.isEmpty else { return }
            let administrators = Set(try await RoleGrant.query(on: database).filter(\.$role == .stateAdministrator).all().map(\.$user.id))
            for link in try await ProgramPartner.query(on: database).with(\.$organization).all() {
                let program = link.$program.id.uuidString.lowercased()
                let name = ProgramPartner.auditName(organization: link.organization, role: link.role)
                // The latest time it was added: a partner removed and added again counts as the second adding.
                guard let event = added.last(where: { $0.entityID?.lowercased() == program && $0.details == name }),
                      let actor = event.actorID, administrators.contains(actor) else { continue }
                link.approvedAt = event.at
                link.approvedBy = event.actor
                try await link.save(on: database)
            }
        }

        func revert(on database: any Database) async throws {
            try await database.schema(ProgramPartner.schema).deleteField("approved_by").update()
            try await database.schema(ProgramPartner.schema).deleteField("approved_at").update()
        }
    }
}
