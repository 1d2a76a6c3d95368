import Vapor
import CITDomain

/// The helper's stylesheet, browser script and service worker (files in
/// `Resources/assets/`, read at start-up by `AssetFiles`), served by the app (no CDN)
/// with ETags, like `Assets`. The script gets the seed's sentences from `CrisisPhrases`
/// at start-up, so they are written once, in Swift: `crisis.js` has `/*@PHRASES@*/` and
/// `/*@RULES@*/` places filled with JSON; `offline.js` and the worker get the site's
/// addresses the same way (`/*@URLS@*/`, from `ScriptURLs`).
enum CrisisHelperAssets {
    static let phrasesJSON: String = AssetFiles.json(CrisisPhrases.all)

    /// The framing rules' word lists (`CrisisFraming.rules`), for the same reason.
    static let rulesJSON: String = AssetFiles.json(CrisisFraming.rules)

    static let stylesheet = AssetFiles.text("crisis.css")

    static let script: String = AssetFiles.fill("crisis.js", ["PHRASES": phrasesJSON, "RULES": rulesJSON])

    /// Loaded by every page (`Page`): installs the offline worker for the whole site, so
    /// one visit to any page is enough for the home page, the map and the helper to open
    /// without a connection.
    static let offlineScript = AssetFiles.fill("offline.js", ["URLS": ScriptURLs.json])

    /// The worker with its addresses filled in, before its version is.
    private static let serviceWorkerTemplate = AssetFiles.text("crisis-sw.js")
        .replacingOccurrences(of: "/*@URLS@*/", with: ScriptURLs.json)

    /// Changes whenever the page's own files (or the addresses they use) change, so
    /// browsers install the new worker and drop the old cache.
    static let version: String = String(
        SHA256.hash(data: Data((script + stylesheet + offlineScript + serviceWorkerTemplate).utf8)).hex.prefix(12))

    static let serviceWorker: String = AssetFiles.fill("crisis-sw.js", ["URLS": ScriptURLs.json, "VERSION": version])

    static func register(on app: Application) {
        let js = HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])
        Assets.serve(
            stylesheet, at: .crisisStylesheet, type: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"]), on: app)
        Assets.serve(script, at: .crisisScript, type: js, on: app)
        Assets.serve(offlineScript, at: .crisisOfflineScript, type: js, on: app)
        // The worker must be checked for updates on every visit, not kept for an hour.
        app.get(SiteURL.crisisServiceWorker.pathComponents) { _ -> Response in
            var headers = HTTPHeaders()
            headers.contentType = js
            headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
            return Response(status: .ok, headers: headers, body: .init(string: serviceWorker))
        }
    }
}
