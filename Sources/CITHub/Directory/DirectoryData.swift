import Fluent
import Vapor
import NIOConcurrencyHelpers
import CITDomain

/// Starter data for the directory: ZIP codes and the programs public sources reported.
/// Idempotent, like the rest of the reference data.
enum DirectoryStarterData {
    struct Summary: Equatable { var zips = 0; var programs = 0 }

    static func load(on database: any Database, stateCode: String, logger: Logger) async throws -> Summary {
        var summary = Summary()
        let prefix = stateCode.lowercased()
        if try await ZipCounty.query(on: database).count() == 0,
            let url = Bundle.module.url(forResource: "\(prefix)-zip-county", withExtension: "csv", subdirectory: "reference")
        {
            let records = try ZipCountyFile.parse(csv: String(contentsOf: url, encoding: .utf8))
            // Several hundred rows to a statement: one INSERT per row made the first start
            // of a new installation take most of a second here.
            try await database.transaction { tx in
                for start in stride(from: 0, to: records.count, by: 500) {
                    try await records[start..<min(start + 500, records.count)].map(ZipCounty.init(record:)).create(on: tx)
                }
            }
            summary.zips = records.count
        }
        if let url = Bundle.module.url(forResource: "\(prefix)-cit-programs-sourced", withExtension: "csv", subdirectory: "reference") {
            let table = try CSVTable(parsing: String(contentsOf: url, encoding: .utf8))
            try table.requireColumns([
                "program", "county_fips", "kinds", "partners", "year_started", "accreditation", "facts", "source_url", "source_date",
            ])
            let existing = Set(try await Program.query(on: database).all().map(\.name))
            let rows = table.rows.filter { !existing.contains($0.values["program"] ?? "") }
            try await database.transaction { tx in
                for row in rows {
                    let program = Program()
                    program.name = try row.value("program")
                    program.kinds = try row.value("kinds").split(separator: ";").compactMap { ProgramKind(label: String($0)) }
                    program.status = .active
                    program.yearStarted = Int(try row.value("year_started"))
                    let accreditation = try row.value("accreditation")
                    program.accreditationNote = accreditation.isEmpty ? nil : accreditation
                    program.description = try row.value("facts")
                    program.sourceURL = try row.value("source_url")
                    let date = try row.value("source_date")
                    program.sourceDate = date.isEmpty ? nil : date
                    try await program.create(on: tx)
                    let fipsList = try row.value("county_fips").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                    for fips in fipsList { try await ProgramCounty(programID: program.id!, countyFIPS: fips).create(on: tx) }
                    for partner in ReportedPartner.parseList(try row.value("partners")) {
                        let organization = Organization(name: partner.name, kind: partner.kind, countyFIPS: fipsList.first)
                        try await organization.create(on: tx)
                        try await ProgramPartner(programID: program.id!, organizationID: organization.id!, role: partner.role).create(
                            on: tx)
                    }
                    try await AuditEvent(
                        actorID: nil, actor: "system", action: "program.imported", entityType: "program", entityID: program.id?.uuidString,
                        details: "starter data from \(program.sourceURL ?? "")", ip: nil
                    ).create(on: tx)
                }
            }
            summary.programs = rows.count
        }
        return summary
    }
}

/// Reads the directory for pages and exports.
enum DirectoryQueries {
    /// Every live (not merged) program as plain values, with counties and partners.
    static func programs(on db: any Database, ids: [UUID]? = nil) async throws -> [DirectoryProgram] {
        var query = Program.query(on: db).filter(\.$mergedInto == nil).sort(\.$name)
        if let ids { query = query.filter(\.$id ~~ ids) }
        let programs = try await query.all()
        let programIDs = programs.compactMap(\.id)
        guard !programIDs.isEmpty else { return [] }
        let countyLinks = try await ProgramCounty.query(on: db).filter(\.$program.$id ~~ programIDs).all()
        let names = try await countyNames(on: db)
        let partnerLinks = try await ProgramPartner.query(on: db).filter(\.$program.$id ~~ programIDs).with(\.$organization).all()
        return programs.map { p in
            DirectoryProgram(
                id: p.id!, name: p.name, kinds: p.kinds, status: p.status,
                counties: countyLinks.filter { $0.$program.id == p.id }.map {
                    .init(fips: $0.countyFIPS, name: names[$0.countyFIPS] ?? $0.countyFIPS)
                }.sorted { $0.name < $1.name },
                partners: partnerLinks.filter { $0.$program.id == p.id }.map {
                    .init(organizationID: $0.organization.id!, name: $0.organization.name, kind: $0.organization.kind, role: $0.role)
                },
                yearStarted: p.yearStarted, citAccreditedOn: p.citAccreditedOn, cipAccreditedOn: p.cipAccreditedOn,
                accreditationNote: p.accreditationNote,
                website: p.website, email: p.publicEmail, phone: p.publicPhone, description: p.description,
                lastVerifiedAt: p.lastVerifiedAt, sourceURL: p.sourceURL, sourceDate: p.sourceDate)
        }
    }

