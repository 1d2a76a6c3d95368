import Fluent

/// Every migration, in the order it runs. The only list `configure` registers.
///
/// A migration that has shipped is never edited (README, "Migrations"): a change to the
/// schema is a new numbered file added at the end of this list. Fluent records each
/// applied migration by its `name`, so the names below must not change either;
/// `MigrationTests` checks both. (Not called `Migrations`: FluentKit has a type of that
/// name, and a file importing both would not know which one it means.)
enum AppMigrations {
    static let all: [any Migration] = [
        M001_CreateUsers(),
        M002_CreateAuditEvents(),
        M003_CreateOutbox(),
        M004_CreateReferenceTables(),
        M005_CreateFluentSessions(),
        M006_AddLookupIndexes(),
        M007_CreateDirectory(),
        M008_CreateClasses(),
        M009_CreateTraining(),
        M010_CreateOutcomes(),
        M011_CreateAPITokens(),
        M012_CreateCacheGeneration(),
        M013_AddCertificatePrintLink(),
        M014_AddPartnerApproval(),
        M015_CreateRateLimitCounts(),
        M016_CreateAccountSessions(),
        M017_AddAPITokenExpiry(),
        M018_AddEmailConfirmation(),
    ]
}
