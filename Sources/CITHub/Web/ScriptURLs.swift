/// Every site address a browser script uses, in one place and taken from `SiteURL`, so a
/// moved page cannot leave a script pointing at the old one. The scripts that need them
/// (`offline.js`, `crisis-sw.js`) receive this table as one JSON object, `U`, filled in at
/// start-up (`AssetFiles.fill`); no script under `Resources/assets/` writes a site path
/// itself (`AssetFilesTests` checks).
enum ScriptURLs {
    static let all: [String: String] = [
        // crisis-sw.js: the pages it keeps for offline use
        "home": SiteURL.home.path,
        "map": SiteURL.map.path,
        "crisis": SiteURL.crisis.path,
        // crisis-sw.js: the files those pages load
        "siteStylesheet": SiteURL.stylesheet.path,
        "favicon": SiteURL.favicon.path,
        "crisisStylesheet": SiteURL.crisisStylesheet.path,
        "crisisScript": SiteURL.crisisScript.path,
        "offlineScript": SiteURL.crisisOfflineScript.path,
        // offline.js: where the worker is
        "serviceWorker": SiteURL.crisisServiceWorker.path,
        // The folder every file of `AssetFiles` is served from; the worker keeps any
        // file under it that a kept page links to.
        "assets": SiteURL.stylesheet.parentPath + "/",
    ]

    /// `all` as the JSON object the scripts read (sorted keys, so the worker's version
    /// hash is the same on every start).
    static var json: String { AssetFiles.json(all) }
}