    struct CountyCoverage {
        var county: County
        var programs: [DirectoryProgram]
        var coverage: Coverage
    }

    static func coverage(on db: any Database, stateCode: String) async throws -> [CountyCoverage] {
        let counties = try await withoutBoundaries(County.query(on: db)).filter(\.$stateCode == stateCode).sort(\.$name).all()
        var byCounty: [String: [DirectoryProgram]] = [:]
        for program in try await self.programs(on: db) {
            for county in program.counties { byCounty[county.fips, default: []].append(program) }
        }
        return counties.map { county in
            let serving = byCounty[county.id!] ?? []
            return CountyCoverage(
                county: county, programs: serving, coverage: Coverage.classify(serving.map { (Set($0.kinds), $0.status) }))
        }
    }

    /// The programs serving one county.
    static func programs(on db: any Database, countyFIPS: String) async throws -> [DirectoryProgram] {
        let ids = try await ProgramCounty.query(on: db).filter(\.$countyFIPS == countyFIPS).all().map(\.$program.id)
        return ids.isEmpty ? [] : try await programs(on: db, ids: ids)
    }

    /// County rows without their boundary text, which is large (a national database holds
    /// 3,000 of them) and needed only by the map.
    static func withoutBoundaries(_ query: QueryBuilder<County>) -> QueryBuilder<County> {
        query.field(\.$id).field(\.$stateCode).field(\.$name).field(\.$fullName).field(\.$population2020).field(\.$landAreaM2).field(
            \.$source)
    }

    static func countyNames(on db: any Database) async throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try await County.query(on: db).field(\.$id).field(\.$name).all().map { ($0.id!, $0.name) })
    }
}

/// The state's county shapes, projected and simplified once per process (they change
/// only with the reference data).
final class StateMapCache: Sendable {
    private let box = NIOLockedValueBox<(shapes: [CountyShape], viewBox: String)?>(nil)

    func shapes(on db: any Database, stateCode: String) async throws -> (shapes: [CountyShape], viewBox: String) {
        if let cached = box.withLockedValue({ $0 }) { return cached }
        let counties = try await County.query(on: db).filter(\.$stateCode == stateCode).all()
        let input = counties.compactMap { c in c.boundaryGeoJSON.map { (fips: c.id!, name: c.name, geometryJSON: $0) } }
        guard let (shapes, projection) = try StateMap.shapes(counties: input) else { return ([], "0 0 1000 1000") }
        let result = (shapes, projection.viewBox)
        box.withLockedValue { $0 = result }
        return result
    }
}

extension Application {
    private struct StateMapCacheKey: StorageKey { typealias Value = StateMapCache }
    var stateMapCache: StateMapCache {
        if let existing = storage[StateMapCacheKey.self] { return existing }
        let new = StateMapCache()
        storage[StateMapCacheKey.self] = new
        return new
    }
}

/// Which of the state's counties border which (`CountyNeighbours`), worked out once per
/// process from the boundaries: they change only with the reference data.
final class CountyNeighboursCache: Sendable {
    private let box = NIOLockedValueBox<CountyNeighbours?>(nil)

