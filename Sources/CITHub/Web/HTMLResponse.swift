import Vapor

/// A page rendered for this request: HTML, and never kept by a cache (it may name who is
/// signed in or carry a CSRF token). Cached public pages go through `PageCache` instead.
func htmlResponse(_ page: Page, status: HTTPResponseStatus = .ok) -> Response {
    let response = Response(status: status, body: .init(string: page.render()))
    response.headers.contentType = .html
    response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
    return response
}
