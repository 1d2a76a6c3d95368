import Foundation
import Testing
import Vapor
import Fluent
import SQLKit
@testable import CITHub

/// Migrations are never edited once they ship (README, "Migrations"): installations have
/// them recorded by name, and a backup restores only into the same list.
@Suite("Migrations")
struct MigrationTests {
    /// The names Fluent has recorded in `_fluent_migrations` on every installation, in
    /// order. Until issue 14 they were the migrations' type names; a renamed type keeps
    /// its old name through `var name`. Append a line for a new migration; never change one.
    static let frozenNames = [
        "CITHub.AccountsMigrations.CreateUsers",
        "CITHub.AuditMigrations.CreateAuditEvents",
        "CITHub.MailMigrations.CreateOutbox",
        "CITHub.ReferenceMigrations.CreateReferenceTables",
        "Fluent.SessionRecord.Create",
        "CITHub.IndexMigrations.AddLookupIndexes",
        "CITHub.DirectoryMigrations.CreateDirectory",
        "CITHub.ClassMigrations.CreateClasses",
        "CITHub.TrainingMigrations.CreateTraining",
        "CITHub.OutcomeMigrations.CreateOutcomes",
        "CITHub.APIMigrations.CreateTokens",
        "CITHub.CacheGenerationMigrations.Create",
        "CITHub.TrainingMigrations.AddCertificatePrintLink",
        "CITHub.DirectoryMigrations.AddPartnerApproval",
        "CITHub.RateLimitMigrations.CreateRateLimitCounts",
        "CITHub.SessionMigrations.CreateAccountSessions",
        "CITHub.APIMigrations.AddExpiry",
        "CITHub.ClassMigrations.AddEmailConfirmation",
    ]

    /// Every table the migrations make.
    static let tables: Set<String> = [
        "users", "role_grants", "account_tokens", "sign_in_failures", "audit_events", "outbox_messages",
        "counties", "courses", "curriculum_topics", "_fluent_sessions", "programs", "program_counties",
        "organizations", "program_partners", "zip_counties", "class_sessions", "class_agency_limits",
        "registrations", "class_trainers", "attendance_entries", "scenarios", "evaluations", "certificates",
        "agency_profiles", "encounter_reports", "encounter_rollups", "encounter_imports", "api_tokens",
        "cache_generation", "rate_limit_counts", "account_sessions",
    ]

    /// Columns that later migrations add to earlier tables.
    static let addedColumns = [
        ("certificates", "print_token_hash"), ("certificates", "signer_name"), ("certificates", "signer_title"),
        ("program_partners", "approved_at"), ("program_partners", "approved_by"),
        ("api_tokens", "expires_at"),
        ("registrations", "confirm_token_hash"), ("registrations", "confirm_expires_at"), ("registrations", "hold_until"),
    ]

    static var migrationsFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/CITHub/Migrations")
    }

    @Test("the migrations run in order under the names installations have recorded")
    func frozenNameList() {
        // MUT
        let names = AppMigrations.all.map(\.name)

        // validate
        #expect(names == Self.frozenNames, "a migration's name is what installations recorded as applied: never change one, only append")
    }

    @Test("each numbered file holds the migration at its place in the list")
    func filesMatchList() throws {
        // setup
        let files = try Self.migrationFiles()

        // validate
        #expect(files.count == AppMigrations.all.count, "one file NNN_Name.swift per migration in AppMigrations.all")
        for (index, file) in files.enumerated() {
            let number = String(format: "%03d", index + 1)
            #expect(file.hasPrefix(number + "_"), "the files are numbered 001, 002, … without gaps: \(file)")
            if index < AppMigrations.all.count {
                let type = String(describing: Swift.type(of: AppMigrations.all[index]))
                #expect(type == "M" + file.dropLast(".swift".count), "AppMigrations.all[\(index)] is \(type), not the migration in \(file)")
            }
        }
    }

    @Test("no migration is edited after it ships")
    func shippedMigrationsUnchanged() throws {
        // setup
        let folder = Self.migrationsFolder
        let manifestURL = folder.appendingPathComponent("frozen.txt")
        let manifestText = try String(contentsOf: manifestURL, encoding: .utf8)
        var manifest: [String: String] = [:]
        for line in manifestText.split(separator: "\n") where !line.hasPrefix("#") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            try #require(parts.count == 2, "frozen.txt: a line is `<sha256>  <file>`: \(line)")
            manifest[parts[1]] = parts[0]
        }

        // MUT
        let files = try Self.migrationFiles()

        // validate
        for file in files {
            let hash = try Self.sha256(of: folder.appendingPathComponent(file))
            let number = String(file.prefix(3))
            guard let frozen = manifest[file] else {
                Issue.record(
                    """
                    migration \(number) (\(file)) has no line in Sources/CITHub/Migrations/frozen.txt. When it is \
                    final, add this line to frozen.txt (from then on the file is never edited):
                    \(hash)  \(file)
                    """)
                continue
            }
            if frozen != hash {
                Issue.record(
                    "migration \(number) was edited after it shipped; add a new migration instead (\(file): sha256 \(hash), frozen.txt has \(frozen)). Undo the edit with `git checkout` and put the change in a new numbered file."
                )
            }
        }
        for file in manifest.keys.sorted() where !files.contains(file) {
            Issue.record("migration \(file) is in frozen.txt but its file is gone: a shipped migration is never removed or renamed")
        }
    }

    @Test("every migration goes up, all revert, and all go up again")
    func upDownUp() async throws {
        try await withCITHub { app in
            // setup: withCITHub has run every migration
            let sql = try #require(app.db as? any SQLDatabase)
            try await Self.expectAllTables(sql, app)

            // MUT: down
            try await app.autoRevert()

            // validate
            let left = try await Self.tableNames(sql, app).intersection(Self.tables)
            #expect(left.isEmpty, "tables left after reverting every migration: \(left.sorted())")
            let recorded = try await sql.raw("SELECT name FROM _fluent_migrations").all().map {
                try $0.decode(column: "name", as: String.self)
            }
            #expect(recorded.isEmpty, "migrations still recorded: \(recorded)")

            // MUT: up again
            try await app.autoMigrate()

            // validate
            try await Self.expectAllTables(sql, app)
            let again = try await sql.raw("SELECT name FROM _fluent_migrations").all().map {
                try $0.decode(column: "name", as: String.self)
            }
            #expect(Set(again) == Set(Self.frozenNames))
        }
    }

    // MARK: helpers

    static func migrationFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: migrationsFolder.path)
            .filter { $0.range(of: #"^[0-9]{3}_\w+\.swift$"#, options: .regularExpression) != nil }
            .sorted()
    }

    static func sha256(of url: URL) throws -> String {
        SHA256.hash(data: try Data(contentsOf: url)).map { String(format: "%02x", $0) }.joined()
    }

    static func tableNames(_ sql: any SQLDatabase, _ app: Application) async throws -> Set<String> {
        let rows: [any SQLRow]
        if case .postgres = app.settings.storage {
            rows = try await sql.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()").all()
        } else {
            rows = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all()
        }
        return Set(try rows.map { try $0.decode(column: "name", as: String.self) })
    }

    static func expectAllTables(_ sql: any SQLDatabase, _ app: Application) async throws {
        let missing = Self.tables.subtracting(try await tableNames(sql, app))
        #expect(missing.isEmpty, "tables missing after migrating: \(missing.sorted())")
        for (table, column) in addedColumns {
            // Fails when the column is missing; returns no rows either way.
            try await sql.raw("SELECT \(ident: column) FROM \(ident: table) WHERE 1 = 0").run()
        }
    }
}
