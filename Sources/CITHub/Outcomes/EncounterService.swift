import Fluent
import Vapor
import SQLKit
import CITDomain

/// Storing encounter reports: the reports and their rollups in one transaction, so a
/// dashboard never counts a report that is not stored, or misses one that is.
enum EncounterService {
    struct RollupKey: Hashable { var agency: UUID; var county: String; var quarter: String; var category: String }

    /// Law enforcement, dispatch and corrections organizations: the agencies reports are
    /// filed for. Returns id → organization.
    static func agencies(on db: any Database) async throws -> [Organization] {
        try await Organization.query(on: db).filter(\.$kind ~~ [.lawEnforcement, .dispatch, .corrections]).sort(\.$name).all()
    }

    /// The agencies a user may file for: their own agency (liaison), or every agency
    /// (administrators).
    static func agencies(for user: User, on db: any Database) async throws -> [Organization] {
        let all = try await agencies(on: db)
        if user.can(.editAllPrograms) { return all }
        let own = Set(user.scopes(.agencyLiaison))
        return all.filter { own.contains($0.id!) }
    }

    static func key(_ id: UUID) -> String { id.uuidString.lowercased() }

    static func counties(on db: any Database, stateCode: String) async throws -> [County] {
        try await County.query(on: db).filter(\.$stateCode == stateCode).sort(\.$name).all()
    }

    static func catalog(_ settings: Settings) -> DispositionCatalog { DispositionCatalog.forState(settings.stateCode) }

    static func today(_ settings: Settings) -> String {
        ClassTimes.dayAndTime(Date(), timeZone: TimeZone(identifier: settings.timeZone) ?? TimeZone(identifier: "America/Chicago")!).day
    }

    /// Stores the records (already validated) with their rollups. Call inside a transaction.
    static func store(_ records: [EncounterRecord], catalog: DispositionCatalog, source: String, filedBy: UUID?, on db: any Database) async throws -> [UUID] {
        var reports: [EncounterReport] = []
        reports.reserveCapacity(records.count)
        var deltas: [RollupKey: [Int]] = [:]
        for record in records {
            guard let agency = UUID(uuidString: record.agencyKey) else { continue }
            let report = EncounterReport(record, agencyID: agency, catalog: catalog, source: source, filedBy: filedBy)
            reports.append(report)
            add(report, to: &deltas)
        }
        // Several hundred rows per INSERT keeps each statement under the databases' bind limits.
        for chunk in stride(from: 0, to: reports.count, by: 500) {
            try await Array(reports[chunk..<min(chunk + 500, reports.count)]).create(on: db)
        }
        try await applyRollups(deltas, on: db)
        return reports.compactMap(\.id)
    }

    static let rollupColumns = ["calls", "cit_requested", "cit_dispatched", "cit_arrived", "cit_on_scene", "force_used",
                                "injury_person", "injury_officer", "injury_other", "demo_calls"]

    static func add(_ report: EncounterReport, to deltas: inout [RollupKey: [Int]]) {
        let key = RollupKey(agency: report.agencyID, county: report.countyFIPS, quarter: report.quarter, category: report.dispositionCategory)
        let values = [1, report.citRequested ? 1 : 0, report.citDispatched ? 1 : 0, report.citArrived ? 1 : 0, report.citOnScene ? 1 : 0,
                      report.forceLevel == ForceLevel.none.rawValue ? 0 : 1, report.injuryPerson ? 1 : 0, report.injuryOfficer ? 1 : 0,
                      report.injuryOther ? 1 : 0, report.source == "demo" ? 1 : 0]
        deltas[key] = zip(deltas[key] ?? Array(repeating: 0, count: values.count), values).map(+)
    }

    /// Adds the deltas to the rollup rows, creating rows that do not exist yet, in one
    /// statement per row (an upsert on both SQLite and PostgreSQL).
    static func applyRollups(_ deltas: [RollupKey: [Int]], on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for (key, values) in deltas {
            var insert = sql.insert(into: EncounterRollup.schema)
                .columns(["id", "agency_id", "county_fips", "quarter", "disposition_category"] + rollupColumns)
                .values([SQLBind(UUID()), SQLBind(key.agency), SQLBind(key.county), SQLBind(key.quarter), SQLBind(key.category)] + values.map { SQLBind($0) })
            insert = insert.onConflict(with: ["agency_id", "county_fips", "quarter", "disposition_category"]) { update in
                var update = update
                for column in rollupColumns {
                    update = update.set(SQLIdentifier(column), to: SQLRaw("\(EncounterRollup.schema).\(column) + excluded.\(column)"))
                }
                return update
            }
            try await insert.run()
        }
    }
}
