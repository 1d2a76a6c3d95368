import Vapor

/// The stylesheet and icon, served by the app itself (no CDN, no web fonts); the ETag
/// lets browsers keep them. They are files in `Resources/assets/`, read once at start-up
/// (`AssetFiles`); every other feature's stylesheets and scripts are served through
/// `serve` the same way.
enum Assets {
    static let stylesheet = AssetFiles.text("site.css")

    static let favicon = AssetFiles.text("favicon.svg")

    static func register(on routes: any RoutesBuilder) {
        serve(stylesheet, at: .stylesheet, type: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"]), on: routes)
        serve(favicon, at: .favicon, type: HTTPMediaType(type: "image", subType: "svg+xml"), on: routes)
    }

    static func serve(_ text: String, at url: SiteURL, type: HTTPMediaType, on routes: any RoutesBuilder) {
        let body = ByteBuffer(string: text)
        let etag = "\"" + SHA256.hash(data: Data(text.utf8)).hex.prefix(16) + "\""
        routes.get(url.pathComponents) { request -> Response in
            var headers = HTTPHeaders()
            headers.contentType = type
            headers.replaceOrAdd(name: .eTag, value: etag)
            headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
            if request.headers.first(name: .ifNoneMatch) == etag { return Response(status: .notModified, headers: headers) }
            return Response(status: .ok, headers: headers, body: .init(buffer: body))
        }
    }
}
