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
        for column in ["calls", "demo_calls"] + flagColumns.map(\.1) {
            select = select.column(SQLRaw("CAST(SUM(\(column)) AS BIGINT)"), as: column)
        }
        if let agencies { select = select.where("agency_id", .in, agencies.isEmpty ? [UUID()] : Array(agencies)) }
        select = select.groupBy("county_fips").groupBy("quarter").groupBy("disposition_category")
        return try await read(select)
    }

    /// The counts the public tables are made of: for each published quarter, its reports
    /// filed by the quarter's last filing day (`OutcomePublication`), and every demo report.
    static func publishable(quarters: [Quarter], timeZone: TimeZone, on db: any Database) async throws -> (
        sources: [OutcomeSource], demoCalls: Int
    ) {
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
            sources.append(
                OutcomeSource(
                    county: try row.decode(column: "county_fips", as: String.self), quarter: quarter, category: category, counts: counts))
        }
        return (sources, demo)
    }

    /// The last instant of `day` in `timeZone`.
    static func endOfDay(_ day: String, _ timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let start = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
            let next = calendar.date(byAdding: .day, value: 1, to: start)
        else { return Date.distantPast }
        return next.addingTimeInterval(-0.001)
    }

    /// The first quarter any report is for.
    static func earliestQuarter(on db: any Database) async throws -> Quarter? {
        guard let sql = db as? any SQLDatabase else { return nil }
        let row = try await sql.select().column(SQLRaw("MIN(quarter)"), as: "first").from(EncounterRollup.schema).first()
        return try row?.decode(column: "first", as: String?.self).flatMap(Quarter.init(key:))
    }

    /// The published tables as of today, from the database; `previous` (the last ones
    /// made) lends its pattern to every quarter and year whose counts did not change.
    static func makePublished(_ app: Application, previous: PublishedOutcomesStore.Published?) async throws
        -> PublishedOutcomesStore.Published
    {
        let settings = app.settings
        let db = app.db
        let quarters = OutcomePublication.standard.publishedQuarters(
            from: try await earliestQuarter(on: db), today: EncounterService.today(settings))
        let zone = TimeZone(identifier: settings.timeZone) ?? TimeZone(identifier: "America/Chicago")!
        let (sources, demo) = try await publishable(quarters: quarters, timeZone: zone, on: db)
        let counties = try await EncounterService.counties(on: db, stateCode: settings.stateCode).compactMap(\.id)
        let key = PublishedOutcomesStore.key(sources: sources, counties: counties, quarters: quarters)
        if let previous, previous.key == key { return previous }
        // Suppression can take seconds on years of data: on a thread of its own, not the
        // event loop, the tasks' threads or the blocking pool every database call needs.
        let started = Date()
        let tables = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    returning: PublishedOutcomes(sources: sources, counties: counties, quarters: quarters, reusing: previous?.tables))
            }
        }
        app.logger.info(
            "public outcome tables made",
            metadata: [
                "quarters": .stringConvertible(quarters.count), "years": .stringConvertible(tables.years.count),
                "seconds": .string(String(format: "%.2f", Date().timeIntervalSince(started))),
            ])
        return .init(tables: tables, demoCalls: demo, key: key)
    }
}

/// The public outcome tables, made off the request path and kept: a request reads the
/// last tables made, and only asks for new ones when reports changed in this process
/// (`invalidate`) or `refreshInterval` has passed (another process, such as the demo
/// command, may have written). A request waits for new tables at most `patience`; while
/// the first tables of a big state are still being solved it gets none (the page says
/// so), and later it gets the previous tables, which are a whole, consistent publication.
final class PublishedOutcomesStore: Sendable {
    struct Published: Sendable {
        var tables: PublishedOutcomes
        var demoCalls: Int
        var key: Int
    }

    private struct State {
        var ready: Published?
        var checkedAt = Date.distantPast
        var changed = true
        var making: Task<Published, any Error>?
    }

    typealias Maker = @Sendable (Application, Published?) async throws -> Published

    private let state = NIOLockedValueBox(State())
    let refreshInterval: TimeInterval
    let patience: Duration
    private let make: Maker

