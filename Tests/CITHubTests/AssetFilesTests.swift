import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CITHub

/// The stylesheets, scripts and icon in `Resources/assets/` (issue 14): each one served,
/// with its content type and caching, and no script writing a site address of its own.
@Suite("Asset files: served from Resources/assets, addresses from Swift")
struct AssetFilesTests {
    /// The source folder (the templates, before anything is filled in).
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/CITHub/Resources")

    static var assetFolderNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("assets").path)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test("the folder holds exactly the files AssetFiles serves")
    func folderMatchesNames() {
        // setup, MUT
        let onDisk = Self.assetFolderNames
        // validate
        #expect(!onDisk.isEmpty)
        #expect(onDisk == AssetFiles.names.sorted())
    }

    @Test("every asset file is served with its content type, an ETag or no-cache, and nosniff")
    func everyFileServed() async throws {
        try await withCITHub { app in
            let browser = TestBrowser(app)
            for name in AssetFiles.names {
                // setup: the worker is at the site's root (its scope); the rest under /assets/.
                let path = name == "crisis-sw.js" ? SiteURL.crisisServiceWorker.path : "/assets/\(name)"
                let type =
                    switch (name as NSString).pathExtension {
                    case "css": "text/css; charset=utf-8"
                    case "js": "text/javascript; charset=utf-8"
                    default: "image/svg+xml"
                    }
                // MUT
                let response = try await browser.get(path)
                // validate
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers.first(name: .contentType) == type, "\(path)")
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff", "\(path)")
                #expect(!response.text.isEmpty, "\(path)")
                #expect(!response.text.contains("/*@"), "\(path): every place filled")
                if name == "crisis-sw.js" {
                    #expect(response.headers.first(name: .cacheControl) == "no-cache")
                } else {
                    #expect(response.headers.first(name: .cacheControl) == "public, max-age=3600", "\(path)")
                    let etag = try #require(response.headers.first(name: .eTag), "\(path)")
                    #expect(try await browser.get(path, headers: ["If-None-Match": etag]).status == .notModified, "\(path)")
                }
            }
        }
    }

    @Test("files that nothing is filled into are served byte for byte")
    func servedAsWritten() async throws {
        try await withCITHub { app in
            let browser = TestBrowser(app)
            for name in [
                "site.css", "crisis.css", "attendance.css", "attendance.js", "agenda-rows.js", "training.css", "certificate.css",
                "outcomes.css", "favicon.svg",
            ] {
                let file = try String(contentsOf: Self.folder.appendingPathComponent("assets/\(name)"), encoding: .utf8)
                #expect(try await browser.get("/assets/\(name)").text == file, "\(name)")
            }
        }
    }

    @Test("no script under Resources writes a site path: they come from ScriptURLs")
    func noLiteralSitePaths() throws {
        // A quoted string that starts with "/" and a letter, digit or another quote ("/").
        let sitePath = try Regex(#"["'`]/([A-Za-z0-9_.-]|["'`])"#)
        // Not site paths: the "1/3 " numbering of split text messages.
        let allowed = ["crisis.js": [#"(i + 1) + "/" + packed.length"#]]
        let scripts =
            FileManager.default.enumerator(at: Self.folder, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "js" } ?? []
        #expect(scripts.count >= 5)
        for url in scripts {
            var text = try String(contentsOf: url, encoding: .utf8)
            for snippet in allowed[url.lastPathComponent] ?? [] {
                #expect(text.contains(snippet), "allow-list entry still needed in \(url.lastPathComponent)")
                text = text.replacingOccurrences(of: snippet, with: "")
            }
            let hits = text.matches(of: sitePath).map { String(text[$0.range]) }
            #expect(hits.isEmpty, "\(url.lastPathComponent) writes site paths \(hits); take them from ScriptURLs")
        }
    }

    @Test("every address the scripts get is a route of the site")
    func scriptURLsAreRoutes() async throws {
        try await withCITHub { app in
            let browser = TestBrowser(app)
            for (key, path) in ScriptURLs.all.sorted(by: { $0.key < $1.key }) {
                if key == "assets" { continue }
                let status = try await browser.get(path).status
                #expect(status == .ok, "\(key): \(path)")
            }
            #expect(
                ScriptURLs.all.values.filter { $0.hasSuffix(".css") || $0.hasSuffix(".js") || $0.hasSuffix(".svg") }
                    .allSatisfy { $0.hasPrefix(ScriptURLs.all["assets"]!) || $0 == SiteURL.crisisServiceWorker.path })
        }
    }

    @Test("a /*@NAME@*/ place is filled once at load, with the value given")
    func fill() {
        // MUT
        let offline = AssetFiles.fill("offline.js", ["URLS": #"{"home":"/x"}"#])
        // validate
        #expect(offline.contains(#"})({"home":"/x"});"#))
        #expect(!offline.contains("/*@"))
    }
}
