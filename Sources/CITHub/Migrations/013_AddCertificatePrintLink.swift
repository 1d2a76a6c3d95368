import Fluent
import SQLKit

/// The print link a certificate mail carries (for people without an account) and
/// the signature line. A migration of its own: `CreateTraining` is already applied
/// on running servers and is never edited.
struct M013_AddCertificatePrintLink: AsyncMigration {
    /// The name it shipped under (its type name then); installations have it recorded as applied.
    var name: String { "CITHub.TrainingMigrations.AddCertificatePrintLink" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        for column in ["print_token_hash", "signer_name", "signer_title"] {
            try await database.schema(Certificate.schema).field(.definition(name: .key(.string(column)), dataType: .string, constraints: [])).update()
        }
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "certificates_print_token").on(Certificate.schema).column("print_token_hash").run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.drop(index: "certificates_print_token").run()
        }
        for column in ["print_token_hash", "signer_name", "signer_title"] {
            try await database.schema(Certificate.schema).deleteField(.string(column)).update()
        }
    }
}