    init(
        refreshInterval: TimeInterval, patience: Duration = .seconds(5),
        make: @escaping Maker = { try await OutcomeSources.makePublished($0, previous: $1) }
    ) {
        self.refreshInterval = refreshInterval
        self.patience = patience
        self.make = make
    }

    /// Encounter reports were written here: the next request checks the tables.
    func invalidate() { state.withLockedValue { $0.changed = true } }

    /// The tables to answer with (nil while the first ones are being made), and whether
    /// newer ones are still being made.
    func current(_ app: Application) async throws -> (published: Published?, updating: Bool) {
        let now = Date()
        let (ready, making) = state.withLockedValue { state -> (Published?, Task<Published, any Error>?) in
            if state.changed || now.timeIntervalSince(state.checkedAt) >= refreshInterval || state.ready == nil {
                begin(&state, app, now: now)
            }
            return (state.ready, state.making)
        }
        guard let making else { return (ready, false) }
        if let made = try await Self.value(of: making, within: patience) { return (made, false) }
        return (ready, true)
    }

    /// Makes the first tables when the server starts, so the first visitor need not wait.
    func warm(_ app: Application) {
        state.withLockedValue { begin(&$0, app, now: Date()) }
    }

    /// Starts making tables unless some are being made already.
    private func begin(_ state: inout State, _ app: Application, now: Date) {
        guard state.making == nil else { return }
        state.changed = false
        state.checkedAt = now
        state.making = start(app, previous: state.ready)
    }

    private func start(_ app: Application, previous: Published?) -> Task<Published, any Error> {
        Task {
            do {
                let made = try await make(app, previous)
                state.withLockedValue {
                    $0.ready = made; $0.making = nil
                }
                return made
            } catch {
                state.withLockedValue {
                    $0.making = nil; $0.changed = true
                }
                throw error
            }
        }
    }

    /// The task's value if it comes within `limit`, else nil. (A task group would not do:
    /// it waits for all its children, and awaiting a task's value cannot be cancelled.)
    private static func value(of task: Task<Published, any Error>, within limit: Duration) async throws -> Published? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Published?, any Error>) in
            let answered = NIOLockedValueBox(false)
            @Sendable func answer(_ result: Result<Published?, any Error>) {
                let first = answered.withLockedValue { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(with: result) }
            }
            Task { answer(await task.result.map { Optional($0) }) }
            Task {
                try? await Task.sleep(for: limit)
                answer(.success(nil))
            }
        }
    }

    /// What the tables are made from, as one number: equal inputs give equal tables.
    static func key(sources: [OutcomeSource], counties: [String], quarters: [Quarter]) -> Int {
        var hasher = Hasher()
        hasher.combine(counties)
        hasher.combine(quarters)
        for source in sources.sorted(by: {
            ($0.county, $0.quarter.key, $0.category.rawValue) < ($1.county, $1.quarter.key, $1.category.rawValue)
        }) {
            hasher.combine(source.county); hasher.combine(source.quarter); hasher.combine(source.category)
            hasher.combine(source.counts.calls)
            for flag in OutcomeFlag.allCases { hasher.combine(source.counts[keyPath: flag.keyPath]) }
        }
        return hasher.finalize()
    }
}

/// Starts making the public outcome tables when the server boots (not in tests, whose
/// databases are migrated after boot).
struct PublishedOutcomesWarmer: LifecycleHandler {
    func didBoot(_ application: Application) throws {
        guard application.environment != .testing else { return }
        application.publishedOutcomes.warm(application)
    }
}

extension Application {
    private struct PublishedOutcomesKey: StorageKey { typealias Value = PublishedOutcomesStore }
    var publishedOutcomes: PublishedOutcomesStore {
        get {
            if let existing = storage[PublishedOutcomesKey.self] { return existing }
            let new = PublishedOutcomesStore(refreshInterval: TimeInterval(settings.outcomesRefreshSeconds))
            storage[PublishedOutcomesKey.self] = new
            return new
        }
        set { storage[PublishedOutcomesKey.self] = newValue }
    }
}
