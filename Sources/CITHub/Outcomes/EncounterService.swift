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
        let reach = CITDomain.Scope.agencies(user.accessHolder, for: .file)
        return try await agencies(on: db).filter { reach.contains($0.id!) }
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
    static func store(_ records: [EncounterRecord], catalog: DispositionCatalog, source: String, filedBy: UUID?, on db: any Database)
        async throws -> [UUID]
    {
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

    static let rollupColumns = [
        "calls", "cit_requested", "cit_dispatched", "cit_arrived", "cit_on_scene", "force_used",
        "injury_person", "injury_officer", "injury_other", "demo_calls",
    ]

    static func add(_ report: EncounterReport, to deltas: inout [RollupKey: [Int]], sign: Int = 1) {
        let key = RollupKey(
            agency: report.agencyID, county: report.countyFIPS, quarter: report.quarter, category: report.dispositionCategory)
        let values = [
            1, report.citRequested ? 1 : 0, report.citDispatched ? 1 : 0, report.citArrived ? 1 : 0, report.citOnScene ? 1 : 0,
            report.forceLevel == ForceLevel.none.rawValue ? 0 : 1, report.injuryPerson ? 1 : 0, report.injuryOfficer ? 1 : 0,
            report.injuryOther ? 1 : 0, report.source == "demo" ? 1 : 0,
        ]
        deltas[key] = zip(deltas[key] ?? Array(repeating: 0, count: values.count), values.map { $0 * sign }).map(+)
    }

    /// Adds the deltas to the rollup rows, creating rows that do not exist yet, in one
    /// statement per row (an upsert on both SQLite and PostgreSQL).
    static func applyRollups(_ deltas: [RollupKey: [Int]], on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for (key, values) in deltas {
            var insert = sql.insert(into: EncounterRollup.schema)
                .columns(["id", "agency_id", "county_fips", "quarter", "disposition_category"] + rollupColumns)
                .values(
                    [SQLBind(UUID()), SQLBind(key.agency), SQLBind(key.county), SQLBind(key.quarter), SQLBind(key.category)]
                        + values.map { SQLBind($0) })
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

    // MARK: corrections

    /// A stored report as the raw values `EncounterFields.validate` reads: what the
    /// correction form is filled with, and what a correction is compared against.
    static func values(of report: EncounterReport) -> [String: String] {
        func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }
        return [
            EncounterFields.occurredOn: report.occurredOn, EncounterFields.timeBlock: report.timeBlock,
            EncounterFields.agency: key(report.agencyID), EncounterFields.countyFIPS: report.countyFIPS,
            EncounterFields.callSource: report.callSource, EncounterFields.citRequested: yesNo(report.citRequested),
            EncounterFields.citDispatched: yesNo(report.citDispatched), EncounterFields.citArrived: yesNo(report.citArrived),
            EncounterFields.citTrainedOnScene: yesNo(report.citOnScene), EncounterFields.disposition: report.disposition,
            EncounterFields.forceLevel: report.forceLevel, EncounterFields.injuryPerson: yesNo(report.injuryPerson),
            EncounterFields.injuryOfficer: yesNo(report.injuryOfficer), EncounterFields.injuryOther: yesNo(report.injuryOther),
            EncounterFields.weaponInvolved: report.weapon, EncounterFields.veteran: report.veteran,
            EncounterFields.substanceUse: report.substanceUse, EncounterFields.repeatContact: report.repeatContact,
        ]
    }

    enum Correction: Equatable {
        case corrected([FieldChange], quarter: String)
        case unchanged
        case windowClosed
    }

    /// Replaces a report's answers with a corrected record and moves its counts in the
    /// rollups: the old answers are taken out of their row, the new ones added to theirs
    /// (another quarter or county if the date or county changed). Call inside a
    /// transaction; the report's row is written first so that two corrections of one
    /// report wait for each other (row lock on PostgreSQL, the write lock on SQLite)
    /// and the second one starts from the first one's answers.
    static func correct(
        reportID: UUID, with record: EncounterRecord, catalog: DispositionCatalog, now: Date,
        window: CorrectionWindow = .standard, on db: any Database
    ) async throws -> Correction {
        if let sql = db as? any SQLDatabase {
            try await sql.update(EncounterReport.schema).set(SQLColumn("source"), to: SQLColumn("source")).where("id", .equal, reportID)
                .run()
        }
        guard let report = try await EncounterReport.find(reportID, on: db), let agency = UUID(uuidString: record.agencyKey) else {
            return .unchanged
        }
        guard window.isOpen(filedAt: report.createdAt ?? now, now: now) else { return .windowClosed }
        let corrected = EncounterReport(record, agencyID: agency, catalog: catalog, source: report.source, filedBy: report.filedBy)
        let changes = CorrectionWindow.changes(before: values(of: report), after: values(of: corrected), order: EncounterFields.all)
        guard !changes.isEmpty else { return .unchanged }
        var deltas: [RollupKey: [Int]] = [:]
        add(report, to: &deltas, sign: -1)
        add(corrected, to: &deltas)
        report.agencyID = corrected.agencyID
        report.countyFIPS = corrected.countyFIPS
        report.occurredOn = corrected.occurredOn
        report.quarter = corrected.quarter
        report.timeBlock = corrected.timeBlock
        report.callSource = corrected.callSource
        report.citRequested = corrected.citRequested
        report.citDispatched = corrected.citDispatched
        report.citArrived = corrected.citArrived
        report.citOnScene = corrected.citOnScene
        report.disposition = corrected.disposition
        report.dispositionCategory = corrected.dispositionCategory
        report.forceLevel = corrected.forceLevel
        report.injuryPerson = corrected.injuryPerson
        report.injuryOfficer = corrected.injuryOfficer
        report.injuryOther = corrected.injuryOther
        report.weapon = corrected.weapon
        report.veteran = corrected.veteran
        report.substanceUse = corrected.substanceUse
        report.repeatContact = corrected.repeatContact
        try await report.update(on: db)
        try await applyRollups(deltas.filter { !$0.value.allSatisfy { $0 == 0 } }, on: db)
        // A row whose last report moved away counts nothing; dropping it keeps the
        // dashboards from listing an empty county-quarter.
        try await EncounterRollup.query(on: db).filter(\.$calls == 0).delete()
        return .corrected(changes, quarter: report.quarter)
    }
}
