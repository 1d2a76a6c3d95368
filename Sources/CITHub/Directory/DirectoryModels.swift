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
