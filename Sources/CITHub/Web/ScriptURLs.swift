/// Every site address a browser script uses, in one place and taken from `SiteURL` (and
/// the helper's `CrisisURL`), so a moved page cannot leave a script pointing at the old
/// one. The scripts that need them (`offline.js`, `crisis-sw.js`) receive this table as
/// one JSON object, `U`, filled in at start-up (`AssetFiles.fill`); no script under
/// `Resources/assets/` writes a site path itself (a test checks).
enum ScriptURLs {
    static var all: [String: String] {
        [
            "home": SiteURL.home,
            "map": SiteURL.map,
            "crisis": CrisisURL.helper,
            "siteStylesheet": SiteURL.stylesheet,
            "favicon": SiteURL.favicon,
            "crisisStylesheet": CrisisURL.stylesheet,
            "crisisScript": CrisisURL.script,
            "offlineScript": CrisisURL.offlineScript,
            "serviceWorker": CrisisURL.serviceWorker,
            // The folder every file of `AssetFiles` is served from; the worker keeps any
            // file under it that a kept page links to.
            "assets": "/assets/",
        ]
    }

    /// `all` as the JSON object the scripts read.
    static var json: String { AssetFiles.json(all) }
}
