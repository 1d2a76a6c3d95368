import Vapor
import NIOConcurrencyHelpers

/// Rendered public pages kept as bytes with their ETag. Rendering a page costs about ten
/// times what sending it does (design/PERFORMANCE.md), and public pages change only when
/// their data does: writes call `invalidate`, readers get the bytes.
///
/// Each instance keeps its own copy; a write on one instance bumps `generation` so the
/// others re-render (see `invalidateAll`). Nothing here is needed for correctness: a
/// cold cache only costs a render.
final class PageCache: Sendable {
    struct Entry: Sendable {
        let body: ByteBuffer
        let etag: String
        let headers: HTTPHeaders
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])

    func response(for request: Request, key: String, contentType: HTTPMediaType = .html,
                  extraHeaders: [(String, String)] = [], render: () async throws -> String) async rethrows -> Response {
        let entry: Entry
        if let cached = entries.withLockedValue({ $0[key] }) {
            entry = cached
        } else {
            let html = try await render()
            let etag = "\"" + SHA256.hash(data: Data(html.utf8)).hex.prefix(20) + "\""
            var headers = HTTPHeaders()
            headers.contentType = contentType
            for (name, value) in extraHeaders { headers.replaceOrAdd(name: name, value: value) }
            headers.replaceOrAdd(name: .eTag, value: etag)
            headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=60")
            SecurityHeadersMiddleware.apply(to: &headers, hsts: false)
            entry = Entry(body: ByteBuffer(string: html), etag: etag, headers: headers)
            entries.withLockedValue { $0[key] = entry }
        }
        if request.headers.first(name: .ifNoneMatch) == entry.etag {
            return Response(status: .notModified, headers: entry.headers)
        }
        return Response(status: .ok, headers: entry.headers, body: .init(buffer: entry.body))
    }

    func invalidate(prefix: String) {
        entries.withLockedValue { $0 = $0.filter { !$0.key.hasPrefix(prefix) } }
    }

    func invalidateAll() {
        entries.withLockedValue { $0.removeAll() }
    }
}
