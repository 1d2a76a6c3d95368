import Vapor
import Fluent
import CITDomain

/// `cithub load-counties FILE.geojson --state XX`: loads the counties of another state
/// (or of the whole country, `--state US`) from a GeoJSON file with `fips` and `name`
/// properties (the US Census Bureau's cartographic boundary file, which
/// `Resources/reference/README.md` names as the source of Wisconsin's, has them for every
/// county). Population is left at 0 when the file has none. Used to try CIT Hub for a second state and for national-scale tests.
struct LoadCountiesCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file") var file: String
        @Option(name: "state", help: "Two-letter code to file the counties under (US for all).") var state: String?
        @Option(name: "state-fips", help: "Only features whose FIPS starts with these two digits.") var stateFIPS: String?
    }
    var help: String { "Loads county boundaries for a state from a GeoJSON file." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let state = (signature.state ?? app.settings.stateCode).uppercased()
        let data = try Data(contentsOf: URL(fileURLWithPath: signature.file))
        let boundaries = try CountyBoundaries.boundaries(geoJSON: data)
            .filter { signature.stateFIPS == nil || $0.fips.hasPrefix(signature.stateFIPS!) }
        let existing = Set(try await County.query(on: app.db).all().compactMap(\.id))
        let new = boundaries.filter { !existing.contains($0.fips) }
        try await app.db.transaction { tx in
            for boundary in new {
                let record = CountyRecord(
                    stateCode: state, fips: boundary.fips, name: boundary.name ?? boundary.fips,
                    fullName: (boundary.name ?? boundary.fips) + " County", population2020: 0, landAreaM2: 0)
                try await County(
                    record: record, boundary: boundary.geometryJSON, source: "loaded from \((signature.file as NSString).lastPathComponent)"
                ).create(on: tx)
            }
        }
        context.console.print("load-counties: added=\(new.count) already_present=\(boundaries.count - new.count) state=\(state)")
    }
}

/// `cithub demo-programs N --state XX`: fictional programs for load tests, each named
/// "Demo program N (fictional)" so that no page can pass them off as real.
struct DemoProgramsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "count") var count: Int
        @Option(name: "state") var state: String?
    }
    var help: String { "Adds fictional, clearly labelled demo programs (for load tests only)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let state = (signature.state ?? app.settings.stateCode).uppercased()
        let counties = try await County.query(on: app.db).filter(\.$stateCode == state).all().compactMap(\.id)
        guard !counties.isEmpty, signature.count > 0, signature.count <= 100_000 else {
            context.console.error("demo-programs: need counties for \(state) and a count from 1 to 100000")
            throw Abort(.badRequest)
        }
        let kinds: [[ProgramKind]] = [[.cit], [.cit, .cip], [.cip], [.cit, .cip, .citDispatch]]
        try await app.db.transaction { tx in
            for n in 1...signature.count {
                let program = Program()
                program.name = "Demo program \(n) (fictional)"
                program.kinds = kinds[n % kinds.count]
                program.status = n % 10 == 0 ? .forming : .active
                program.description = "Fictional program generated for a load test. Not a real program."
                try await program.create(on: tx)
                var served = Set<String>()
                for _ in 0..<Int.random(in: 1...3) { served.insert(counties.randomElement()!) }
                for fips in served { try await ProgramCounty(programID: program.id!, countyFIPS: fips).create(on: tx) }
            }
        }
        context.console.print("demo-programs: added=\(signature.count) state=\(state)")
    }
}
