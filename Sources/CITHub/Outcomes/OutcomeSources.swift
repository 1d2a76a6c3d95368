import Fluent
import SQLKit
import Vapor
import NIOConcurrencyHelpers
import CITDomain

/// Where dashboard numbers are read from: the published tables for the public, exact
/// sums of the rollups for people who may see them.
enum OutcomeSources {
    static let flagColumns: [(OutcomeFlag, String)] = [
        (.citRequested, "cit_requested"), (.citDispatched, "cit_dispatched"), (.citArrived, "cit_arrived"),
        (.citTrainedOnScene, "cit_on_scene"), (.forceUsed, "force_used"), (.injuryPerson, "injury_person"),
        (.injuryOfficer, "injury_officer"), (.injuryOther, "injury_other"),
    ]

    static func writable(_ flag: OutcomeFlag) -> WritableKeyPath<OutcomeCounts, Int> {
        switch flag {
        case .citRequested: \.citRequested
        case .citDispatched: \.citDispatched
        case .citArrived: \.citArrived
        case .citTrainedOnScene: \.citTrainedOnScene
        case .forceUsed: \.forceUsed
        case .injuryPerson: \.injuryPerson
        case .injuryOfficer: \.injuryOfficer
        case .injuryOther: \.injuryOther
        }
    }

    /// Exact sums by county, quarter and outcome of the reports of `agencies` (nil: every
    /// agency), from the rollups; with the number of demo reports among them.
    static func exact(agencies: Set<UUID>?, on db: any Database) async throws -> (sources: [OutcomeSource], demoCalls: Int) {
        guard let sql = db as? any SQLDatabase else { return ([], 0) }
        var select = sql.select().column("county_fips").column("quarter").column("disposition_category").from(EncounterRollup.schema)
        // PostgreSQL sums bigints as numeric; cast back so both databases give integers.
        for column in ["calls", "demo_calls"] + flagColumns.map(\.1) { select = select.column(SQLRaw("CAST(SUM(\(column)) AS BIGINT)"), as: column) }
        if let agencies { select = select.where("agency_id", .in, agencies.isEmpty ? [UUID()] : Array(agencies)) }
        select = select.groupBy("county_fips").groupBy("quarter").groupBy("disposition_category")
        return try await read(select)
    }

    /// The counts the public tables are made of: for each published quarter, its reports
    /// filed by the quarter's last filing day (`OutcomePublication`), and every demo report.
    static func publishable(quarters: [Quarter], timeZone: TimeZone, on db: any Database) async throws -> (sources: [OutcomeSource], demoCalls: Int) {
        guard let sql = db as? any SQLDatabase, !quarters.isEmpty else { return ([], 0) }
        var sources: [OutcomeSource] = []
        var demo = 0
        for quarter in quarters {
            var select = sql.select().column("county_fips").column("quarter").column("disposition_category")
                .column(SQLRaw("COUNT(*)"), as: "calls")
                .column(SQLRaw("SUM(CASE WHEN source = 'demo' THEN 1 ELSE 0 END)"), as: "demo_calls")
                .from(EncounterReport.schema)
            for (_, column) in flagColumns {
                // Reports keep the force level; the rollups count "force used" (any level but none).
                let condition = column == "force_used" ? "force_level <> '\(ForceLevel.none.rawValue)'" : column
                select = select.column(SQLRaw("SUM(CASE WHEN \(condition) THEN 1 ELSE 0 END)"), as: column)
            }
            let cutoff = endOfDay(OutcomePublication.standard.lastFilingDay(of: quarter), timeZone)
            select = select.where("quarter", .equal, quarter.key)
                .where { $0.where("source", .equal, "demo").orWhere("created_at", .lessThanOrEqual, cutoff) }
                .groupBy("county_fips").groupBy("quarter").groupBy("disposition_category")
            let (part, partDemo) = try await read(select)
            sources += part
            demo += partDemo
        }
        return (sources, demo)
    }

