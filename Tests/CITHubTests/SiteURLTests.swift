import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CITHub

@Suite("Every path once, in SiteURL")
struct SiteURLTests {
    /// "/classes/:id/roster" for a registered route, "/" for the home page.
    static func pattern(_ route: Route) -> String {
        "/" + route.path.map(\.description).joined(separator: "/")
    }

    @Test("every registered route is exactly one SiteURL case, and every case is registered")
    func routesComeFromSiteURL() async throws {
        try await withCITHub { app in
            // setup
            let patterns = SiteURL.allRoutes.map(\.path)
            // validate: no two cases share a pattern
            #expect(Set(patterns).count == patterns.count, "two SiteURL cases have the same path")
            // MUT: the routes the app registered
            let registered = app.routes.all.map { (method: $0.method, pattern: Self.pattern($0)) }
            #expect(registered.count > 90)
            // validate
            for route in registered {
                let matches = patterns.filter { $0 == route.pattern }
                #expect(matches.count == 1, "\(route.method) \(route.pattern) is not one SiteURL case")
            }
            // The bench reference is its own application (`cithub bench-reference`).
            let unregistered = Set(patterns).subtracting(registered.map(\.pattern))
            #expect(unregistered == [SiteURL.benchReferencePage(.key).path], "SiteURL cases with no route: \(unregistered.sorted())")
        }
    }

    @Test("the role matrix registry records the same patterns")
    func protectedRoutesArePatterns() async throws {
        try await withCITHub { app in
            let patterns = Set(SiteURL.allRoutes.map(\.path))
            for route in app.protectedRoutes.all {
                #expect(patterns.contains(route.path), "\(route.method) \(route.path)")
            }
            #expect(app.protectedRoutes.all.contains { $0.path == SiteURL.classRoster(.key).path && $0.method == .GET })
        }
    }

    @Test("links: values in place of keys, ids in lower case, query strings added on")
    func links() {
        let id = UUID(uuidString: "6F1C1D5E-8C2B-4B8A-9E0E-0A1B2C3D4E5F")!
        let lower = "6f1c1d5e-8c2b-4b8a-9e0e-0a1b2c3d4e5f"
        #expect(SiteURL.home.path == "/")
        #expect(SiteURL.home.pathComponents.isEmpty)
        #expect(SiteURL.classRoster(.key).path == "/classes/:id/roster")
        #expect(SiteURL.classRoster(.value(id)).path == "/classes/\(lower)/roster")
        #expect(SiteURL.classRegistrationCancel(.value(id), .value(id)).path == "/classes/\(lower)/registrations/\(lower)/cancel")
        #expect(
            SiteURL.evaluationSheet(.key, .key, .key).pathComponents.map(\.description) == [
                "classes", ":id", "evaluations", ":registration", ":scenario",
            ])
        #expect(SiteURL.programEdit(.value("abc")).path == "/programs/abc/edit")
        #expect(SiteURL.invitation(.key).parentPath == "/invitation")
        #expect(SiteURL.registrationConfirm(.key).parentPath == "/registrations/confirm")
        #expect(SiteURL.attendancePath(id, block: 2) == "/classes/\(lower)/attendance?block=2")
        #expect(SiteURL.attendancePath(id, block: nil) == "/classes/\(lower)/attendance")
        #expect(SiteURL.apiPrefix == "/api/")
        #expect(SiteURL.apiClassRoster(.key).path == "/api/v1/classes/:id/roster")
    }

    @Test("the browser scripts' addresses are SiteURL cases")
    func scriptURLs() throws {
        let cases = Set(SiteURL.allRoutes.map(\.path))
        for (name, path) in ScriptURLs.all where name != "assets" {
            #expect(cases.contains(path), "\(name): \(path) is no SiteURL case")
        }
        #expect(ScriptURLs.all["assets"] == "/assets/")
        let json = try JSONSerialization.jsonObject(with: Data(ScriptURLs.json.utf8)) as? [String: String]
        #expect(json == ScriptURLs.all)
    }

    // MARK: the source scan

    /// Sources/CITHub, found from this file: Tests/CITHubTests/SiteURLTests.swift.
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/CITHub")

    /// Quoted strings that start like a path: a slash, then a letter or a colon.
    static func pathLiterals(in text: String) -> [Substring] {
        text.matches(of: /"\/[A-Za-z:][^"\n]*"/).map { text[$0.range] }
    }

    /// The few path-like strings that are not this site's paths, or not yet SiteURL's.
    static let allowed: Set<String> = [
        // A program on the server, not a page.
        "PostgresBackup.swift \"/usr/bin/env\""
    ]

    @Test("no route is registered from a string, and no path is spelled outside SiteURL")
    func noPathLiterals() throws {
        let files = try #require(FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(files.count > 50, "Sources/CITHub not found at \(Self.sources.path)")
        let registration = [
            /\.(?:get|post|on)\(\s*"/,
            /\.on\(\s*\.[A-Za-z]+\s*,\s*"/,
            /grouped\(\s*"/,
            /cachedPage\(\s*"/,
        ]
        var found: [String] = []
        for file in files where !file.lastPathComponent.hasPrefix("SiteURL") {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let place = "\(file.lastPathComponent):\(number + 1)"
                // `req.parameters.get("id")` reads a parameter; it registers nothing.
                let code = line.replacingOccurrences(of: "parameters.get(", with: "")
                if registration.contains(where: { code.contains($0) }) { found.append("\(place) registers a route from a string: \(line)") }
                for literal in Self.pathLiterals(in: String(line)) where !Self.allowed.contains("\(file.lastPathComponent) \(literal)") {
                    found.append("\(place) spells a path: \(literal)")
                }
            }
        }
        #expect(found.isEmpty, "\(found.count) found:\n\(found.joined(separator: "\n"))")
    }
}
