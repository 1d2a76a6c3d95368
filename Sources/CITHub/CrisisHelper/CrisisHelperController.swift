import Vapor
import CITDomain

/// The crisis call helper (issue 3). Privacy is the rule here: the cached page builds
/// the script in the browser, and the form that works without JavaScript is turned into
/// a page and forgotten: nothing is written, nothing of it is logged, and the answer is
/// `Cache-Control: no-store` so no cache keeps it either.
enum CrisisHelperController {
    static func register(on app: Application) {
        let cache = app.pageCache
        app.get(SiteURL.crisis.pathComponents) { req in
            try await cache.response(for: req, key: SiteURL.crisis.path) {
                CrisisHelperViews.helperPage(chrome: req.publicChrome).render()
            }
        }
        app.get(SiteURL.crisisPlan.pathComponents, use: formPage)
        app.post(SiteURL.crisis.pathComponents, use: makePlan)
        CrisisHelperAssets.register(on: app)
    }

    /// The form for browsers without JavaScript. It carries a CSRF token, so it is
    /// rendered for each request (the cached `/crisis` cannot hold one).
    @Sendable static func formPage(req: Request) async throws -> Response {
        let page = CrisisHelperViews.formPage(chrome: req.publicChrome, form: CrisisForm(), errors: [:], csrf: req.csrfToken)
        return html(page.render(), status: .ok)
    }

    /// Renders the script from the posted answers. Mistakes re-render the form with the
    /// answers kept and a message beside each field (422). A body that cannot be read at
    /// all is a 400 whose message repeats none of it.
    @Sendable static func makePlan(req: Request) async throws -> Response {
        guard let form = try? req.content.decode(CrisisForm.self) else {
            throw Abort(
                .badRequest, reason: "Your answers could not be read. Go back and try again, or call 911 now if anyone is in danger.")
        }
        let errors = form.errors
        if !errors.isEmpty {
            let page = CrisisHelperViews.formPage(chrome: req.publicChrome, form: form, errors: errors, csrf: req.csrfToken)
            return html(page.render(), status: .unprocessableEntity)
        }
        let page = CrisisHelperViews.resultPage(chrome: req.publicChrome, form: form, csrf: req.csrfToken, made: Date())
        return html(page.render(), status: .ok)
    }

    static func html(_ text: String, status: HTTPResponseStatus) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        // Personal answers: no browser, proxy or back-forward cache may keep this page.
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: status, headers: headers, body: .init(string: text))
    }
}
