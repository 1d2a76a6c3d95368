import Fluent
import Vapor
import NIOConcurrencyHelpers
import CITDomain

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
