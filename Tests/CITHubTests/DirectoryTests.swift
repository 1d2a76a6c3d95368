import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

/// Loads counties, ZIP codes and the sourced Wisconsin programs.
func loadDirectory(_ app: Application) async throws {
    _ = try await ReferenceData.load(on: app.db, stateCode: "WI", logger: app.logger)
    _ = try await DirectoryStarterData.load(on: app.db, stateCode: "WI", logger: app.logger)
}

func programID(_ app: Application, named name: String) async throws -> String {
    try #require(try await Program.query(on: app.db).filter(\.$name == name).first()?.id?.uuidString)
}

@Suite("Directory: public pages and exports")
struct DirectoryPublicTests {
    @Test("the starter programs load once, as reported and not verified")
    func starterData() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            #expect(try await Program.query(on: app.db).count() == 11)
            let again = try await DirectoryStarterData.load(on: app.db, stateCode: "WI", logger: app.logger)
            #expect(again == .init())
            #expect(try await Program.query(on: app.db).filter(\.$lastVerifiedAt != nil).count() == 0)
            #expect(try await ZipCounty.query(on: app.db).count() == 1318)
        }
    }

    @Test("the map: an SVG county per FIPS, each a link, a legend, the same facts as a table, and an honest date line")
    func map() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let response = try await TestBrowser(app).get(SiteURL.map)
            #expect(response.status == .ok)
            let html = response.text
            #expect(html.components(separatedBy: "data-fips=\"").count - 1 == 72)
            #expect(html.contains("href=\"/counties/55025\""))
            #expect(html.contains("cov-cit"))
            #expect(html.contains("No program record has been verified by a coordinator yet; 11 programs"))
            #expect(html.contains("<caption>"))
            #expect(html.contains("Dane County"))
            #expect(html.utf8.count < 120_000)
        }
    }

    @Test("county and program pages; unknown codes are a clear 404")
    func countyAndProgram() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let browser = TestBrowser(app)
            let dane = try await browser.get(SiteURL.county("55025"))
            #expect(dane.status == .ok)
            #expect(dane.text.contains("Dane County has a CIT program"))
            #expect(dane.text.contains("NAMI Dane County CIT/CIP"))
            #expect(dane.text.contains("href=\"/crisis\""))
            #expect(dane.text.contains("not yet verified"))
            let adams = try await browser.get(SiteURL.county("55001"))
            #expect(adams.text.contains("No CIT program is known in Adams County"))

            let id = try await programID(app, named: "NAMI Dane County CIT/CIP")
            let program = try await browser.get(SiteURL.program(id))
            #expect(program.status == .ok)
            #expect(program.text.contains("Madison Police Department"))
            #expect(program.text.contains("https://www.namidanecounty.org/cit-cip/"))
            #expect(program.text.contains("Reported by www.namidanecounty.org on 2016-11-21, not yet verified."))

            for bad in ["/counties/99999", "/counties/abc", "/counties/%3Cscript%3E", "/programs/not-a-uuid", "/programs/\(UUID().uuidString)"] {
                let response = try await browser.get(bad)
                #expect(response.status == .notFound, "\(bad)")
                #expect(!response.text.contains("<script>"))
            }
        }
    }

    @Test("search by ZIP (one county, several counties), city, county name; bad input answered clearly")
    func search() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let browser = TestBrowser(app)
            let madison = try await browser.get("/search?q=53703")
            #expect(madison.text.contains("href=\"/counties/55025\""))
            let multi = try await browser.get("/search?q=53066")
            #expect(multi.text.contains("reaches into 4 counties"))
            #expect(multi.text.components(separatedBy: "href=\"/counties/").count - 1 >= 4 + 0)
            let zipPlus4 = try await browser.get("/search?q=53703-1234")
            #expect(zipPlus4.text.contains("href=\"/counties/55025\""))
            let city = try await browser.get("/search?q=Appleton")
            #expect(city.text.contains("includes Appleton"))
            let county = try await browser.get("/search?q=fond%20du%20lac%20county")
            #expect(county.text.contains("Fond du Lac County"))
            let program = try await browser.get("/search?q=kenosha")
            #expect(program.text.contains("NAMI Kenosha CIT/CIP"))

            let malformed = try await browser.get("/search?q=5370")
            #expect(malformed.status == .unprocessableEntity)
            #expect(malformed.text.contains("A ZIP code has 5 digits"))
            let long = try await browser.get("/search?q=" + String(repeating: "a", count: 300))
            #expect(long.status == .unprocessableEntity)
            let script = try await browser.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E")
            #expect(script.status == .ok)
            #expect(!script.text.contains("<script>alert"))
            #expect(script.text.contains("Nothing matched"))
            let unknown = try await browser.get("/search?q=99999")
            #expect(unknown.text.contains("not in our list"))
        }
    }

    @Test("exports: CSV round-trips, GeoJSON has 72 county features, HSDS services validate their shape")
    func exports() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let browser = TestBrowser(app)
            let csv = try await browser.get(SiteURL.directoryCSV)
            #expect(csv.status == .ok)
            #expect(csv.headers.contentType?.subType == "csv")
            let rows = try CSV.parse(csv.text)
            #expect(rows.first == DirectoryExport.csvHeader)
            #expect(rows.count == 12)

            let geo = try await browser.get(SiteURL.directoryGeoJSON)
            let collection = try #require(try JSONSerialization.jsonObject(with: Data(buffer: geo.body)) as? [String: Any])
            let features = try #require(collection["features"] as? [[String: Any]])
            #expect(features.count == 72)
            let dane = try #require(features.first { $0["id"] as? String == "55025" })
            let properties = try #require(dane["properties"] as? [String: Any])
            #expect(properties["coverage"] as? String == "cit")
            #expect((dane["geometry"] as? [String: Any])?["type"] as? String == "Polygon")

            let hsds = try await browser.get(SiteURL.directoryHSDS)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(buffer: hsds.body)) as? [String: Any])
            let services = try #require(list["contents"] as? [[String: Any]])
            #expect(services.count == 11)
            for service in services {
                #expect(UUID(uuidString: service["id"] as? String ?? "") != nil)
                #expect(["active", "inactive", "defunct", "temporarily closed"].contains(service["status"] as? String ?? ""))
                #expect(!(service["name"] as? String ?? "").isEmpty)
                #expect(!((service["service_areas"] as? [Any]) ?? []).isEmpty)
            }
        }
    }

    @Test("the embeddable map may be framed; other pages may not")
    func embed() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let embed = try await TestBrowser(app).get(SiteURL.embedMap)
            #expect(embed.status == .ok)
            #expect(embed.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors *") == true)
            #expect(embed.headers.first(name: "X-Frame-Options") != "DENY")
            #expect(embed.text.contains("data-fips=\"55025\""))
            let map = try await TestBrowser(app).get(SiteURL.map)
            #expect(map.headers.first(name: "X-Frame-Options") == "DENY")
        }
    }
}

