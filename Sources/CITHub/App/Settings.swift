import Foundation
import Vapor
import NIOCore
import CITDomain

/// Everything CIT Hub reads from its environment, read in one place. Defaults work on a
/// laptop; `swift run cithub` needs none of them.
public struct Settings: Sendable {
    public enum Storage: Sendable, Equatable {
        case sqliteFile(path: String)
        case sqliteMemory
        case postgres(url: String)
    }

    public var storage: Storage
    public var dataDirectory: String
    public var hostname: String
    public var port: Int
    /// The address people open; used in links in mail and in the start-up banner.
    public var publicURL: String
    /// Two-letter state code whose counties and defaults are loaded.
    public var stateCode: String
    /// Time zone new classes are entered in (Wisconsin: America/Chicago).
    public var timeZone: String
    public var smtpURL: String?
    public var mailFrom: String
    public var organization: Organization
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// Run the mail delivery loop inside the server.
    public var deliverMailInServer: Bool
    /// Load counties, courses and topics at start (tests switch it off for speed).
    public var loadReferenceData: Bool
    /// PostgreSQL schema to use instead of `public` (tests give each test its own).
    public var postgresSchema: String? = nil
    /// PostgreSQL connections per event loop (CITHUB_DB_POOL); tests use 1 so that many
    /// test applications side by side stay under the server's connection limit.
    public var postgresConnectionsPerLoop: Int = 4
    /// The share of patrol officers a county or agency aims to have CIT-trained
    /// (CITHUB_CIT_TARGET_PERCENT, default 20: the Memphis Model's 20-25%).
    public var coverageTargetShare: Double = 0.20
    /// API requests a minute per client address without a token (tokens get twice as
    /// many), CITHUB_API_RATE_PER_MINUTE, default 300.
    public var apiRatePerMinute: Int = 300
    /// The longest a request may take before it is answered 503 (CITHUB_REQUEST_TIMEOUT,
    /// seconds, default 30): a query lost in a database restart must not hold a person's
    /// page open forever.
    public var requestTimeout: TimeAmount = .seconds(30)
    /// Days sent mail is kept in the outbox before the delivery pass deletes it
    /// (CITHUB_MAIL_RETENTION_DAYS, default 30).
    public var mailRetentionDays: Int = 30
    /// Reverse proxies whose `X-Forwarded-For` is believed (CITHUB_TRUSTED_PROXIES,
    /// comma-separated addresses or CIDR networks; none by default).
    public var trustedProxies: TrustedProxies = .none
    /// How long a signed-in session lasts unused (CITHUB_SESSION_IDLE_HOURS, default 8)
    /// and in all (CITHUB_SESSION_MAX_DAYS, default 7); see `SessionPolicy`.
    public var sessionPolicy = SessionPolicy()
    /// How often, at most, the public outcome tables look for reports written by another
    /// process (CITHUB_OUTCOMES_REFRESH_SECONDS, default 60; reports filed through this
    /// server are seen at once). Published quarters change only when one is published.
    public var outcomesRefreshSeconds: Int = 60
    /// How often the server queues reminder mail, class reminders and refresher
    /// reminders (CITHUB_REMINDER_INTERVAL_SECONDS, default 600). 0 turns the job off, for
    /// a deployment that runs `cithub send-reminders` from a timer instead (and the tests).
    /// Reminders wait in the outbox until the mail loop or `cithub send-mail` sends them.
    public var reminderIntervalSeconds: Int = 600

    public enum LogFormat: String, Sendable { case text, json }

    /// The organisation named in the footer and in mail.
    public struct Organization: Sendable {
        public var name: String
        public var email: String
        public var phone: String
    }

    public var usesHTTPS: Bool { publicURL.lowercased().hasPrefix("https://") }

