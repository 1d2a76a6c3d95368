import Fluent
import SQLKit
import CITDomain

/// Issue 13: public registrations confirm their email address first. A migration of
/// its own: `CreateClasses` is already applied on running servers and is never edited.
/// The new status (`pending`) needs no change: the column is a string.
struct M018_AddEmailConfirmation: AsyncMigration {
    /// The name it shipped under (its type name then); installations have it recorded as applied.
    var name: String { "CITHub.ClassMigrations.AddEmailConfirmation" }

    static let columns: [(String, DatabaseSchema.DataType)] = [("confirm_token_hash", .string), ("confirm_expires_at", .datetime), ("hold_until", .datetime)]

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        for (name, type) in Self.columns {
            try await database.schema(Registration.schema).field(.definition(name: .key(.string(name)), dataType: type, constraints: [])).update()
        }
        if let sql = database as? any SQLDatabase {
            // Links are looked up by hash; NULLs (every older row) do not collide.
            try await sql.create(index: "registrations_confirm_token").unique().on(Registration.schema).column("confirm_token_hash").run()
            // The release pass looks for pending rows whose hold or link ran out.
            try await sql.create(index: "registrations_status_hold").on(Registration.schema).column("status").column("hold_until").run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.drop(index: "registrations_status_hold").run()
            try await sql.drop(index: "registrations_confirm_token").run()
        }
        try await Registration.query(on: database).filter(\.$status == .pending).delete()
        for (name, _) in Self.columns.reversed() {
            try await database.schema(Registration.schema).deleteField(.string(name)).update()
        }
    }
}
