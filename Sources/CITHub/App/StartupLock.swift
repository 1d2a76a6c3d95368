import Fluent
import Vapor
import SQLKit
import FluentPostgresDriver

/// PostgreSQL advisory locks for work that two instances must not do at once. On SQLite
/// there is one process per file and write transactions are serialized already, so
/// these do nothing there.
enum StartupLock {
    /// Migrations and reference data at start.
    static let startupKey: Int64 = 0x43_49_54_48_55_42_01  // "CITHUB" + 1
    /// Creating the first administrator.
    static let firstAdministratorKey: Int64 = 0x43_49_54_48_55_42_02

    static func isPostgres(_ db: any Database) -> Bool {
        (db as? any SQLDatabase)?.dialect.name == "postgresql"
    }

    /// Runs `body` while holding a session-level advisory lock on a connection of its own,
    /// outside the pool: the body uses pooled connections, and with `CITHUB_DB_POOL=1`
    /// holding the lock on a pooled one left the body waiting for it (the server did not
    /// start: the pool timed out after 30 s). Closing the connection releases the lock,
    /// also when the body fails.
    static func withLock(_ app: Application, key: Int64 = startupKey, _ body: @escaping @Sendable () async throws -> Void) async throws {
        guard isPostgres(app.db), case .postgres(let url) = app.settings.storage else { return try await body() }
        let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
        let connection = try await PostgresConnection.connect(
            on: app.eventLoopGroup.any(), configuration: configuration, id: 0, logger: app.logger)
        do {
            try await connection.query("SELECT pg_advisory_lock(\(key))", logger: app.logger)
            try await body()
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    /// Inside a transaction: waits for the lock, which is released at commit or rollback.
    static func lockTransaction(_ tx: any Database, key: Int64) async throws {
        guard isPostgres(tx), let sql = tx as? any SQLDatabase else { return }
        try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: key))").run()
    }
}
