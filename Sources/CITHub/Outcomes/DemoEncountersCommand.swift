import Vapor
import Fluent
import SQLKit
import CITDomain

/// `cithub demo-encounters N [--seed S] [--agencies A]`: fictional encounter reports for
/// load tests, filed by fictional agencies named "Demo police department N (fictional)".
/// Every report is marked `source = demo`, and dashboards say how many demo reports
/// they count, so no number made here can pass for a real one.
struct DemoEncountersCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "count") var count: Int
        @Option(name: "seed") var seed: Int?
        @Option(name: "agencies") var agencies: Int?
    }
    var help: String { "Adds fictional, clearly labelled encounter reports (for load tests only)." }

    /// SplitMix64: small, fast and repeatable for a given seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        guard signature.count > 0, signature.count <= 5_000_000, let sql = app.db as? any SQLDatabase else {
            context.console.error("demo-encounters: a count from 1 to 5000000")
            throw Abort(.badRequest)
        }
        var random = Generator(state: UInt64(signature.seed ?? 42))
        let counties = try await County.query(on: app.db).filter(\.$stateCode == app.settings.stateCode).all().compactMap(\.id)
        guard !counties.isEmpty else { context.console.error("demo-encounters: load the counties first"); throw Abort(.badRequest) }
        let catalog = DispositionCatalog.forState(app.settings.stateCode)

        // Fictional agencies, one or more per county.
        var agencies = try await Organization.query(on: app.db).filter(\.$name =~ "Demo police department").all()
        let wanted = signature.agencies ?? 100
        if agencies.count < wanted {
            for n in (agencies.count + 1)...wanted {
                let agency = Organization()
                agency.name = "Demo police department \(n) (fictional)"
                agency.kind = .lawEnforcement
                agency.countyFIPS = counties[(n - 1) % counties.count]
                try await agency.create(on: app.db)
                agencies.append(agency)
            }
        }
        let agencyList = agencies.map { (id: $0.id!, county: $0.countyFIPS ?? counties[0]) }
        let today = Date()
        let columns = [
            "id", "agency_id", "county_fips", "occurred_on", "quarter", "time_block", "call_source", "cit_requested", "cit_dispatched",
            "cit_arrived", "cit_on_scene", "disposition", "disposition_category", "force_level", "injury_person", "injury_officer",
            "injury_other", "weapon", "veteran", "substance_use", "repeat_contact", "source", "created_at",
        ]
        var deltas: [EncounterService.RollupKey: [Int]] = [:]
        let started = Date()
        var written = 0
        let batch = 400
        while written < signature.count {
            let size = min(batch * 25, signature.count - written)
            // Rows are made first (the generator and the rollup sums are this loop's own
            // state), then written in one transaction.
            var chunk: [[SQLBind]] = []
            chunk.reserveCapacity(size)
            for _ in 0..<size {
                let agency = agencyList[Int.random(in: 0..<agencyList.count, using: &random)]
                let day = today.addingTimeInterval(-Double(Int.random(in: 1...(5 * 365), using: &random)) * 86_400)
                let occurredOn = ClassTimes.dayAndTime(day, timeZone: .gmt).day
                let requested = Int.random(in: 0..<100, using: &random) < 45
                let dispatched = requested && Int.random(in: 0..<100, using: &random) < 80
                let arrived = dispatched && Int.random(in: 0..<100, using: &random) < 85
                let disposition = catalog.dispositions[Int.random(in: 0..<catalog.dispositions.count, using: &random)]
                let force: ForceLevel =
                    Int.random(in: 0..<100, using: &random) < 92 ? .none : ForceLevel.allCases.randomElement(using: &random) ?? .none
                let report = EncounterReport()
                report.agencyID = agency.id
                report.countyFIPS = agency.county
                report.quarter = Quarter.of(day: occurredOn)?.key ?? "2026Q1"
                report.dispositionCategory = disposition.category.rawValue
                report.citRequested = requested; report.citDispatched = dispatched; report.citArrived = arrived
                report.citOnScene = arrived || Int.random(in: 0..<100, using: &random) < 20
                report.forceLevel = force.rawValue
                report.injuryPerson = Int.random(in: 0..<100, using: &random) < 4
                report.injuryOfficer = Int.random(in: 0..<100, using: &random) < 2
                report.injuryOther = Int.random(in: 0..<100, using: &random) < 1
                report.source = "demo"
                EncounterService.add(report, to: &deltas)
                chunk.append([
                    SQLBind(UUID()), SQLBind(agency.id), SQLBind(report.countyFIPS), SQLBind(occurredOn), SQLBind(report.quarter),
                    SQLBind(TimeBlock.allCases.randomElement(using: &random)!.rawValue),
                    SQLBind(CallSource.allCases.randomElement(using: &random)!.rawValue),
                    SQLBind(requested), SQLBind(dispatched), SQLBind(arrived), SQLBind(report.citOnScene), SQLBind(disposition.code),
                    SQLBind(report.dispositionCategory), SQLBind(report.forceLevel),
                    SQLBind(report.injuryPerson), SQLBind(report.injuryOfficer), SQLBind(report.injuryOther),
                    SQLBind(YesNoUnknown.allCases.randomElement(using: &random)!.rawValue),
                    SQLBind(YesNoUnknown.allCases.randomElement(using: &random)!.rawValue),
                    SQLBind(YesNoUnknown.allCases.randomElement(using: &random)!.rawValue),
                    SQLBind(YesNoUnknown.allCases.randomElement(using: &random)!.rawValue),
                    SQLBind("demo"), SQLBind(today),
                ])
            }
            let rows = chunk
            try await app.db.transaction { tx in
                guard let sql = tx as? any SQLDatabase else { return }
                for start in stride(from: 0, to: rows.count, by: batch) {
                    var insert = sql.insert(into: EncounterReport.schema).columns(columns)
                    for row in rows[start..<min(start + batch, rows.count)] { insert = insert.values(row) }
                    try await insert.run()
                }
            }
            written += size
        }
        let sums = deltas
        try await app.db.transaction { tx in try await EncounterService.applyRollups(sums, on: tx) }
        _ = sql
        context.console.print(
            "demo-encounters: added=\(written) agencies=\(agencies.count) rollup_rows=\(deltas.count) seconds=\(String(format: "%.1f", Date().timeIntervalSince(started)))"
        )
    }
}
