import Fluent
import Vapor
import SQLKit
import CITDomain

/// Which reports a dashboard counts.
struct OutcomeFilter: Sendable, Equatable {
    var county: String?
    var agency: UUID?
    var program: UUID?
    var from: Quarter?
    var to: Quarter?

    init(county: String? = nil, agency: UUID? = nil, program: UUID? = nil, from: Quarter? = nil, to: Quarter? = nil) {
        self.county = county; self.agency = agency; self.program = program; self.from = from; self.to = to
    }

    init(query: URLQueryContainer) {
        let county = query[String.self, at: "county"].flatMap { $0.count == 5 && $0.allSatisfy(\.isNumber) ? $0 : nil }
        self.init(county: county,
                  agency: query[String.self, at: "agency"].flatMap(UUID.init(uuidString:)),
                  program: query[String.self, at: "program"].flatMap(UUID.init(uuidString:)),
                  from: query[String.self, at: "from"].flatMap(Quarter.init(key:)),
                  to: query[String.self, at: "to"].flatMap(Quarter.init(key:)))
    }

    /// The filter as query parameters (for links to CSV and between views).
    var queryString: String {
        var parts: [String] = []
        if let county { parts.append("county=\(county)") }
        if let agency { parts.append("agency=\(agency.uuidString.lowercased())") }
        if let program { parts.append("program=\(program.uuidString.lowercased())") }
        if let from { parts.append("from=\(from.key)") }
        if let to { parts.append("to=\(to.key)") }
        return parts.joined(separator: "&")
    }
}

/// Dashboard numbers, read from the rollups in two grouped queries.
struct OutcomeData {
    /// Quarter key → category → counts.
    var byQuarterCategory: [String: [String: OutcomeCounts]] = [:]
    /// County FIPS → quarter key → calls.
    var callsByCountyQuarter: [String: [String: Int]] = [:]
    var demoCalls = 0

    var quarters: [Quarter] { byQuarterCategory.keys.compactMap(Quarter.init(key:)).sorted() }

    var total: OutcomeCounts {
        byQuarterCategory.values.flatMap(\.values).reduce(OutcomeCounts(), +)
    }

    func quarterTotal(_ key: String) -> OutcomeCounts {
        (byQuarterCategory[key] ?? [:]).values.reduce(OutcomeCounts(), +)
    }
}

enum OutcomeQueries {
    static let sums = ["calls", "cit_requested", "cit_dispatched", "cit_arrived", "cit_on_scene", "force_used", "injury_person", "injury_officer", "injury_other", "demo_calls"]

    static func filtered(_ select: SQLSelectBuilder, _ filter: OutcomeFilter, programCounties: [String]?) -> SQLSelectBuilder {
        var select = select
        if let county = filter.county { select = select.where("county_fips", .equal, county) }
        if let agency = filter.agency { select = select.where("agency_id", .equal, agency) }
        if let counties = programCounties { select = select.where("county_fips", .in, counties.isEmpty ? ["none"] : counties) }
        if let from = filter.from { select = select.where("quarter", .greaterThanOrEqual, from.key) }
        if let to = filter.to { select = select.where("quarter", .lessThanOrEqual, to.key) }
        return select
    }

    static func programCounties(_ filter: OutcomeFilter, on db: any Database) async throws -> [String]? {
        guard let program = filter.program else { return nil }
        return try await ProgramCounty.query(on: db).filter(\.$program.$id == program).all().map(\.countyFIPS)
    }

    static func load(_ filter: OutcomeFilter, on db: any Database) async throws -> OutcomeData {
        guard let sql = db as? any SQLDatabase else { return OutcomeData() }
        let counties = try await programCounties(filter, on: db)
        var data = OutcomeData()

        var byCategory = sql.select().column("quarter").column("disposition_category").from(EncounterRollup.schema)
        // PostgreSQL sums bigints as numeric; cast back so both databases give integers.
        for column in sums { byCategory = byCategory.column(SQLRaw("CAST(SUM(\(column)) AS BIGINT)"), as: column) }
        byCategory = filtered(byCategory, filter, programCounties: counties).groupBy("quarter").groupBy("disposition_category")
        for row in try await byCategory.all() {
            let quarter = try row.decode(column: "quarter", as: String.self)
            let category = try row.decode(column: "disposition_category", as: String.self)
            func value(_ column: String) throws -> Int { try row.decode(column: column, as: Int?.self) ?? 0 }
            var counts = OutcomeCounts()
            counts.calls = try value("calls")
            counts.citRequested = try value("cit_requested")
            counts.citDispatched = try value("cit_dispatched")
            counts.citArrived = try value("cit_arrived")
            counts.citTrainedOnScene = try value("cit_on_scene")
            counts.forceUsed = try value("force_used")
            counts.injuryPerson = try value("injury_person")
            counts.injuryOfficer = try value("injury_officer")
            counts.injuryOther = try value("injury_other")
            counts.byCategory[DispositionCategory(rawValue: category) ?? .other] = counts.calls
            data.demoCalls += try value("demo_calls")
            data.byQuarterCategory[quarter, default: [:]][category] = counts
        }

        var byCounty = sql.select().column("county_fips").column("quarter")
            .column(SQLRaw("CAST(SUM(calls) AS BIGINT)"), as: "calls").from(EncounterRollup.schema)
        byCounty = filtered(byCounty, filter, programCounties: counties).groupBy("county_fips").groupBy("quarter")
        for row in try await byCounty.all() {
            let county = try row.decode(column: "county_fips", as: String.self)
            let quarter = try row.decode(column: "quarter", as: String.self)
            data.callsByCountyQuarter[county, default: [:]][quarter] = try row.decode(column: "calls", as: Int?.self) ?? 0
        }
        return data
    }
}