    func neighbours(on db: any Database, stateCode: String) async throws -> CountyNeighbours {
        if let cached = box.withLockedValue({ $0 }) { return cached }
        let counties = try await County.query(on: db).filter(\.$stateCode == stateCode).all()
        let result = try CountyNeighbours(
            boundaries: Dictionary(uniqueKeysWithValues: counties.compactMap { c in c.boundaryGeoJSON.map { (c.id!, $0) } }))
        box.withLockedValue { $0 = result }
        return result
    }
}

extension Application {
    private struct CountyNeighboursCacheKey: StorageKey { typealias Value = CountyNeighboursCache }
    var countyNeighbours: CountyNeighboursCache {
        if let existing = storage[CountyNeighboursCacheKey.self] { return existing }
        let new = CountyNeighboursCache()
        storage[CountyNeighboursCacheKey.self] = new
        return new
    }
}

/// Upcoming public classes as the directory shows them: in or near a county (county
/// pages, search answers) or run by a program (program pages).
enum DirectoryClasses {
    struct Item {
        var id: UUID
        var title: String
        var when: String
        var startsAt: Date
        var timeZone: TimeZone
        /// The venue's city (from its ZIP code), or the venue's name when the ZIP is unknown.
        var place: String
        var countyFIPS: String
        var countyName: String
        var programID: UUID
        var programName: String
        var nearness: ClassNearness
    }

    /// Every scheduled class still to start, with where it is and who runs it. One query
    /// for the classes and one for the counties their programs serve.
    static func upcoming(on req: Request) async throws -> [(session: ClassSession, programCounties: Set<String>, place: String)] {
        let sessions = try await ClassesPublicController.upcoming(on: req.db)
        guard !sessions.isEmpty else { return [] }
        let links = try await ProgramCounty.query(on: req.db).filter(\.$program.$id ~~ Set(sessions.map(\.$program.id))).all()
        let servedBy = Dictionary(grouping: links, by: { $0.$program.id }).mapValues { Set($0.map(\.countyFIPS)) }
        let index = try await req.application.searchIndex.snapshot(on: req.db)
        return sessions.map { session in
            let city = index.zips[session.venueZIP]?.first?.city
            return (session, servedBy[session.$program.id] ?? [], city ?? session.venueName)
        }
    }

    /// The classes in or near the county, soonest first.
    static func near(
        _ fips: String, upcoming: [(session: ClassSession, programCounties: Set<String>, place: String)],
        neighbours: CountyNeighbours, countyNames: [String: String]
    ) -> [Item] {
        upcoming.compactMap { entry in
            let nearness = ClassNearness(
                county: fips, venueCounty: entry.session.countyFIPS, programCounties: entry.programCounties, neighbours: neighbours)
            guard nearness != .elsewhere else { return nil }
            return item(entry, nearness: nearness, countyNames: countyNames)
        }
    }

    static func item(
        _ entry: (session: ClassSession, programCounties: Set<String>, place: String), nearness: ClassNearness,
        countyNames: [String: String]
    ) -> Item {
        let s = entry.session
        return Item(
            id: s.id!, title: s.title, when: ClassFormat.dates(s), startsAt: s.startsAt, timeZone: s.zone, place: entry.place,
            countyFIPS: s.countyFIPS, countyName: (countyNames[s.countyFIPS] ?? s.countyFIPS) + " County",
            programID: s.$program.id, programName: s.$program.value?.name ?? "", nearness: nearness)
    }
}

/// County and program pages list upcoming classes and are cached, so any change to a class
/// (created, edited, cancelled, deleted, by any controller) drops them. A Fluent model
/// middleware rather than a call in each class handler: a handler added later cannot
/// forget it. Registrations bump a counter with SQL, not through the model, so they do not
/// churn these pages (the pages show no seat counts).
struct ClassListingsInvalidation: AsyncModelMiddleware {
    typealias Model = ClassSession
    let cache: PageCache

    func create(model: ClassSession, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.create(model, on: db); drop()
    }
    func update(model: ClassSession, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.update(model, on: db); drop()
    }
    func delete(model: ClassSession, force: Bool, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.delete(model, force: force, on: db); drop()
    }

    private func drop() {
        cache.invalidate(prefix: SiteURL.county(.key).parentPath + "/")
        cache.invalidate(prefix: SiteURL.program(.key).parentPath + "/")
    }
}
