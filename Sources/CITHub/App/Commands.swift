import Vapor
import Fluent
import SQLKit

/// `cithub migrate`: bring the database schema up to date (the server also does this at
/// start; the command is for deployments that migrate as a separate step).
struct MigrateNowCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Runs the database migrations." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        context.console.print("Migrations are up to date.")
    }
}

/// `cithub backup <file>`: a consistent copy of the database while the server runs.
/// On SQLite, `VACUUM INTO` reads one snapshot of the database (WAL readers are never
/// blocked) and writes a compact new file. On PostgreSQL, pg_dump writes its custom
/// format from one snapshot (`PostgresBackup`).
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "Where to write the copy. Must not exist yet.")
        var file: String
    }
    var help: String { "Writes a consistent copy of the database to a file (SQLite file, or pg_dump's custom format on PostgreSQL)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        context.console.print(try await Self.backup(context.application, to: signature.file))
    }

    /// Backs up whichever database the server uses; returns a report.
    static func backup(_ app: Application, to file: String) async throws -> String {
        switch app.settings.storage {
        case .postgres: try await PostgresBackup.backup(app, to: file)
        case .sqliteMemory: throw Abort(.badRequest, reason: "backup: the database is in memory")
        case .sqliteFile: try await backupSQLite(app, to: file)
        }
    }

    /// Copies the SQLite database to `file` and checks the copy's integrity.
    static func backupSQLite(_ app: Application, to file: String) async throws -> String {
        let target = URL(fileURLWithPath: file).standardizedFileURL.path
        guard !FileManager.default.fileExists(atPath: target) else {
            throw Abort(.conflict, reason: "\(target) exists already; choose a new file name.")
        }
        let sql = app.db as! any SQLDatabase
        try await sql.raw("VACUUM INTO \(bind: target)").run()
        let rows = try await sql.raw("PRAGMA integrity_check").all()
        let check = (try? rows.first?.decode(column: "integrity_check", as: String.self)) ?? "unknown"
        let size = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
        return "Backup written to \(target) (\(size) bytes; integrity: \(check))."
    }
}

/// `cithub restore <file>`: puts a backup made by `cithub backup` back, every table, in
/// one transaction (readers see the old data or the new, never a mix). The backup must
/// come from the same version of CIT Hub (the same migrations); otherwise nothing is
/// changed. On PostgreSQL, pg_restore replaces the tables in one transaction
/// (`PostgresBackup`).
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "A backup written by cithub backup.")
        var file: String
    }
    var help: String { "Replaces every table's rows with those of a backup written by cithub backup." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        if case .sqliteFile = app.settings.storage { try await app.autoMigrate() }
        context.console.print(try await Self.restore(app, from: signature.file))
    }

    /// Restores into whichever database the server uses; returns a report.
    static func restore(_ app: Application, from file: String) async throws -> String {
        switch app.settings.storage {
        case .postgres: try await PostgresBackup.restore(app, from: file)
        case .sqliteMemory: throw Abort(.badRequest, reason: "restore: the database is in memory")
        case .sqliteFile: try await restoreSQLite(app, from: file)
        }
    }

    struct Mismatch: Error, CustomStringConvertible { var description: String }

    /// Copies every table of the backup into the live database, after checking the
    /// backup's integrity and that both have the same migrations. Returns a report.
    static func restoreSQLite(_ app: Application, from file: String) async throws -> String {
        let source = URL(fileURLWithPath: file).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: source) else { throw Abort(.notFound, reason: "\(source) does not exist.") }
        return try await app.db.withConnection { connection in
            let sql = connection as! any SQLDatabase
            try await sql.raw("ATTACH DATABASE \(bind: source) AS backup").run()
            do {
                let check =
                    try await sql.raw("PRAGMA backup.integrity_check").all().first.flatMap {
                        try? $0.decode(column: "integrity_check", as: String.self)
                    } ?? "unknown"
                guard check == "ok" else {
                    throw Mismatch(description: "The backup fails SQLite's integrity check (\(check)); nothing was restored.")
                }
                func names(_ schema: String, _ query: String) async throws -> [String] {
                    try await sql.raw(SQLQueryString(query.replacingOccurrences(of: "SCHEMA", with: schema))).all().map {
                        try $0.decode(column: "name", as: String.self)
                    }
                }
                let liveMigrations = Set(try await names("main", "SELECT name FROM SCHEMA._fluent_migrations"))
                let backupMigrations = Set(try await names("backup", "SELECT name FROM SCHEMA._fluent_migrations"))
                guard liveMigrations == backupMigrations else {
                    throw Mismatch(
                        description:
                            "The backup comes from another version of CIT Hub (its migrations differ: \(backupMigrations.symmetricDifference(liveMigrations).sorted().joined(separator: ", "))); nothing was restored."
                    )
                }
                let tables = try await names(
                    "main", "SELECT name FROM SCHEMA.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
                try await sql.raw("PRAGMA foreign_keys = OFF").run()
                try await sql.raw("BEGIN IMMEDIATE").run()
                var counts: [String] = []
                do {
                    for table in tables {
                        try await sql.raw("DELETE FROM main.\(ident: table)").run()
                        try await sql.raw("INSERT INTO main.\(ident: table) SELECT * FROM backup.\(ident: table)").run()
                        let n =
                            try await sql.raw("SELECT count(*) AS n FROM main.\(ident: table)").first()?.decode(column: "n", as: Int.self)
                            ?? 0
                        counts.append("\(table) \(n)")
                    }
                    try await sql.raw("COMMIT").run()
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
                try await sql.raw("PRAGMA foreign_keys = ON").run()
                try await sql.raw("DETACH DATABASE backup").run()
                return "Restored \(tables.count) tables from \(source): " + counts.joined(separator: ", ") + "."
            } catch {
                try? await sql.raw("DETACH DATABASE backup").run()
                throw error
            }
        }
    }
}

