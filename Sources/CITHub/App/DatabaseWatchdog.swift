import Vapor
import Fluent
import SQLKit
import NIOConcurrencyHelpers
import NIOCore

/// Replaces the PostgreSQL connection pool when an event loop's pool has stopped
/// answering. A query sent in the instant PostgreSQL restarts can be lost by postgres-nio
/// 1.33.2 (the only version available here) without an error, and its connection then
/// stays leased forever. faults/pg-restart.sh with one connection per event loop
/// (`CITHUB_DB_POOL=1`) showed the result: that loop never answered again until
/// CIT Hub was restarted. With the default four per loop a lost query costs one
/// connection for good, and a loop is wedged once all of its connections are lost.
///
/// `RequestDeadlineMiddleware` calls `requestTimedOut` when a request passes its
/// deadline. Then every event loop's pool gets a `SELECT 1`. If one does not answer within
/// `probeTimeout` (an error is an answer: the database may simply be down), the pool is
/// shut down and Fluent makes a new one at the next query. Connections that are still
/// leased are closed when they are given back; the lost ones are abandoned. One check
/// runs at a time. Nothing happens on SQLite.
final class DatabaseWatchdog: Sendable {
    enum Probe: Sendable { case answered, failed, silent }

    let probeTimeout: TimeAmount
    private let checking = NIOLockedValueBox(false)
    private let replacements = NIOLockedValueBox(0)

    init(probeTimeout: TimeAmount = .seconds(5)) { self.probeTimeout = probeTimeout }

    /// How many times the pool has been replaced since start.
    var poolsReplaced: Int { replacements.withLockedValue { $0 } }

    func requestTimedOut(_ app: Application) {
        guard case .postgres = app.settings.storage else { return }
        Task.detached { _ = await self.check(app) }
    }

    /// Probes every event loop's pool; replaces the pool when one is silent. Returns
    /// whether it did (false also when another check is running).
    func check(_ app: Application) async -> Bool {
        guard
            checking.withLockedValue({ busy in
                defer { busy = true }; return !busy
            })
        else { return false }
        defer { checking.withLockedValue { $0 = false } }
        let loops = Array(app.eventLoopGroup.makeIterator())
        var results: [Probe] = []
        for loop in loops {
            let db = app.databases.database(logger: app.logger, on: loop) as? any SQLDatabase
            results.append((try? await Self.probe(db, on: loop, timeout: probeTimeout).get()) ?? .failed)
        }
        let silent = results.filter { $0 == .silent }.count
        guard silent > 0 else {
            app.logger.notice("database watchdog: every connection pool answers", metadata: ["loops": .stringConvertible(loops.count)])
            return false
        }
        app.logger.error(
            "database watchdog: a connection pool does not answer (a query lost in a database restart holds its connections); replacing the pool",
            metadata: ["silent_loops": .stringConvertible(silent), "loops": .stringConvertible(loops.count)])
        // The driver's shutdown waits on a semaphore: never on an event loop.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                app.databases.reinitialize(.psql)
                done.resume()
            }
        }
        replacements.withLockedValue { $0 += 1 }
        return true
    }

    static func probe(_ db: (any SQLDatabase)?, on loop: any EventLoop, timeout: TimeAmount) -> EventLoopFuture<Probe> {
        guard let db else { return loop.makeSucceededFuture(.failed) }
        return db.raw("SELECT 1 AS one").run()
            .map { Probe.answered }
            .recover { _ in .failed }
            .orTimeout(on: loop, after: timeout) { .success(.silent) }
    }
}

extension Application {
    private struct DatabaseWatchdogKey: StorageKey { typealias Value = DatabaseWatchdog }

    var databaseWatchdog: DatabaseWatchdog {
        if let existing = storage[DatabaseWatchdogKey.self] { return existing }
        let watchdog = DatabaseWatchdog()
        storage[DatabaseWatchdogKey.self] = watchdog
        return watchdog
    }
}
