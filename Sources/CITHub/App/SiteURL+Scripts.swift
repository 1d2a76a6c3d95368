import Foundation

extension SiteURL {
    /// The addresses the browser scripts use, by name, so that the scripts can read them
    /// from Swift instead of spelling paths of their own. Today the offline script
    /// registers the service worker, and the worker caches the pages and assets that make
    /// the crisis helper work offline (`CrisisHelperAssets`).
    static let scriptURLs: [String: String] = [
        // crisis-sw.js: the pages it keeps for offline use
        "home": SiteURL.home.path,
        "map": SiteURL.map.path,
        "crisis": SiteURL.crisis.path,
        // crisis-sw.js: the files those pages load
        "stylesheet": SiteURL.stylesheet.path,
        "crisisStylesheet": SiteURL.crisisStylesheet.path,
        "crisisScript": SiteURL.crisisScript.path,
        "crisisOfflineScript": SiteURL.crisisOfflineScript.path,
        "favicon": SiteURL.favicon.path,
        // crisis-sw.js: any other asset a cached page names is fetched and kept too
        "assetsPrefix": SiteURL.stylesheet.parentPath + "/",
        // offline.js: where the worker is, and the scope it is registered with
        "serviceWorker": SiteURL.crisisServiceWorker.path,
        "serviceWorkerScope": SiteURL.home.path,
    ]

    /// `scriptURLs` as a JSON object, ready to be put into a script
    /// (`var URLS = __SITE_URLS__;`). Keys are sorted so the text, and so the worker's
    /// version hash, is the same on every start.
    static let scriptURLsJSON: String = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(scriptURLs)) ?? Data("{}".utf8), as: UTF8.self)
    }()
}