    private static func read(_ select: SQLSelectBuilder) async throws -> (sources: [OutcomeSource], demoCalls: Int) {
        var sources: [OutcomeSource] = []
        var demo = 0
        for row in try await select.all() {
            guard let quarter = Quarter(key: try row.decode(column: "quarter", as: String.self)) else { continue }
            func value(_ column: String) throws -> Int { try row.decode(column: column, as: Int?.self) ?? 0 }
            var counts = OutcomeCounts()
            counts.calls = try value("calls")
            for (flag, column) in flagColumns { counts[keyPath: writable(flag)] = try value(column) }
            let category = DispositionCategory(rawValue: try row.decode(column: "disposition_category", as: String.self)) ?? .other
            counts.byCategory[category] = counts.calls
            demo += try value("demo_calls")
            guard counts.calls > 0 else { continue }
            sources.append(OutcomeSource(county: try row.decode(column: "county_fips", as: String.self), quarter: quarter, category: category, counts: counts))
        }
        return (sources, demo)
    }

    /// The last instant of `day` in `timeZone`.
    static func endOfDay(_ day: String, _ timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let start = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
              let next = calendar.date(byAdding: .day, value: 1, to: start) else { return Date.distantPast }
        return next.addingTimeInterval(-0.001)
    }

    /// The first quarter any report is for.
    static func earliestQuarter(on db: any Database) async throws -> Quarter? {
        guard let sql = db as? any SQLDatabase else { return nil }
        let row = try await sql.select().column(SQLRaw("MIN(quarter)"), as: "first").from(EncounterRollup.schema).first()
        return try row?.decode(column: "first", as: String?.self).flatMap(Quarter.init(key:))
    }

    /// The published tables as of today.
    static func published(_ req: Request) async throws -> (tables: PublishedOutcomes, demoCalls: Int) {
        let settings = req.application.settings
        let quarters = OutcomePublication.standard.publishedQuarters(from: try await earliestQuarter(on: req.db), today: EncounterService.today(settings))
        let zone = TimeZone(identifier: settings.timeZone) ?? TimeZone(identifier: "America/Chicago")!
        let (sources, demo) = try await publishable(quarters: quarters, timeZone: zone, on: req.db)
        let counties = try await EncounterService.counties(on: req.db, stateCode: settings.stateCode).compactMap(\.id)
        // Suppression can take seconds on years of data: off the event loop.
        let cache = req.application.publishedOutcomes
        let tables = try await req.application.threadPool.runIfActive { cache.tables(sources: sources, counties: counties, quarters: quarters) }
        return (tables, demo)
    }
}

/// The last published tables made, reused while their inputs are unchanged: suppressing
/// the state's tables solves many small linear programmes (seconds for years of data),
/// and the inputs change only when a quarter is published.
final class PublishedOutcomesCache: Sendable {
    private struct Entry { var key: Int; var tables: PublishedOutcomes }
    private let box = NIOLockedValueBox<Entry?>(nil)

    func tables(sources: [OutcomeSource], counties: [String], quarters: [Quarter]) -> PublishedOutcomes {
        var hasher = Hasher()
        hasher.combine(counties)
        hasher.combine(quarters)
        for source in sources.sorted(by: { ($0.county, $0.quarter.key, $0.category.rawValue) < ($1.county, $1.quarter.key, $1.category.rawValue) }) {
            hasher.combine(source.county); hasher.combine(source.quarter); hasher.combine(source.category)
            hasher.combine(source.counts.calls)
            for flag in OutcomeFlag.allCases { hasher.combine(source.counts[keyPath: flag.keyPath]) }
        }
        let key = hasher.finalize()
        if let entry = box.withLockedValue({ $0 }), entry.key == key { return entry.tables }
        let tables = PublishedOutcomes(sources: sources, counties: counties, quarters: quarters)
        box.withLockedValue { $0 = Entry(key: key, tables: tables) }
        return tables
    }
}

extension Application {
    private struct PublishedOutcomesKey: StorageKey { typealias Value = PublishedOutcomesCache }
    var publishedOutcomes: PublishedOutcomesCache {
        if let existing = storage[PublishedOutcomesKey.self] { return existing }
        let new = PublishedOutcomesCache()
        storage[PublishedOutcomesKey.self] = new
        return new
    }
}
