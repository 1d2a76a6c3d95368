import Vapor
import Plot
import CITDomain

/// An RFC 9457 problem document, the body of every error under `/api/`.
struct ProblemDetails: Content {
    var type: String = "about:blank"
    var title: String
    var status: Int
    var detail: String?
    var instance: String?
}

/// Turns every error into a page a person can act on (HTML) or a problem document
/// (`/api/`), never a stack trace. Unknown errors are logged with a reference number that
/// the page shows, so a report can be matched to the log without exposing internals.
struct ErrorPagesMiddleware: Middleware {
    let chrome: @Sendable (Request) -> PageChrome

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let chrome = self.chrome
        return next.respond(to: request).flatMapErrorThrowing { error in
            Self.response(for: error, request: request, chrome: chrome(request))
        }
    }

    /// Connection-level database failures (PostgreSQL restarting, a closed connection, a
    /// pool that cannot connect), as opposed to a query that is wrong.
    static func isDatabaseUnavailable(_ error: any Error) -> Bool {
        let text = String(reflecting: error)
        // PostgreSQL's SQLSTATE classes 08 (connection exception) and 57P (operator
        // intervention: shutting down, starting up) are temporary too.
        return [
            "serverClosedConnection", "connectionError", "connectionClosed", "ConnectionPoolError", "connectionRefused",
            "NIOConnectionError",
            "uncleanShutdown", "sqlState: 08", "sqlState: 57P", "poolClosed", "connectionPoolTimeout",
        ]
        .contains { text.contains($0) }
    }

    static func response(for error: any Error, request: Request, chrome: PageChrome) -> Response {
        let status: HTTPResponseStatus
        var reason: String
        var headers = HTTPHeaders()
        switch error {
        case let abort as any AbortError:
            status = abort.status
            reason = abort.reason
            headers = abort.headers
        case is DecodingError:
            status = .badRequest
            reason = "The request could not be read."
        default:
            if Self.isDatabaseUnavailable(error) {
                // The database is restarting or unreachable: a temporary state, say so.
                status = .serviceUnavailable
                reason = "CIT Hub cannot reach its database just now. Try again in a minute."
                headers.replaceOrAdd(name: "Retry-After", value: "10")
            } else {
                status = .internalServerError
                reason = "Something went wrong on our side."
            }
        }
        let reference = String([UInt8].random(count: 6).base64URLEncoded)
        if status.code >= 500 {
            // Never a one-time link's secret in the log (issue 13): the path and the error are redacted.
            request.logger.error(
                "request failed",
                metadata: [
                    "ref": .string(reference), "path": .string(SecretPaths.redact(request.url.path)),
                    "error": .string(SecretPaths.redact(String(reflecting: error))),
                ])
            reason =
                status == .serviceUnavailable
                ? "\(reason) (Reference \(reference).)"
                : "Something went wrong on our side. It has been logged (reference \(reference))."
        } else {
            request.logger.debug(
                "request refused",
                metadata: ["status": .stringConvertible(status.code), "path": .string(SecretPaths.redact(request.url.path))])
        }
        // Vapor's own messages for a bad status read like code; say it plainly.
        if reason == status.reasonPhrase || reason.isEmpty { reason = plainReason(status) }

        // Compare the words: HTTPMediaType's == treats */* as equal to JSON, and curl sends */*.
        let wantsJSON = request.headers.accept.first.map { $0.mediaType.type == "application" && $0.mediaType.subType == "json" } ?? false
        if request.url.path.hasPrefix(SiteURL.apiPrefix) || wantsJSON {
            let problem = ProblemDetails(title: status.reasonPhrase, status: Int(status.code), detail: reason, instance: request.url.path)
            let response = Response(status: status, headers: headers)
            try? response.content.encode(problem, as: .json)
            response.headers.contentType = HTTPMediaType(type: "application", subType: "problem+json")
            return response
        }
        if status == .unauthorized {
            let next = request.url.path.hasPrefix("/") ? request.url.path : "/"
            return request.redirect(
                to: SiteURL.login.path + "?next="
                    + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "/-_"))) ?? "/"),
                redirectType: .normal)
        }
        let page = Page(
            title: title(status), chrome: chrome,
            main: [
                .h1(.text(title(status))),
                .p(.text(reason)),
                .p(
                    .a(.href(SiteURL.home.path), .text("Go to the home page")), .text(" or "),
                    .a(.href(SiteURL.crisis.path), .text("get help now")), .text(".")),
            ])
        let response = Response(status: status, headers: headers, body: .init(string: page.render()))
        response.headers.contentType = .html
        return response
    }

    static func title(_ status: HTTPResponseStatus) -> String {
        switch status.code {
        case 400: "That request could not be read"
        case 403: "You can't do that here"
        case 404: "Page not found"
        case 410: "This link has already been used or has expired"
        case 413: "That was too much to send"
        case 422: "Please check what you entered"
        case 429: "Too many attempts"
        case 500...: "Something went wrong"
        default: status.reasonPhrase
        }
    }

    static func plainReason(_ status: HTTPResponseStatus) -> String {
        switch status.code {
        case 403:
            "Your account does not have access to this page. If you think it should, ask your program's coordinator or the state administrator."
        case 404: "There is no page at this address. It may have moved."
        case 410: "Ask for a new link."
        default: status.reasonPhrase
        }
    }
}

/// Answers a request line or header block too large with 414 or 431 and a short page,
/// first of all middleware (issue 13). Browsers send a few KB; a request far past that is
/// a mistake or an attack, and deserves an answer rather than work.
///
/// Limitation: NIO's HTTP decoder (which Vapor builds without a hook for our own channel
/// handlers) refuses a head over 80 KB itself and Vapor closes the connection without a
/// word; only heads between these limits and 80 KB get the page.
struct RequestHeadLimitMiddleware: Middleware {
    static let maxURIBytes = 8 * 1024
    static let maxHeaderBytes = 32 * 1024

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        if request.url.string.utf8.count > Self.maxURIBytes {
            return request.eventLoop.makeSucceededFuture(
                Self.page(
                    .uriTooLong, "That address is too long",
                    "The address (with what follows its ?) is longer than \(Self.maxURIBytes / 1024) KB. Go back and try a shorter search or link."
                ))
        }
        var headerBytes = 0
        for (name, value) in request.headers { headerBytes += name.utf8.count + value.utf8.count + 4 }
        if headerBytes > Self.maxHeaderBytes {
            return request.eventLoop.makeSucceededFuture(
                Self.page(
                    .requestHeaderFieldsTooLarge, "Too much was sent with the request",
                    "The request's headers are larger than \(Self.maxHeaderBytes / 1024) KB. Clearing this site's cookies usually fixes it."
                ))
        }
        return next.respond(to: request)
    }

    static func page(_ status: HTTPResponseStatus, _ title: String, _ text: String) -> Response {
        let html =
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(title) · CIT Hub</title></head>"
            + "<body><h1>\(title)</h1><p>\(text)</p><p><a href=\"/\">Go to the home page</a></p></body></html>"
        var headers = HTTPHeaders()
        headers.contentType = .html
        headers.replaceOrAdd(name: .connection, value: "close")
        SecurityHeadersMiddleware.apply(to: &headers, hsts: false)
        return Response(status: status, headers: headers, body: .init(string: html))
    }
}