/// `cithub send-mail`: one delivery pass over the outbox, for a deployment that sends
/// mail from a scheduled job instead of the server.
struct SendMailCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Sends the mail waiting in the outbox over SMTP_URL." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let delivery = context.application.mailDelivery else {
            context.console.error("SMTP_URL is not set (or not an smtp:// or smtps:// address); mail stays in the outbox.")
            throw Abort(.badRequest, reason: "no SMTP_URL")
        }
        // As the server's loop does: holds that ran out move the waitlist first, so the
        // mail that causes goes out in this run.
        try await RegistrationHolds.release(on: context.application.db, settings: context.application.settings)
        let result = try await delivery.runOnce()
        context.console.print("send-mail: sent=\(result.sent) retry_later=\(result.retried) failed=\(result.failed)")
    }
}

/// `cithub send-reminders`: one reminders pass (classes a few days away, refreshers
/// coming due), for a deployment that turns the server's reminder job off
/// (CITHUB_REMINDER_INTERVAL_SECONDS=0) and runs this from a timer. The reminders are
/// queued in the outbox; `cithub send-mail` or the server's mail loop sends them.
struct SendRemindersCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Queues the reminder mail that is due (classes and refreshers) in the outbox." }

    func run(using context: CommandContext, signature: Signature) async throws {
        context.console.print(try await Self.report(context.application))
    }

    /// Runs the pass and says how many reminders it queued.
    static func report(_ app: Application, now: Date = Date()) async throws -> String {
        let queued = try await ReminderPass.run(on: app.db, settings: app.settings, now: now)
        return "send-reminders: queued=\(queued.total) classes=\(queued.classes) refreshers=\(queued.refreshers)"
    }
}

/// `cithub setup-link`: prints a new first-administrator link while there is no
/// administrator (the server prints one at every start too).
struct SetupLinkCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Prints a one-time link to create the first administrator." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        if let link = try await AccountService.issueFirstAdministratorLink(on: app.db, publicURL: app.settings.publicURL) {
            context.console.print(link)
        } else {
            context.console.print(
                "An administrator exists already. Administrators invite everyone else from \(app.settings.publicURL)\(SiteURL.adminUsers.path)."
            )
        }
    }
}
