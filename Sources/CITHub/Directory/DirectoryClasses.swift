import Fluent
import Vapor
import NIOConcurrencyHelpers
import CITDomain

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
        let sessions = try await ClassQueries.upcoming(on: req.db)
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
