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