@Suite("Directory: editing")
struct DirectoryEditTests {
    static func form(_ overrides: [String: String] = [:]) -> [String: String] {
        var form = ["name": "Rock County CIT", "kind_cit": "on", "status": "forming", "counties": "Rock, Green", "year_started": "2019",
                    "website": "https://rock.example.org", "email": "cit@rock.example.org", "phone": "", "description": "Demo record for tests."]
        for (k, v) in overrides { form[k] = v }
        return form
    }

    @Test("an administrator creates, verifies and merges; the public pages follow at once")
    func administrator() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            _ = try await TestBrowser(app).get(SiteURL.county("55105"))  // cache the county page
            let created = try await admin.post(SiteURL.newProgram, Self.form())
            #expect(created.status == .seeOther)
            let id = try #require(created.location?.components(separatedBy: "/").last)
            let rock = try await TestBrowser(app).get(SiteURL.county("55105"))
            #expect(rock.text.contains("Rock County CIT"), "cached county page was refreshed")

            #expect(try await admin.post(SiteURL.programVerify(id), [:]).status == .seeOther)
            let map = try await TestBrowser(app).get(SiteURL.map)
            #expect(map.text.contains("Map last updated:"))

            let duplicate = try await admin.post(SiteURL.newProgram, Self.form(["name": "Rock Co. CIT (duplicate)", "counties": "Rock, Walworth", "kind_cip": "on"]))
            let duplicateID = try #require(duplicate.location?.components(separatedBy: "/").last)
            #expect(try await admin.post(SiteURL.programMerge(id), ["duplicate": duplicateID]).status == .seeOther)
            let merged = try await TestBrowser(app).get(SiteURL.program(duplicateID))
            #expect(merged.status == .movedPermanently)
            #expect(merged.location == SiteURL.program(id))
            let survivor = try await DirectoryQueries.programs(on: app.db, ids: [UUID(uuidString: id)!]).first
            #expect(Set(survivor?.counties.map(\.fips) ?? []) == ["55105", "55045", "55127"])
            #expect(Set(survivor?.kinds ?? []) == [.cit, .cip])

