import Vapor
import Logging

/// Start-up: read settings, configure, and for `serve` (the default command) migrate,
/// load reference data and print where to open CIT Hub and how to sign in the first time.
public enum CITHubMain {
    public static func run() async throws {
        var env = try Environment.detect()
        let settings = Settings.fromEnvironment()
        // Every handler is wrapped so that no line carries a one-time link's secret.
        if settings.logFormat == .json {
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = settings.logLevel
                return RedactingLogHandler(handler)
            }
        } else {
            try LoggingSystem.bootstrap(from: &env) { level in
                let console = Terminal()
                return { label in RedactingLogHandler(ConsoleLogger(label: label, console: console, level: level)) }
            }
        }
        let app = try await Application.make(env)
        if env.arguments.dropFirst().first == BenchReference.command {
            try await BenchReference.run(app)
            return
        }
        do {
            try await configure(app, settings: settings)
            app.asyncCommands.use(MigrateNowCommand(), as: "migrate")
            app.asyncCommands.use(BackupCommand(), as: "backup")
            app.asyncCommands.use(RestoreCommand(), as: "restore")
            app.asyncCommands.use(SendMailCommand(), as: "send-mail")
            app.asyncCommands.use(SendRemindersCommand(), as: "send-reminders")
            app.asyncCommands.use(SetupLinkCommand(), as: "setup-link")
            app.asyncCommands.use(LoadCountiesCommand(), as: "load-counties")
            app.asyncCommands.use(DemoProgramsCommand(), as: "demo-programs")
            app.asyncCommands.use(DemoEncountersCommand(), as: "demo-encounters")
            app.asyncCommands.use(APITokenCommand(), as: "api-token")
            if isServe(env.arguments) {
                try await prepareToServe(app)
            }
            try await app.execute()
        } catch {
            app.logger.critical("CIT Hub stopped: \((error as? any AbortError)?.reason ?? String(reflecting: error))")
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    static func isServe(_ arguments: [String]) -> Bool {
        guard arguments.count > 1 else { return true }
        let command = arguments[1]
        return command == "serve" || command.hasPrefix("-")
    }

    static func loadReferenceData(_ app: Application) async throws {
        let settings = app.settings
        guard settings.loadReferenceData else { return }
        let clock = ContinuousClock(), t0 = clock.now
        let loaded = try await ReferenceData.load(on: app.db, stateCode: settings.stateCode, logger: app.logger)
        let t1 = clock.now
        let directory = try await DirectoryStarterData.load(on: app.db, stateCode: settings.stateCode, logger: app.logger)
        app.logger.debug(
            "reference data timing",
            metadata: [
                "counties_catalog_ms": .stringConvertible((t1 - t0).milliseconds),
                "directory_ms": .stringConvertible((clock.now - t1).milliseconds),
            ])
        if directory != DirectoryStarterData.Summary() {
            app.logger.info(
                "directory starter data loaded",
                metadata: ["zip_rows": .stringConvertible(directory.zips), "programs": .stringConvertible(directory.programs)])
        }
        if loaded != ReferenceData.Summary() {
            app.logger.info(
                "reference data loaded",
                metadata: [
                    "counties": .stringConvertible(loaded.countiesAdded), "courses": .stringConvertible(loaded.coursesAdded),
                    "topics": .stringConvertible(loaded.topicsAdded),
                ])
        }
    }

    static func prepareToServe(_ app: Application) async throws {
        let settings = app.settings
        try await prepareSQLite(app)
        // Instances starting together on one PostgreSQL take turns: the first migrates and
        // loads the reference data, the next finds it done.
        try await StartupLock.withLock(app) {
            let clock = ContinuousClock()
            let migrated = try await clock.measure { try await app.autoMigrate() }
            let loaded = try await clock.measure { try await loadReferenceData(app) }
            app.logger.info(
                "database ready",
                metadata: [
                    "migrations_ms": .stringConvertible(migrated.milliseconds),
                    "reference_data_ms": .stringConvertible(loaded.milliseconds),
                ])
        }
        var banner = "\nCIT Hub is starting at \(settings.publicURL)\n"
        switch settings.storage {
        case .sqliteFile(let path): banner += "Database: SQLite file \(path)\n"
        case .postgres: banner += "Database: PostgreSQL (DATABASE_URL)\n"
        case .sqliteMemory: banner += "Database: SQLite in memory (nothing is kept)\n"
        }
        if settings.smtpURL == nil {
            banner += "Mail: SMTP_URL is not set; mail waits in the outbox (\(settings.publicURL)\(SiteURL.adminOutbox.path)).\n"
        }
        if let link = try await AccountService.issueFirstAdministratorLink(on: app.db, publicURL: settings.publicURL) {
            banner += """

                No administrator exists yet. Open this link to create the first one
                (it works once, for 24 hours; restart CIT Hub for a new one):

                    \(link)

                """
        } else {
            banner += "Sign in at \(settings.publicURL)\(SiteURL.login.path)\n"
        }
        FileHandle.standardOutput.write(Data((banner + "\n").utf8))
    }
}

extension Duration {
    /// Whole milliseconds, for logs.
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