    public static func fromEnvironment(
        _ env: [String: String] = ProcessInfo.processInfo.environment,
        arguments: [String] = CommandLine.arguments
    ) -> Settings {
        let dataDir = env["CITHUB_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "./data"
        let storage: Storage
        if let url = env["DATABASE_URL"], !url.isEmpty {
            storage = .postgres(url: url)
        } else {
            storage = .sqliteFile(path: (dataDir as NSString).appendingPathComponent("cithub.sqlite"))
        }
        // `serve --hostname/--port` on the command line wins, as Vapor's own serve does;
        // read them here too so the printed links carry the right address.
        let hostname = Self.argument("--hostname", in: arguments) ?? env["CITHUB_HOST"] ?? "127.0.0.1"
        let port = (Self.argument("--port", in: arguments) ?? env["CITHUB_PORT"]).flatMap(Int.init) ?? 8080
        let publicURL = (env["CITHUB_PUBLIC_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://\(hostname):\(port)")
        return Settings(
            storage: storage,
            dataDirectory: dataDir,
            hostname: hostname,
            port: port,
            publicURL: publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL,
            stateCode: (env["CITHUB_STATE"] ?? "WI").uppercased(),
            timeZone: env["CITHUB_TIME_ZONE"].flatMap { TimeZone(identifier: $0)?.identifier } ?? "America/Chicago",
            smtpURL: env["SMTP_URL"].flatMap { $0.isEmpty ? nil : $0 },
            mailFrom: env["CITHUB_MAIL_FROM"] ?? "CIT Hub <no-reply@localhost>",
            organization: Organization(
                name: env["CITHUB_ORG_NAME"] ?? "NAMI Wisconsin",
                email: env["CITHUB_ORG_EMAIL"] ?? "",
                phone: env["CITHUB_ORG_PHONE"] ?? "(608) 268-6000"
            ),
            logLevel: env["CITHUB_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info,
            logFormat: LogFormat(rawValue: env["CITHUB_LOG_FORMAT"] ?? "text") ?? .text,
            deliverMailInServer: env["CITHUB_MAIL_LOOP"] != "off",
            loadReferenceData: true,
            postgresConnectionsPerLoop: env["CITHUB_DB_POOL"].flatMap(Int.init).map { max(1, min($0, 64)) } ?? 4,
            coverageTargetShare: env["CITHUB_CIT_TARGET_PERCENT"].flatMap(Double.init).map { max(1, min($0, 100)) / 100 } ?? 0.20,
            apiRatePerMinute: env["CITHUB_API_RATE_PER_MINUTE"].flatMap(Int.init).map { max(1, min($0, 10_000_000)) } ?? 300,
            requestTimeout: .milliseconds(
                env["CITHUB_REQUEST_TIMEOUT"].flatMap(Double.init).map { Int64(max(0.1, min($0, 3600)) * 1000) } ?? 30_000),
            mailRetentionDays: env["CITHUB_MAIL_RETENTION_DAYS"].flatMap(Int.init).map { max(1, min($0, 3650)) } ?? 30,
            trustedProxies: TrustedProxies(parsing: env["CITHUB_TRUSTED_PROXIES"] ?? ""),
            sessionPolicy: SessionPolicy(
                idleTimeout: (env["CITHUB_SESSION_IDLE_HOURS"].flatMap(Double.init).map { max(0.05, min($0, 24 * 30)) } ?? 8) * 3600,
                absoluteLifetime: (env["CITHUB_SESSION_MAX_DAYS"].flatMap(Double.init).map { max(0.01, min($0, 365)) } ?? 7) * 24 * 3600),
            outcomesRefreshSeconds: env["CITHUB_OUTCOMES_REFRESH_SECONDS"].flatMap(Int.init).map { max(0, min($0, 86400)) } ?? 60,
            reminderIntervalSeconds: env["CITHUB_REMINDER_INTERVAL_SECONDS"].flatMap(Int.init).map { max(0, min($0, 86400)) } ?? 600
        )
    }

    /// Settings for tests: an in-memory SQLite database unless `DATABASE_URL` names a
    /// PostgreSQL server (the suite's `withCITHub` swaps the in-memory one for a file of
    /// the test's own), no mail loop, no reminder job, no reference data unless a test asks.
    public static func forTesting(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Settings {
        var settings = Settings.fromEnvironment(env, arguments: [])
        if case .postgres = settings.storage {} else { settings.storage = .sqliteMemory }
        settings.publicURL = "http://127.0.0.1:8080"
        settings.smtpURL = nil
        settings.deliverMailInServer = false
        settings.loadReferenceData = false
        settings.logLevel = .warning
        settings.postgresConnectionsPerLoop = 1
        settings.outcomesRefreshSeconds = 0
        settings.reminderIntervalSeconds = 0
        return settings
    }

    static func argument(_ name: String, in arguments: [String]) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }
}
