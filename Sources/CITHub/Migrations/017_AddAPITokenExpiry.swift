import Foundation
import Fluent

/// Issue 13: tokens expire. Tokens made before this get one year from the migration's run.
struct M017_AddAPITokenExpiry: AsyncMigration {
    /// The name it shipped under (its type name then); installations have it recorded as applied.
    var name: String { "CITHub.APIMigrations.AddExpiry" }

    func prepare(on database: any Database) async throws {
        try await database.schema(APIToken.schema).field("expires_at", .datetime).update()
        try await APIToken.query(on: database).filter(\.$expiresAt == nil)
            .set(\.$expiresAt, to: Date().addingTimeInterval(Double(APIToken.defaultLifetimeDays) * 86_400)).update()
    }
    func revert(on database: any Database) async throws {
        try await database.schema(APIToken.schema).deleteField("expires_at").update()
    }
}
