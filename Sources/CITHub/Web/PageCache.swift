import Vapor
import NIOConcurrencyHelpers

/// Rendered public pages kept as bytes with their ETag. Rendering a page costs about ten
/// times what sending it does (docs/decisions.md), and public pages change only when
/// their data does: writes call `invalidate`, readers get the bytes.
///
/// A page's key is the path it is served at (no query string): `PageCacheFrontMiddleware`
/// answers a GET for that path from here before any other middleware or the router runs.
///
/// Each instance keeps its own copy. On PostgreSQL (several instances), a write on one
/// instance bumps a shared generation number in the database and every instance drops
/// its copy when it sees the number change (`PageCacheSync`, once a second). Nothing here
/// is needed for correctness: a cold cache only costs a render.
final class PageCache: Sendable {
    struct Entry: Sendable {
        let body: ByteBuffer
        let etag: String
        let headers: HTTPHeaders
        /// Served only to requests without a session cookie: a signed-in person may be
        /// shown more on this page (the program page's staff links), so the route decides.
        var anonymousOnly = false
        /// When the page goes stale by itself (the first listed class starts), not only by
        /// a write.
        var expires: Date? = nil
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    /// Whether pages carry Strict-Transport-Security (the site is served over HTTPS).
    let hsts: Bool

    init(hsts: Bool = false) { self.hsts = hsts }
    /// Set by a local write; `PageCacheSync` tells the other instances.
    private let pendingBump = NIOLockedValueBox(false)

    func response(
        for request: Request, key: String, contentType: HTTPMediaType = .html,
        extraHeaders: [(String, String)] = [], render: () async throws -> String
    ) async rethrows -> Response {
        try await response(for: request, key: key, contentType: contentType, extraHeaders: extraHeaders, anonymousOnly: false) {
            (try await render(), nil)
        }
    }

    /// As above, for a page that goes stale at a known time (`expires`) or that a signed-in
    /// person may see differently (`anonymousOnly`).
    func response(
        for request: Request, key: String, contentType: HTTPMediaType = .html,
        extraHeaders: [(String, String)] = [], anonymousOnly: Bool,
        render: () async throws -> (html: String, expires: Date?)
    ) async rethrows -> Response {
        let entry: Entry
        if let cached = entries.withLockedValue({ $0[key] }), cached.expires.map({ $0 > Date() }) ?? true {
            entry = cached
        } else {
            let (html, expires) = try await render()
            let etag = "\"" + SHA256.hash(data: Data(html.utf8)).hex.prefix(20) + "\""
            var headers = HTTPHeaders()
            headers.contentType = contentType
            for (name, value) in extraHeaders { headers.replaceOrAdd(name: name, value: value) }
            headers.replaceOrAdd(name: .eTag, value: etag)
            headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=60")
            // A browser that kept the public copy must not show it after signing in.
            if anonymousOnly { headers.add(name: .vary, value: "Cookie") }
            SecurityHeadersMiddleware.apply(to: &headers, hsts: hsts)
            entry = Entry(body: ByteBuffer(string: html), etag: etag, headers: headers, anonymousOnly: anonymousOnly, expires: expires)
            entries.withLockedValue { $0[key] = entry }
        }
        if request.headers.first(name: .ifNoneMatch) == entry.etag {
            return Response(status: .notModified, headers: entry.headers)
        }
        return Response(status: .ok, headers: entry.headers, body: .init(buffer: entry.body))
    }

    /// The cached response, if the page is cached: no task switch, no render.
    /// `ignoringCookies`: the caller has already seen that nobody is signed in.
    func cached(for request: Request, key: String, ignoringCookies: Bool = false) -> Response? {
        guard let entry = entries.withLockedValue({ $0[key] }) else { return nil }
        if let expires = entry.expires, expires <= Date() { return nil }
        if entry.anonymousOnly, !ignoringCookies, request.headers.first(name: .cookie) != nil,
            request.cookies[request.application.sessions.configuration.cookieName] != nil
        {
            return nil
        }
        if request.headers.first(name: .ifNoneMatch) == entry.etag {
            return Response(status: .notModified, headers: entry.headers)
        }
        return Response(status: .ok, headers: entry.headers, body: .init(buffer: entry.body))
    }

    func invalidate(prefix: String) {
        entries.withLockedValue { $0 = $0.filter { !$0.key.hasPrefix(prefix) } }
        pendingBump.withLockedValue { $0 = true }
    }

    func invalidateAll() {
        entries.withLockedValue { $0.removeAll() }
        pendingBump.withLockedValue { $0 = true }
    }

    /// Drops every page because another instance wrote (does not tell the others again).
    func dropForOtherInstance() {
        entries.withLockedValue { $0.removeAll() }
    }

    /// Whether a local write happened since the last call.
    func takePendingBump() -> Bool {
        pendingBump.withLockedValue { value in
            defer { value = false }; return value
        }
    }
}

/// Serves cached public pages first, before the other middleware and the router: a hit
/// needs none of them (its headers, security headers included, are in the entry; a GET
/// checks no CSRF token; nothing can fail). bench/pages.sh showed the chain and the async
/// route handlers costing a fifth of what bare Vapor serves on this machine.
///
/// Only a GET for a path with no query string is looked up, and only the exact path: a
/// page's key is its path, so the route at that path would answer with the same entry.
/// Everything else, and every miss, goes down the chain as usual and fills the cache.
struct PageCacheFrontMiddleware: Middleware {
    let cache: PageCache

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        if request.method == .GET, request.url.query == nil, let hit = cache.cached(for: request, key: request.url.path) {
            return request.eventLoop.makeSucceededFuture(hit)
        }
        return next.respond(to: request)
    }
}

extension RoutesBuilder {
    /// A GET route for a page that is the same for everyone: served from the cache
    /// synchronously when it is there, rendered (async) and cached when it is not.
    @discardableResult
    func cachedPage(
        _ url: SiteURL, cache: PageCache, contentType: HTTPMediaType = .html,
        extraHeaders: [(String, String)] = [], render: @escaping @Sendable (Request) async throws -> String
    ) -> Route {
        let key = url.path
        return get(url.pathComponents) { request -> EventLoopFuture<Response> in
            if let hit = cache.cached(for: request, key: key) { return request.eventLoop.makeSucceededFuture(hit) }
            return request.eventLoop.makeFutureWithTask {
                try await cache.response(for: request, key: key, contentType: contentType, extraHeaders: extraHeaders) {
                    try await render(request)
                }
            }
        }
    }
}
