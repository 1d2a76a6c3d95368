import Vapor
import Fluent
import FluentSQLiteDriver
import FluentPostgresDriver
import NIOSSL

extension Application {
    private struct SettingsKey: StorageKey { typealias Value = Settings }
    private struct PageCacheKey: StorageKey { typealias Value = PageCache }

    var settings: Settings {
        // Shutdown empties the storage; a request still answering then (its deadline's
        // error page) reads the environment's settings rather than stopping the process.
        get { storage[SettingsKey.self] ?? Settings.fromEnvironment() }
        set { storage[SettingsKey.self] = newValue }
    }

    var pageCache: PageCache {
        if let existing = storage[PageCacheKey.self] { return existing }
        let cache = PageCache(hsts: settings.usesHTTPS)
        storage[PageCacheKey.self] = cache
        return cache
    }
}

enum ConfigurationError: Error, CustomStringConvertible {
    case badDatabaseURL(String)
    case dataDirectory(String, String)

    var description: String {
        switch self {
        case .badDatabaseURL(let detail): "DATABASE_URL is not a usable postgres:// address (\(detail))."
        case .dataDirectory(let path, let why):
            "Cannot use the data folder \(path): \(why). Set CITHUB_DATA_DIR to a folder CIT Hub may write to."
        }
    }
}

/// Builds the application: database, migrations, sessions, middleware, routes, mail,
/// reminders.
/// The same function serves `cithub`, the tests and the benchmarks.
public func configure(_ app: Application, settings: Settings, bcryptCost: Int = 12) async throws {
    app.settings = settings
    app.logger.logLevel = settings.logLevel
    try TrustedProxiesSettingError.check(settings.trustedProxies)
    // Blocking work (every SQLite call, password hashing, files) runs on this pool. NIO's
    // shared pool has one thread per core: on a two-core server two SQLite connections
    // waiting for the file's write lock held both threads while the connection holding
    // the lock waited for a thread to commit (40 registrations at once took over 30 s).
    // A few threads more than cores lets the holder finish. (Not for the tests' in-memory
    // databases: their shared cache locks tables, not the file, and the suite measured
    // more stalls with more threads.) Set before the databases are made.
    if case .sqliteFile = settings.storage {
        let blocking = NIOThreadPool(numberOfThreads: max(8, System.coreCount * 2))
        blocking.start()
        app.threadPool = blocking
    }

    try configureDatabase(app, settings: settings)
    // One list, in order (Migrations/AppMigrations.swift); nothing else registers migrations.
    app.migrations.add(AppMigrations.all)

    app.passwords.use(.bcrypt(cost: bcryptCost))
    // Only a hash of each session key is stored, with idle and absolute limits (SessionStore.swift).
    app.sessions.use { app in HashedSessionDriver(policy: app.settings.sessionPolicy) }
    let secure = settings.usesHTTPS
    app.sessions.configuration.cookieName = "cithub_session"
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(
            string: id.string, expires: nil, maxAge: nil, domain: nil, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }

    app.http.server.configuration.hostname = settings.hostname
    app.http.server.configuration.port = settings.port
    app.http.server.configuration.serverName = nil
    // Browsers get gzip (the crisis helper must arrive in the first round trips on a slow
    // phone); clients that do not ask for it, like wrk, get plain bytes.
    app.http.server.configuration.responseCompression = .enabled
    app.routes.defaultMaxBodySize = "256kb"

    // Order matters: cached public pages first, answered before anything else runs (their
    // entries carry every header); then security headers, so error pages carry them too; then
    // errors, so everything below is turned into a page; the deadline, so a lost query
    // becomes a 503 page too; request logging at debug
    // (docs/decisions.md: per-request logging at info costs a fifth of throughput).
    app.middleware = Middlewares()
    // A request line or header block too large gets 414/431 before anything else runs.
    app.middleware.use(RequestHeadLimitMiddleware())
    app.middleware.use(PageCacheFrontMiddleware(cache: app.pageCache))
    app.middleware.use(SecurityHeadersMiddleware(hsts: secure))
    app.middleware.use(ErrorPagesMiddleware(chrome: { $0.chrome() }))
    app.middleware.use(RequestDeadlineMiddleware(limit: settings.requestTimeout))
    // Not Vapor's RouteLoggingMiddleware: it logs whole paths, one-time links' secrets included.
    if settings.logLevel <= .debug { app.middleware.use(RequestLogMiddleware(logLevel: .debug)) }
    app.middleware.use(CSRF.Middleware(secureCookies: secure))

    // Created before serving: Application.storage is not meant for concurrent first use.
    _ = app.pageCache
    _ = app.databaseWatchdog
    _ = app.stateMapCache
    _ = app.searchIndex
    _ = app.protectedRoutes
    _ = app.publishedOutcomes
    app.signInGate = KeyedGate()
    // Stylesheets and scripts are read once, here: a missing file stops start-up.
    try AssetFiles.load()
    try routes(app)

    app.lifecycle.use(MailDeliveryService())
    app.lifecycle.use(ReminderService())
    app.lifecycle.use(PublishedOutcomesWarmer())
    app.lifecycle.use(PasswordResetQueue.Drain())
    app.lifecycle.use(PageCacheSync())
}

