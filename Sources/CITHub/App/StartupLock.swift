import Fluent
import Vapor
import SQLKit

/// PostgreSQL advisory locks for work that two instances must not do at once. On SQLite
/// there is one process per file and write transactions are serialized already, so
/// these do nothing there.
enum StartupLock {
    /// Migrations and reference data at start.
    static let startupKey: Int64 = 0x43_49_54_48_55_42_01   // "CITHUB" + 1
    /// Creating the first administrator.
    static let firstAdministratorKey: Int64 = 0x43_49_54_48_55_42_02

    static func isPostgres(_ db: any Database) -> Bool {
        (db as? any SQLDatabase)?.dialect.name == "postgresql"
    }

    /// Runs `body` while holding a session-level advisory lock on one pooled connection;
    /// the body itself may use any connection.
    static func withLock(_ app: Application, key: Int64 = startupKey, _ body: @escaping @Sendable () async throws -> Void) async throws {
        guard isPostgres(app.db) else { return try await body() }
        try await app.db.withConnection { connection in
            let sql = connection as! any SQLDatabase
            try await sql.raw("SELECT pg_advisory_lock(\(bind: key))").run()
            do {
                try await body()
            } catch {
                try? await sql.raw("SELECT pg_advisory_unlock(\(bind: key))").run()
                throw error
            }
            try await sql.raw("SELECT pg_advisory_unlock(\(bind: key))").run()
        }
    }

    /// Inside a transaction: waits for the lock, which is released at commit or rollback.
    static func lockTransaction(_ tx: any Database, key: Int64) async throws {
        guard isPostgres(tx), let sql = tx as? any SQLDatabase else { return }
        try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: key))").run()
    }
}
