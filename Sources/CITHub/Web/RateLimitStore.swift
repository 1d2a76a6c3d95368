import Vapor
import Fluent
import SQLKit
import CITDomain

/// The counts behind `RateLimit`, in the database so that every instance shares them.
/// One row per key and window; `hit` raises it with one INSERT … ON CONFLICT … RETURNING
/// (SQLite 3.35+ and PostgreSQL), so concurrent requests each see their own number and
/// none can slip under the limit together.
struct RateLimitStore {
    static let schema = "rate_limit_counts"
    let database: any Database

    /// Counts one attempt for `key` under `limit`; true while within the limit.
    func hit(_ limit: RateLimit, key: String, now: Date = Date()) async throws -> Bool {
        guard let sql = database as? any SQLDatabase else { return true }
        let window = limit.windowStart(now)
        let row = try await sql.raw(
            """
            INSERT INTO \(ident: Self.schema) (key, window_start, count) VALUES (\(bind: key), \(bind: window), 1)
            ON CONFLICT (key, window_start) DO UPDATE SET count = \(ident: Self.schema).count + 1
            RETURNING count
            """
        ).first()
        let count = try row?.decode(column: "count", as: Int.self) ?? 1
        return limit.allows(count: count)
    }

    /// Counts one attempt under each (limit, key) pair (all of them, so a refused attempt
    /// still counts against every key) and returns the first limit exceeded, if any.
    func hit(_ checks: [(RateLimit, String)], now: Date = Date()) async throws -> RateLimit? {
        var exceeded: RateLimit?
        for (limit, key) in checks {
            if try await !hit(limit, key: key, now: now), exceeded == nil { exceeded = limit }
        }
        return exceeded
    }

    /// Drops windows that ended more than a day ago.
    func purge(now: Date = Date()) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DELETE FROM \(ident: Self.schema) WHERE window_start < \(bind: now.addingTimeInterval(-86400))").run()
    }
}

extension Request {
    /// The client address rate limits count by (trusted-proxy aware), or nil when it is
    /// not known (in-memory tests have no peer).
    var rateLimitAddress: String? {
        let address = clientAddress
        return address == "unknown" ? nil : address
    }
}
