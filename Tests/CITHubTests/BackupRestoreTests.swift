import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import CITHub
import CITDomain

@Suite("Backup and restore round-trip every table")
struct BackupRestoreTests {
    static var onSQLite: Bool { ProcessInfo.processInfo.environment["DATABASE_URL"]?.isEmpty ?? true }

    /// Every table's rows as text (SQLite's quote() of each column, PostgreSQL's row
    /// text), in a stable order. `cache_generation` is left out: it is a counter the page
    /// cache moves by itself (and a restore moves on purpose), not data.
    static func snapshot(_ app: Application) async throws -> [String: [String]] {
        let sql = app.db as! any SQLDatabase
        if !onSQLite {
            let tables = try await sql.raw(
                "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
            ).all()
                .map { try $0.decode(column: "name", as: String.self) }
            var result: [String: [String]] = [:]
            for table in tables {
                result[table] = try await sql.raw("SELECT t::text AS r FROM \(ident: table) t ORDER BY 1").all()
                    .map { try $0.decode(column: "r", as: String.self) }
            }
            return result.filter { $0.key != "cache_generation" }
        }
        let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .all()
            .map { try $0.decode(column: "name", as: String.self) }
        var result: [String: [String]] = [:]
        for table in tables {
            let columns = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all().map {
                try $0.decode(column: "name", as: String.self)
            }
            let expression = columns.map { "quote(\"\($0)\")" }.joined(separator: " || '|' || ")
            result[table] = try await sql.raw(SQLQueryString("SELECT \(expression) AS r FROM \"\(table)\" ORDER BY 1")).all()
                .map { try $0.decode(column: "r", as: String.self) }
        }
        return result.filter { $0.key != "cache_generation" }
    }

    // On SQLite with cithub's own copy; on PostgreSQL (CI's second run) with pg_dump and
    // pg_restore, in the test's own schema.
    @Test("data in every feature's tables survives backup, changes and restore exactly")
    func roundTrip() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cithub-restore-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = dir.appendingPathComponent("cithub.sqlite").path
        let copy = dir.appendingPathComponent("backup.sqlite").path
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try await withCITHub(configure: { if Self.onSQLite { $0.storage = .sqliteFile(path: live) } }) { app in
            _ = try await prepareSQLite(app)
            // A little of everything: directory, accounts, a class with registrations,
            // attendance, certificates, an encounter report with its rollup, an API token.
            try await loadDirectory(app)
            let (session, coordinator, registrations) = try await TrainingFixtures.pastClass(app, trainees: 2)
            let (trainer, _) = try await TrainingFixtures.assignedTrainer(app, session: session, coordinator: coordinator)
            _ = try await TrainingFixtures.sync(trainer, session, TrainingFixtures.presentEverywhere(session, registrations[0]))
            _ = try await coordinator.post(SiteURL.classCertificates(.value(session.id!)).path, [:])
            let (liaison, agency) = try await OutcomeFixtures.liaison(app)
            _ = try await liaison.post("/encounters/new", OutcomeFixtures.report(agency: agency))
            _ = try await APIRouteTests.token(app, for: try #require(try await User.query(on: app.db).first()))
            _ = try await liaison.post(
                "/agencies/\(agency.id!.uuidString.lowercased())", ["sworn_officers": "50", "patrol_officers": "30"])
            _ = try await OutcomeFixtures.upload(
                liaison, "/encounters/import", file: Data(OutcomeFixtures.csv([OutcomeFixtures.report(agency: agency)]).utf8))
            _ = try await coordinator.post(
                SiteURL.scenarios(.value(session.$program.id)).path, ["course": "CIT", "title": "Bridge", "details": "A man on a bridge."])
            let scenario = try #require(try await Scenario.query(on: app.db).first())
            var sheet = ["feedback": "Calm."]
            for criterion in Rubric.deEscalationDefault.criteria { sheet["score-\(criterion.code)"] = "3" }
            _ = try await trainer.post(
                SiteURL.evaluationSheet(.value(session.id!), .value(registrations[0].id!), .value(scenario.id!)).path, sheet)
            _ = try await TestBrowser(app).post(SiteURL.login.path, ["email": "nobody@example.org", "password": "not the password at all"])

            let before = try await Self.snapshot(app)
            let empty = before.filter { $0.value.isEmpty }.keys.sorted()
            #expect(before.count >= 28)
            #expect(empty.count <= 3, "empty tables: \(empty)")
            #expect(before["certificates"]?.count == 1)
            #expect(before["encounter_reports"]?.count == 2)
            let written = try await BackupCommand.backup(app, to: copy)
            #expect(written.hasPrefix("Backup written"))
            // A backup never overwrites a file.
            await #expect(throws: (any Error).self) { _ = try await BackupCommand.backup(app, to: copy) }

            // MUT: the live database changes after the backup
            let sql = app.db as! any SQLDatabase
            try await sql.raw("DELETE FROM audit_events").run()
            try await sql.raw("UPDATE programs SET name = 'Changed after the backup'").run()
            try await Fixtures.user(app, email: "after-backup@example.org", role: .trainee)
            try await sql.raw("DELETE FROM encounter_rollups").run()
            #expect(try await Self.snapshot(app) != before)

            let report = try await RestoreCommand.restore(app, from: copy)
            #expect(report.hasPrefix("Restored"))
            let after = try await Self.snapshot(app)
            for table in before.keys.sorted() {
                #expect(after[table] == before[table], "table \(table) differs after restore")
            }
            #expect(Set(after.keys) == Set(before.keys))
            // Tables that were empty in this run are listed so a reader sees what was covered.
            print("restore round-trip: \(before.count) tables, empty in this run: \(empty.joined(separator: ", "))")
            if Self.onSQLite {
                let integrity = try await sql.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self)
                #expect(integrity == "ok")
            }
            // The restored data is usable: the server's own queries and writes work on it.
            try await Fixtures.user(app, email: "after-restore@example.org", role: .trainee)
            let restoredAfterWrite = try await Self.snapshot(app)

            // A file that is not a backup changes nothing.
            let junk = dir.appendingPathComponent("junk.sqlite").path
            try Data("not a database".utf8).write(to: URL(fileURLWithPath: junk))
            await #expect(throws: (any Error).self) { _ = try await RestoreCommand.restore(app, from: junk) }
            #expect(try await Self.snapshot(app) == restoredAfterWrite)
        }
    }
}
