import Vapor
import NIOCore
import NIOConcurrencyHelpers
import CITDomain

/// Answers 503 with `Retry-After` when a request takes longer than the deadline, instead
/// of holding the browser (or an API client) open until it gives up.
///
/// Why: a query sent in the instant PostgreSQL restarts can be lost without its
/// connection ever reporting an error (faults/pg-restart.sh saw requests with no answer at
/// all), and nothing else in the stack times a query out. The work behind a late answer
/// is not cancelled (Vapor has no way to); only the wait ends. It runs inside the error
/// pages, so the 503 is a page or a problem document like any other error.
///
/// Future-based, not AsyncMiddleware: one timer per request on its own event loop costs
/// no task switch on the hot path of cached pages.
struct RequestDeadlineMiddleware: Middleware {
    let limit: TimeAmount
    /// File uploads (the encounter CSV import, up to its body limit) read, check and write
    /// thousands of rows in one transaction; cutting them off would answer 503 while the
    /// import goes on and lands. They get ten times the limit.
    static let longPaths = Set(CSRF.largeBodyPaths.keys)

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let limit = Self.longPaths.contains(request.url.path) ? self.limit * 10 : self.limit
        let seconds = Double(limit.nanoseconds) / 1e9
        return next.respond(to: request).orTimeout(on: request.eventLoop, after: limit) {
            request.logger.error(
                "request deadline passed",
                metadata: ["path": .string(SecretPaths.redact(request.url.path)), "seconds": .stringConvertible(seconds)])
            // Perhaps its query was lost with its connection: see whether the pool answers.
            request.application.databaseWatchdog.requestTimedOut(request.application)
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: "Retry-After", value: "10")
            return .failure(
                Abort(
                    .serviceUnavailable, headers: headers,
                    reason: "CIT Hub took too long to answer (more than \(Int(seconds.rounded(.up))) seconds). Try again in a minute."))
        }
    }
}

extension EventLoopFuture {
    /// This future's result, or `late()`'s if it has not come within `limit`. Whichever
    /// comes first answers; the other is dropped (the work behind this future goes on).
    func orTimeout(
        on loop: any EventLoop, after limit: TimeAmount,
        _ late: @escaping @Sendable () -> Result<Value, any Error>
    ) -> EventLoopFuture<Value> where Value: Sendable {
        let promise = loop.makePromise(of: Value.self)
        // Both callbacks run on `loop`, so the lock is never contended; it only makes the
        // first-one-wins rule hold wherever this is called from.
        let settled = NIOLockedValueBox(false)
        @Sendable func first() -> Bool {
            settled.withLockedValue { done in
                defer { done = true }; return !done
            }
        }
        let timer = loop.scheduleTask(in: limit) {
            if first() { promise.completeWith(late()) }
        }
        hop(to: loop).whenComplete { result in
            guard first() else { return }
            timer.cancel()
            promise.completeWith(result)
        }
        return promise.futureResult
    }
}