func configureDatabase(_ app: Application, settings: Settings) throws {
    // A request waiting for a connection is ended by its deadline (a 503 page that says
    // to try again), not by the pool's own timeout (an error): the pool waits longer.
    let poolWait = settings.requestTimeout + .seconds(30)
    switch settings.storage {
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory, connectionPoolTimeout: poolWait), as: .sqlite)
    case .sqliteFile(let path):
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError.dataDirectory(directory, error.localizedDescription)
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw ConfigurationError.dataDirectory(directory, "it is not writable")
        }
        app.databases.use(.sqlite(.file(path), connectionPoolTimeout: poolWait), as: .sqlite)
    case .postgres(let url):
        var config: SQLPostgresConfiguration
        do {
            config = try SQLPostgresConfiguration(url: url)
        } catch {
            throw ConfigurationError.badDatabaseURL(String(describing: error))
        }
        // Tests give each test its own schema so they can run side by side.
        if let schema = settings.postgresSchema { config.searchPath = [schema] }
        app.databases.use(
            .postgres(
                configuration: config, maxConnectionsPerEventLoop: settings.postgresConnectionsPerLoop, connectionPoolTimeout: poolWait),
            as: .psql)
    }
}

/// SQLite settings that live in the database file: write-ahead logging lets readers go on
/// while one request writes, and survives a crash without a journal rollback. (sqlite-nio
/// installs a busy handler that waits for a lock instead of failing with SQLITE_BUSY.)
/// Switching to WAL needs a moment with no other reader on the file, so it is retried
/// briefly; the mode then stays with the file.
@discardableResult
func prepareSQLite(_ app: Application) async throws -> String? {
    guard case .sqliteFile = app.settings.storage else { return nil }
    // sqlite-nio's own busy handler retries at once and for ever, spinning a thread of the
    // blocking pool while another connection writes; SQLite's sleeping busy timeout waits
    // politely instead, and gives up after 10 s. It is a per-connection setting: each
    // event loop has one SQLite connection.
    for eventLoop in app.eventLoopGroup.makeIterator() {
        if let loopDB = app.databases.database(logger: app.logger, on: eventLoop) as? any SQLDatabase {
            try await loopDB.raw("PRAGMA busy_timeout = 10000").run()
        }
    }
    guard case .sqliteFile = app.settings.storage, let sql = app.db as? any SQLDatabase else { return nil }
    var mode: String?
    for attempt in 1...20 {
        mode = try await sql.raw("PRAGMA journal_mode=WAL").first()?.decode(column: "journal_mode", as: String.self)
        if mode?.lowercased() == "wal" { return mode }
        if attempt == 20 { app.logger.warning("SQLite stayed in journal mode \(mode ?? "?"); WAL could not be switched on") }
        try await Task.sleep(for: .milliseconds(50))
    }
    return mode
}
