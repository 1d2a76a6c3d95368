import Vapor
import CITDomain

/// Cross-site request forgery protection by a double-submit token: a random value in a
/// `SameSite=Lax`, `HttpOnly` cookie, repeated in a hidden field of every form. A POST
/// whose field does not match its cookie is refused with 403 before any handler runs,
/// so it can change nothing. No server state is needed, which keeps instances stateless.
/// The token is only minted when a page renders a form, so cached public pages never
/// set cookies.
enum CSRF {
    static let cookieName = "cithub_csrf"
    static let fieldName = "_csrf"

    struct Middleware: Vapor.Middleware {
        let secureCookies: Bool

        // Future-based so that a GET (the hot path) costs no task switch.
        func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
            let secure = secureCookies
            func pass() -> EventLoopFuture<Response> {
                next.respond(to: request).map { response in
                    if let minted = request.storage[MintedToken.self] {
                        response.cookies[cookieName] = HTTPCookies.Value(
                            string: minted, expires: nil, maxAge: nil, domain: nil, path: "/",
                            isSecure: secure, isHTTPOnly: true, sameSite: .lax)
                    }
                    return response
                }
            }
            guard Self.needsCheck(request) else { return pass() }
            // A body over the limit could not be read for its token; say what is wrong
            // instead of "the form expired".
            let limit = largeBodyPaths[request.url.path] ?? request.application.routes.defaultMaxBodySize.value
            let declared = request.headers.first(name: .contentLength).flatMap(Int.init)
            if let length = declared, length > limit {
                return request.eventLoop.makeFailedFuture(
                    Abort(
                        .payloadTooLarge,
                        reason: "What was sent is too large (more than \(limit / 1024) KB). Shorten the answers and try again."))
            }
            // Lazily: the body is read only once the check starts.
            let check = { () -> EventLoopFuture<Response> in
                request.eventLoop.makeFutureWithTask { await Self.isValid(request) }.flatMap { valid -> EventLoopFuture<Response> in
                    guard valid else {
                        request.logger.notice("csrf: refused \(request.method) \(SecretPaths.redact(request.url.path))")
                        return request.eventLoop.makeFailedFuture(
                            Abort(
                                .forbidden,
                                reason: "This form has expired or did not come from CIT Hub. Go back, reload the page and try again."))
                    }
                    return pass()
                }
            }
            // An upload larger than an ordinary form (or of unknown size) is read only for
            // someone signed in who may send it: the sign-in and permission checks of the
            // route run first, on the headers alone, so an anonymous client cannot make the
            // server read megabytes (issue 13).
            let small = request.application.routes.defaultMaxBodySize.value
            if request.body.data == nil, largeBodyPaths[request.url.path] != nil, declared.map({ $0 > small }) ?? true {
                return Self.authorizeUpload(request).flatMap { check() }
            }
            return check()
        }

        /// Runs the route's own gate (sessions, the signed-in user, the route's permission)
        /// before the body is read. A refusal is the route's usual answer: sign-in for
        /// someone signed out, 403 for a role without the permission.
        static func authorizeUpload(_ request: Request) -> EventLoopFuture<Void> {
            let app = request.application
            guard
                let permission = app.protectedRoutes.all.first(where: { $0.method == request.method && $0.path == request.url.path })?
                    .permission
            else {
                return request.eventLoop.makeFailedFuture(Abort(.forbidden))
            }
            let gate: [any Vapor.Middleware] = [
                app.sessions.middleware, AccountSessionAuthenticator(), RequirePermission(permission: permission),
            ]
            let allowed = AllowedResponder()
            return gate.makeResponder(chainingTo: allowed).respond(to: request).map { _ in }
        }

        /// The end of the upload gate: reached only when the gate let the request through.
        struct AllowedResponder: Responder {
            func respond(to request: Request) -> EventLoopFuture<Response> {
                request.eventLoop.makeSucceededFuture(Response(status: .noContent))
            }
        }

        static func needsCheck(_ request: Request) -> Bool {
            switch request.method {
            case .GET, .HEAD, .OPTIONS: return false
            default:
                // The JSON API authenticates with bearer tokens, never cookies, so a
                // forged cross-site request carries no credentials there.
                return !request.url.path.hasPrefix(SiteURL.apiPrefix)
            }
        }

        static func isValid(_ request: Request) async -> Bool {
            // Only a token of the shape CIT Hub makes: anything else did not come from here.
            guard let cookie = request.cookies[cookieName]?.string, TokenShape.isToken(cookie) else { return false }
            // Collect the body here: route handlers collect it later, but the check must
            // come first.
            if request.body.data == nil {
                let limit = largeBodyPaths[request.url.path] ?? request.application.routes.defaultMaxBodySize.value
                _ = try? await request.body.collect(max: limit).get()
            }
            guard let field = try? request.content.get(String.self, at: fieldName) else { return false }
            return constantTimeEquals(field, cookie)
        }
    }

    /// Forms that upload files: their bodies may be larger than the default limit, and
    /// the check must read the whole body to find the token.
    static let largeBodyPaths: [String: Int] = [SiteURL.encounterImport.path: EncountersController.importBodyLimit.value]

    struct MintedToken: StorageKey { typealias Value = String }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

extension Request {
    /// The CSRF token for forms on this page; mints one (and sets its cookie) if the
    /// browser has none yet.
    var csrfToken: String {
        // A cookie of any other shape (`"><script>`...) is replaced, never written into a page.
        if let existing = cookies[CSRF.cookieName]?.string, TokenShape.isToken(existing) { return existing }
        if let minted = storage[CSRF.MintedToken.self] { return minted }
        let token = [UInt8].random(count: 32).base64URLEncoded
        storage[CSRF.MintedToken.self] = token
        return token
    }
}
