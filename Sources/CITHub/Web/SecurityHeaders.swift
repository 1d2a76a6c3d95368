import Vapor

/// Headers every response carries. The policy allows no inline script and nothing from
/// another origin, which is also what rule 7 (no third-party requests) needs.
// A future-based middleware, not AsyncMiddleware: every async hop costs a task switch on
// the hot path of cached pages (bench/pages.sh).
struct SecurityHeadersMiddleware: Middleware {
    static let contentSecurityPolicy = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ].joined(separator: "; ")

    let hsts: Bool

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let hsts = self.hsts
        return next.respond(to: request).map { response in
            // Cached pages carry their headers already; skip the work on the hot path.
            if !response.headers.contains(name: "X-Content-Type-Options") {
                Self.apply(to: &response.headers, hsts: hsts)
            }
            return response
        }
    }

    static func apply(to headers: inout HTTPHeaders, hsts: Bool) {
        if !headers.contains(name: "Content-Security-Policy") {
            headers.replaceOrAdd(name: "Content-Security-Policy", value: contentSecurityPolicy)
        }
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        // Pages whose address carries a secret (a registration's cancel link, a certificate's
        // print link) send `no-referrer` themselves; that must survive.
        if !headers.contains(name: "Referrer-Policy") {
            headers.replaceOrAdd(name: "Referrer-Policy", value: "strict-origin-when-cross-origin")
        }
        if !headers.contains(name: "X-Frame-Options")
            && !(headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors *") ?? false)
        {
            headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        }
        headers.replaceOrAdd(name: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        if hsts { headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000") }
    }
}
