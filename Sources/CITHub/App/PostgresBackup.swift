import Foundation
import Vapor
import SQLKit
import NIOConcurrencyHelpers

/// `cithub backup` and `cithub restore` on PostgreSQL, with PostgreSQL's own tools: a
/// dump in pg_dump's custom format, taken from one snapshot while the server runs, and a
/// restore by pg_restore in a single transaction (readers see the old tables or the new,
/// and a failed restore changes nothing). pg_dump and pg_restore must be on PATH, of the
/// server's major version or newer (`scripts/install-test-deps.sh` installs them with
/// PostgreSQL).
///
/// Only CIT Hub's schema is dumped (the `search_path` schema when one is set, else
/// `public`). A restore drops and recreates that schema's tables from the dump, so a
/// backup from an older version of CIT Hub comes back with its own migrations; the
/// command then migrates it forward.
enum PostgresBackup {
    struct ToolFailed: Error, CustomStringConvertible {
        var description: String
    }

    static func backup(_ app: Application, to file: String) async throws -> String {
        let target = URL(fileURLWithPath: file).standardizedFileURL.path
        guard !FileManager.default.fileExists(atPath: target) else {
            throw Abort(.conflict, reason: "\(target) exists already; choose a new file name.")
        }
        let (url, schema) = try connection(app)
        _ = try await run(
            "pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--schema=\(schema)", "--file=\(target)", "--dbname=\(url)"])
        // Reading the dump's table of contents proves the file is complete and readable.
        let contents = try await run("pg_restore", ["--list", target])
        let tables = contents.split(separator: "\n").filter { $0.contains(" TABLE DATA ") }.count
        let size = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
        return "Backup written to \(target) (\(size) bytes; \(tables) tables, pg_dump custom format)."
    }

    static func restore(_ app: Application, from file: String) async throws -> String {
        let source = URL(fileURLWithPath: file).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: source) else { throw Abort(.notFound, reason: "\(source) does not exist.") }
        let (url, schema) = try connection(app)
        let contents: String
        do {
            contents = try await run("pg_restore", ["--list", source])
        } catch {
            throw ToolFailed(
                description: "\(source) is not a backup written by cithub backup on PostgreSQL; nothing was restored. (\(error))")
        }
        guard contents.contains(" TABLE DATA \(schema) _fluent_migrations ") else {
            throw ToolFailed(description: "\(source) holds no CIT Hub tables in schema \(schema); nothing was restored.")
        }
        let sql = app.db as! any SQLDatabase
        let before = try await generation(sql)
        // --single-transaction with --exit-on-error: all of it, or none of it.
        _ = try await run(
            "pg_restore",
            [
                "--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
                "--schema=\(schema)", "--dbname=\(url)", source,
            ])
        try await app.autoMigrate()
        // Running instances drop their cached pages when this number moves (PageCacheSync);
        // the dump brought back an old number, so move it past both.
        let restored = try await generation(sql)
        try await sql.raw("UPDATE cache_generation SET generation = \(bind: max(before, restored) + 1) WHERE id = 1").run()
        app.pageCache.invalidateAll()
        var counts: [String] = []
        let tables = try await sql.raw(
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).all()
            .map { try $0.decode(column: "name", as: String.self) }
        for table in tables {
            let n = try await sql.raw("SELECT count(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0
            counts.append("\(table) \(n)")
        }
        return "Restored \(tables.count) tables from \(source): " + counts.joined(separator: ", ") + "."
    }

    private static func generation(_ sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT generation FROM cache_generation WHERE id = 1").first()?.decode(column: "generation", as: Int.self) ?? 0
    }

    private static func connection(_ app: Application) throws -> (url: String, schema: String) {
        guard case .postgres(let url) = app.settings.storage else {
            throw ToolFailed(description: "This server does not use PostgreSQL.")
        }
        return (url, app.settings.postgresSchema ?? "public")
    }

    /// Runs a PostgreSQL tool found on PATH; returns its standard output, throws with its
    /// standard error when it fails. The database address goes in an argument, which
    /// only this user's processes can read.
    static func run(_ tool: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        // Read both pipes while the tool runs, so a full pipe cannot stall it.
        let (outText, errText, status): (String, String, Int32) = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: ToolFailed(description: "\(tool) could not be started: \(error.localizedDescription)"))
                    return
                }
                let group = DispatchGroup()
                let errData = NIOLockedValueBox(Data())
                group.enter()
                DispatchQueue.global().async {
                    let data = errors.fileHandleForReading.readDataToEndOfFile()
                    errData.withLockedValue { $0 = data }
                    group.leave()
                }
                let outData = output.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(
                    returning: (
                        String(decoding: outData, as: UTF8.self), String(decoding: errData.withLockedValue { $0 }, as: UTF8.self),
                        process.terminationStatus
                    ))
            }
        }
        guard status == 0 else {
            if status == 127 { throw ToolFailed(description: "\(tool) is not installed (install PostgreSQL's client tools).") }
            throw ToolFailed(description: "\(tool) failed (exit \(status)): \(errText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return outText
    }
}
