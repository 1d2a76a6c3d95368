import Fluent
import Vapor
import SQLKit

/// One shared number, `cache_generation.generation`, that every write bumps. Instances
/// on the same PostgreSQL poll it once a second and drop their cached pages when it
/// moves, so a class created on one instance is listed by the other within about a
/// second (plus the browser's own 60 s `max-age`).
final class CacheGeneration: Model, @unchecked Sendable {
    static let schema = "cache_generation"
    @ID(custom: "id", generatedBy: .user) var id: Int?
    @Field(key: "generation") var generation: Int
    init() {}
}

final class PageCacheSync: LifecycleHandler, @unchecked Sendable {
    // Only touched from the lifecycle callbacks, which Vapor calls one at a time.
    private var task: Task<Void, Never>?

    func didBootAsync(_ application: Application) async throws {
        guard StartupLock.isPostgres(application.db) else { return }
        let cache = application.pageCache
        let logger = application.logger
        task = Task {
            var seen: Int?
            while !Task.isCancelled {
                do {
                    // Looked up each time: the database watchdog may have replaced the pool.
                    guard let sql = application.db as? any SQLDatabase else { return }
                    if cache.takePendingBump() {
                        let row = try await sql.raw(
                            "UPDATE cache_generation SET generation = generation + 1 WHERE id = 1 RETURNING generation"
                        ).first()
                        let now = try row?.decode(column: "generation", as: Int.self)
                        // Another instance wrote in between too: its pages may be stale here.
                        if let now, let before = seen, now != before + 1 { cache.dropForOtherInstance() }
                        seen = now ?? seen
                    } else {
                        let row = try await sql.raw("SELECT generation FROM cache_generation WHERE id = 1").first()
                        let now = try row?.decode(column: "generation", as: Int.self)
                        if let now, let before = seen, now != before { cache.dropForOtherInstance() }
                        seen = now ?? seen
                    }
                } catch {
                    logger.notice("page cache sync: \(String(describing: error))")
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        task?.cancel()
        await task?.value
    }
}
