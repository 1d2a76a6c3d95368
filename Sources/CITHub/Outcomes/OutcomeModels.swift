import Fluent
import Vapor
import SQLKit
import CITDomain

/// What an agency liaison keeps about their agency: officer counts and shifts. The
/// agency itself is an organization from the directory (law enforcement, dispatch,
/// corrections).
final class AgencyProfile: Model, @unchecked Sendable {
    static let schema = "agency_profiles"
    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "sworn_officers") var swornOfficers: Int
    @Field(key: "patrol_officers") var patrolOfficers: Int
    /// `[ShiftCount]` as JSON: each shift's patrol officers and how many of them are CIT-trained.
    @Field(key: "shifts_json") var shiftsJSON: String
    @Field(key: "updated_by") var updatedBy: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}

    var shifts: [ShiftCount] { (try? JSONDecoder().decode([ShiftCount].self, from: Data(shiftsJSON.utf8))) ?? [] }
}

/// One de-identified encounter report. No field holds a name or free text.
final class EncounterReport: Model, @unchecked Sendable {
    static let schema = "encounter_reports"
    @ID(key: .id) var id: UUID?
    @Field(key: "agency_id") var agencyID: UUID
    @Field(key: "county_fips") var countyFIPS: String
    @Field(key: "occurred_on") var occurredOn: String
    @Field(key: "quarter") var quarter: String
    @Field(key: "time_block") var timeBlock: String
    @Field(key: "call_source") var callSource: String
    @Field(key: "cit_requested") var citRequested: Bool
    @Field(key: "cit_dispatched") var citDispatched: Bool
    @Field(key: "cit_arrived") var citArrived: Bool
    @Field(key: "cit_on_scene") var citOnScene: Bool
    @Field(key: "disposition") var disposition: String
    @Field(key: "disposition_category") var dispositionCategory: String
    @Field(key: "force_level") var forceLevel: String
    @Field(key: "injury_person") var injuryPerson: Bool
    @Field(key: "injury_officer") var injuryOfficer: Bool
    @Field(key: "injury_other") var injuryOther: Bool
    @Field(key: "weapon") var weapon: String
    @Field(key: "veteran") var veteran: String
    @Field(key: "substance_use") var substanceUse: String
    @Field(key: "repeat_contact") var repeatContact: String
    /// "form", "api", "import:<batch id>" or "demo" (fictional, from `cithub demo-encounters`).
    @Field(key: "source") var source: String
    @OptionalField(key: "filed_by") var filedBy: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}

    convenience init(_ record: EncounterRecord, agencyID: UUID, catalog: DispositionCatalog, source: String, filedBy: UUID?) {
        self.init()
        id = UUID()
        self.agencyID = agencyID
        countyFIPS = record.countyFIPS
        occurredOn = record.occurredOn
        quarter = record.quarter.key
        timeBlock = record.timeBlock.rawValue
        callSource = record.callSource.rawValue
        citRequested = record.citRequested
        citDispatched = record.citDispatched
        citArrived = record.citArrived
        citOnScene = record.citTrainedOnScene
        disposition = record.dispositionCode
        dispositionCategory = (catalog.disposition(code: record.dispositionCode)?.category ?? .other).rawValue
        forceLevel = record.forceLevel.rawValue
        injuryPerson = record.injuryPerson
        injuryOfficer = record.injuryOfficer
        injuryOther = record.injuryOther
        weapon = record.weaponInvolved.rawValue
        veteran = record.veteran.rawValue
        substanceUse = record.substanceUse.rawValue
        repeatContact = record.repeatContact.rawValue
        self.source = source
        self.filedBy = filedBy
    }
}

/// Sums of encounter reports per agency, county, quarter and disposition category,
/// kept in the same transaction as every report. Dashboards read these few thousand
/// rows instead of scanning a million reports.
final class EncounterRollup: Model, @unchecked Sendable {
    static let schema = "encounter_rollups"
    @ID(key: .id) var id: UUID?
    @Field(key: "agency_id") var agencyID: UUID
    @Field(key: "county_fips") var countyFIPS: String
    @Field(key: "quarter") var quarter: String
    @Field(key: "disposition_category") var dispositionCategory: String
    @Field(key: "calls") var calls: Int
    @Field(key: "cit_requested") var citRequested: Int
    @Field(key: "cit_dispatched") var citDispatched: Int
    @Field(key: "cit_arrived") var citArrived: Int
    @Field(key: "cit_on_scene") var citOnScene: Int
    @Field(key: "force_used") var forceUsed: Int
    @Field(key: "injury_person") var injuryPerson: Int
    @Field(key: "injury_officer") var injuryOfficer: Int
    @Field(key: "injury_other") var injuryOther: Int
    @Field(key: "demo_calls") var demoCalls: Int
    init() {}
}

/// A CSV file imported all at once; its hash refuses the same file twice.
final class EncounterImportBatch: Model, @unchecked Sendable {
    static let schema = "encounter_imports"
    @ID(key: .id) var id: UUID?
    @Field(key: "sha256") var sha256: String
    @Field(key: "rows") var rows: Int
    @Field(key: "imported_by") var importedBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}
