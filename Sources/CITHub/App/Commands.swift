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

/// `cithub backup <file>`: a consistent copy of the SQLite database while the server runs.
/// `VACUUM INTO` reads one snapshot of the database (WAL readers are never blocked) and
/// writes a compact new file. PostgreSQL is backed up with its own tool, pg_dump.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "Where to write the copy. Must not exist yet.")
        var file: String
    }
    var help: String { "Writes a consistent copy of the SQLite database to a file." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        switch app.settings.storage {
        case .postgres:
            context.console.error("This server uses PostgreSQL. Back it up with pg_dump, for example:")
            context.console.print("  pg_dump --format=custom --file=cithub.dump \"$DATABASE_URL\"")
            throw Abort(.badRequest, reason: "backup: use pg_dump for PostgreSQL")
        case .sqliteMemory:
            throw Abort(.badRequest, reason: "backup: the database is in memory")
        case .sqliteFile:
            let report = try await Self.backupSQLite(app, to: signature.file)
            context.console.print(report)
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
        let result = try await delivery.runOnce()
        context.console.print("send-mail: sent=\(result.sent) retry_later=\(result.retried) failed=\(result.failed)")
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
            context.console.print("An administrator exists already. Administrators invite everyone else from \(app.settings.publicURL)\(SiteURL.adminUsers).")
        }
    }
}