            let history = try await admin.get(SiteURL.programHistory(id))
            for action in ["program.created", "program.verified", "program.merged"] { #expect(history.text.contains(action)) }
        }
    }

    @Test("bad input is refused beside the field and nothing is written", arguments: [
        ["name": ""], ["name": "<script>alert(1)</script>"], ["name": String(repeating: "x", count: 201)],
        ["counties": "Atlantis"], ["counties": ""], ["year_started": "0"], ["year_started": "9999"], ["website": "javascript:alert(1)"],
        ["email": "not-an-email"], ["phone": "call me"], ["cit_accredited_on": "0000-01-01"], ["status": "sleeping"], ["kind_cit": ""],
    ])
    func badInput(override: [String: String]) async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            var form = Self.form(override)
            if override["kind_cit"] == "" { form["kind_cit"] = nil }
            let before = try await Program.query(on: app.db).count()
            let auditBefore = try await AuditEvent.query(on: app.db).count()
            let response = try await admin.post(SiteURL.newProgram, form)
            #expect(response.status == .unprocessableEntity, "\(override)")
            #expect(response.text.contains("class=\"error\""))
            #expect(!response.text.contains("<script>alert"))
            #expect(try await Program.query(on: app.db).count() == before)
            #expect(try await AuditEvent.query(on: app.db).count() == auditBefore)
        }
    }

    @Test("a coordinator edits their own program only; trainers and trainees cannot edit")
    func coordinatorScope() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let dane = try await programID(app, named: "NAMI Dane County CIT/CIP")
            let kenosha = try await programID(app, named: "NAMI Kenosha CIT/CIP")
            let coordinator = try await Fixtures.user(app, email: "coord@example.org", role: .programCoordinator, scope: dane)
            let browser = TestBrowser(app)
            #expect(try await browser.post(SiteURL.login, ["email": coordinator.email, "password": Fixtures.password]).status == .seeOther)

            #expect(try await browser.get(SiteURL.programEdit(dane)).status == .ok)
            let saved = try await browser.post(SiteURL.programEdit(dane), Self.form(["name": "NAMI Dane County CIT/CIP", "counties": "Dane", "kind_cip": "on", "status": "active"]))
            #expect(saved.status == .seeOther)
            #expect(try await Program.find(UUID(uuidString: dane)!, on: app.db)?.website == "https://rock.example.org")

            #expect(try await browser.get(SiteURL.programEdit(kenosha)).status == .forbidden)
            #expect(try await browser.post(SiteURL.programEdit(kenosha), Self.form()).status == .forbidden)
            #expect(try await browser.post(SiteURL.programVerify(dane), [:]).status == .forbidden, "only administrators verify")
            #expect(try await browser.post(SiteURL.newProgram, Self.form()).status == .forbidden)

            let added = try await browser.post(SiteURL.programPartners(dane), ["partner_name": "Journey Mental Health Center", "partner_kind": "mental_health_provider", "partner_role": "training_host"])
            #expect(added.status == .seeOther)
            #expect(try await TestBrowser(app).get(SiteURL.program(dane)).text.contains("Journey Mental Health Center"))

            let (trainer, _) = try await Fixtures.signedIn(app, role: .trainer)
            #expect(try await trainer.get(SiteURL.programEdit(dane)).status == .forbidden)
        }
    }
}
