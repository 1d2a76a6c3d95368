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
            let response = try await TestBrowser(app).get(SiteURL.map.path)
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
            let dane = try await browser.get(SiteURL.county(.value("55025")).path)
            #expect(dane.status == .ok)
            #expect(dane.text.contains("Dane County has a CIT program"))
            #expect(dane.text.contains("NAMI Dane County CIT/CIP"))
            #expect(dane.text.contains("href=\"/crisis\""))
            #expect(dane.text.contains("not yet verified"))
            let adams = try await browser.get(SiteURL.county(.value("55001")).path)
            #expect(adams.text.contains("No CIT program is known in Adams County"))

            let id = try await programID(app, named: "NAMI Dane County CIT/CIP")
            let program = try await browser.get(SiteURL.program(.value(id)).path)
            #expect(program.status == .ok)
            #expect(program.text.contains("Madison Police Department"))
            #expect(program.text.contains("https://www.namidanecounty.org/cit-cip/"))
            #expect(program.text.contains("Reported by www.namidanecounty.org on 2016-11-21, not yet verified."))

            for bad in [
                "/counties/99999", "/counties/abc", "/counties/%3Cscript%3E", "/programs/not-a-uuid", "/programs/\(UUID().uuidString)",
            ] {
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
            #expect(city.text.contains("Includes Appleton."))
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
            let csv = try await browser.get(SiteURL.directoryCSV.path)
            #expect(csv.status == .ok)
            #expect(csv.headers.contentType?.subType == "csv")
            let rows = try CSV.parse(csv.text)
            #expect(rows.first == DirectoryExport.csvHeader)
            #expect(rows.count == 12)

            let geo = try await browser.get(SiteURL.directoryGeoJSON.path)
            let collection = try #require(try JSONSerialization.jsonObject(with: Data(buffer: geo.body)) as? [String: Any])
            let features = try #require(collection["features"] as? [[String: Any]])
            #expect(features.count == 72)
            let dane = try #require(features.first { $0["id"] as? String == "55025" })
            let properties = try #require(dane["properties"] as? [String: Any])
            #expect(properties["coverage"] as? String == "cit")
            #expect((dane["geometry"] as? [String: Any])?["type"] as? String == "Polygon")

            let hsds = try await browser.get(SiteURL.directoryHSDS.path)
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
            let embed = try await TestBrowser(app).get(SiteURL.embedMap.path)
            #expect(embed.status == .ok)
            #expect(embed.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors *") == true)
            #expect(embed.headers.first(name: "X-Frame-Options") != "DENY")
            #expect(embed.text.contains("data-fips=\"55025\""))
            let map = try await TestBrowser(app).get(SiteURL.map.path)
            #expect(map.headers.first(name: "X-Frame-Options") == "DENY")
        }
    }
}

@Suite("Directory: editing")
struct DirectoryEditTests {
    static func form(_ overrides: [String: String] = [:]) -> [String: String] {
        var form = [
            "name": "Rock County CIT", "kind_cit": "on", "status": "forming", "counties": "Rock, Green", "year_started": "2019",
            "website": "https://rock.example.org", "email": "cit@rock.example.org", "phone": "", "description": "Demo record for tests.",
        ]
        for (k, v) in overrides { form[k] = v }
        return form
    }

    @Test("an administrator creates, verifies and merges; the public pages follow at once")
    func administrator() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            _ = try await TestBrowser(app).get(SiteURL.county(.value("55105")).path)  // cache the county page
            let created = try await admin.post(SiteURL.newProgram.path, Self.form())
            #expect(created.status == .seeOther)
            let id = try #require(created.location?.components(separatedBy: "/").last)
            let rock = try await TestBrowser(app).get(SiteURL.county(.value("55105")).path)
            #expect(rock.text.contains("Rock County CIT"), "cached county page was refreshed")

            #expect(try await admin.post(SiteURL.programVerify(.value(id)).path, [:]).status == .seeOther)
            let map = try await TestBrowser(app).get(SiteURL.map.path)
            #expect(map.text.contains("Map last updated:"))

            let duplicate = try await admin.post(
                SiteURL.newProgram.path, Self.form(["name": "Rock Co. CIT (duplicate)", "counties": "Rock, Walworth", "kind_cip": "on"]))
            let duplicateID = try #require(duplicate.location?.components(separatedBy: "/").last)
            #expect(try await admin.post(SiteURL.programMerge(.value(id)).path, ["duplicate": duplicateID]).status == .seeOther)
            let merged = try await TestBrowser(app).get(SiteURL.program(.value(duplicateID)).path)
            #expect(merged.status == .movedPermanently)
            #expect(merged.location == SiteURL.program(.value(id)).path)
            let survivor = try await DirectoryQueries.programs(on: app.db, ids: [UUID(uuidString: id)!]).first
            #expect(Set(survivor?.counties.map(\.fips) ?? []) == ["55105", "55045", "55127"])
            #expect(Set(survivor?.kinds ?? []) == [.cit, .cip])

            let history = try await admin.get(SiteURL.programHistory(.value(id)).path)
            for action in ["program.created", "program.verified", "program.merged"] { #expect(history.text.contains(action)) }
        }
    }

    @Test(
        "bad input is refused beside the field and nothing is written",
        arguments: [
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
            let response = try await admin.post(SiteURL.newProgram.path, form)
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
            #expect(
                try await browser.post(SiteURL.login.path, ["email": coordinator.email, "password": Fixtures.password]).status == .seeOther)

            #expect(try await browser.get(SiteURL.programEdit(.value(dane)).path).status == .ok)
            let saved = try await browser.post(
                SiteURL.programEdit(.value(dane)).path,
                Self.form(["name": "NAMI Dane County CIT/CIP", "counties": "Dane", "kind_cip": "on", "status": "active"]))
            #expect(saved.status == .seeOther)
            #expect(try await Program.find(UUID(uuidString: dane)!, on: app.db)?.website == "https://rock.example.org")

            #expect(try await browser.get(SiteURL.programEdit(.value(kenosha)).path).status == .forbidden)
            #expect(try await browser.post(SiteURL.programEdit(.value(kenosha)).path, Self.form()).status == .forbidden)
            #expect(
                try await browser.post(SiteURL.programVerify(.value(dane)).path, [:]).status == .forbidden, "only administrators verify")
            #expect(try await browser.post(SiteURL.newProgram.path, Self.form()).status == .forbidden)

            let added = try await browser.post(
                SiteURL.programPartners(.value(dane)).path,
                ["partner_name": "Journey Mental Health Center", "partner_kind": "mental_health_provider", "partner_role": "training_host"])
            #expect(added.status == .seeOther)
            #expect(try await TestBrowser(app).get(SiteURL.program(.value(dane)).path).text.contains("Journey Mental Health Center"))

            let (trainer, _) = try await Fixtures.signedIn(app, role: .trainer)
            #expect(try await trainer.get(SiteURL.programEdit(.value(dane)).path).status == .forbidden)
        }
    }
}

/// A scheduled class straight into the database (the class form belongs to the Classes
/// feature and is tested there): venue county, ZIP and program as given.
@discardableResult
func scheduleClass(_ app: Application, program: String, countyFIPS: String, zip: String, title: String, inDays days: Double = 30)
    async throws -> ClassSession
{
    let course = try #require(try await Course.query(on: app.db).first())
    let session = ClassSession()
    session.$program.id = try #require(UUID(uuidString: try await programID(app, named: program)))
    session.$course.id = try course.requireID()
    session.title = title
    session.venueName = "Training room"
    session.venueAddress = "1 Main St"
    session.venueZIP = zip
    session.countyFIPS = countyFIPS
    session.timeZone = "America/Chicago"
    session.capacity = 20
    session.trainers = ""
    session.agendaJSON = "[]"
    session.startsAt = Date().addingTimeInterval(days * 86_400)
    session.endsAt = session.startsAt.addingTimeInterval(8 * 3600)
    session.status = .scheduled
    session.registrationSequence = 0
    try await session.create(on: app.db)
    return session
}

@Suite("Directory: answers, nearby classes, staff links (issue 12)")
struct DirectoryAnswersTests {
    @Test("a county page lists classes in it and in bordering counties, says what near means, and is refreshed when a class is added")
    func countyClasses() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let browser = TestBrowser(app)
            // setup: the page is cached before any class exists
            let before = try await browser.get(SiteURL.county(.value("55025")).path)
            #expect(before.text.contains("Upcoming classes in and near Dane County"))
            #expect(before.text.contains("None listed yet."))
            #expect(before.text.contains("a county bordering it (Columbia, Dodge, Green, Iowa, Jefferson, Rock, Sauk)"))
            // MUT: one class in Dane, one in Jefferson (borders Dane), one in Douglas (far north-west)
            let inDane = try await scheduleClass(
                app, program: "NAMI Dane County CIT/CIP", countyFIPS: "55025", zip: "53703", title: "Dane CIT Academy")
            try await scheduleClass(app, program: "Ozaukee County CIT", countyFIPS: "55055", zip: "53549", title: "Jefferson CIP day")
            try await scheduleClass(
                app, program: "NAMI Northern Lakes CIT/CIP", countyFIPS: "55031", zip: "54880", title: "Superior CIT week")
            // validate: the cached page was dropped and the new one lists both near classes
            let dane = try await browser.get(SiteURL.county(.value("55025")).path).text
            #expect(dane.contains("href=\"\(SiteURL.classPage(.value(inDane.id!)).path)\""))
            #expect(dane.contains("Dane CIT Academy"))
            #expect(dane.contains("Madison"), "the venue's city from its ZIP code")
            #expect(dane.contains("Jefferson CIP day"))
            #expect(dane.contains("(Jefferson County)"))
            #expect(!dane.contains("Superior CIT week"))
            #expect(!dane.contains("None listed yet."))
            let douglas = try await browser.get(SiteURL.county(.value("55031")).path).text
            #expect(douglas.contains("Superior CIT week"))
            #expect(!douglas.contains("Dane CIT Academy"))
            // A cancelled class leaves the page at once.
            inDane.status = .cancelled
            try await inDane.update(on: app.db)
            #expect(!(try await browser.get(SiteURL.county(.value("55025")).path).text.contains("Dane CIT Academy")))
        }
    }

    @Test(
        "search answers in one line, however Madison or Dane is typed",
        arguments: [
            "madison wi", "Madison, WI", "madison wisconsin", "53703", "dane", "Dane County",
        ])
    func answer(typed: String) async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let session = try await scheduleClass(
                app, program: "NAMI Dane County CIT/CIP", countyFIPS: "55025", zip: "53703", title: "Dane CIT Academy", inDays: 40)
            let day = CountyAnswer.day(session.startsAt, in: session.zone, now: Date())
            let response = try await TestBrowser(app).get("/search?q=" + TestBrowser.encode(typed))
            #expect(response.status == .ok)
            #expect(
                response.text.contains(
                    "<a href=\"/counties/55025\">Dane County</a>: CIT yes — NAMI Dane County CIT/CIP; next class \(day), Madison"),
                "\(typed)")
        }
    }

    @Test("a city in several counties lists first the county with most of its ZIP codes")
    func cityOrder() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let text = try await TestBrowser(app).get("/search?q=Appleton").text
            // Appleton's ZIP codes with land: 4 in Outagamie (55087), 2 in Winnebago (55139),
            // 1 in Calumet (55015).
            let outagamie = try #require(text.range(of: "href=\"/counties/55087\""))
            let winnebago = try #require(text.range(of: "href=\"/counties/55139\""))
            #expect(outagamie.lowerBound < winnebago.lowerBound)
        }
    }

    @Test("a PO box or one organisation's ZIP does not put a city in a far county")
    func uniqueZIPsDoNotPlaceCities() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            // 53702 is one office in Madison, filed under Waukesha County (55133); every
            // Madison ZIP code with land is in Dane County.
            let text = try await TestBrowser(app).get("/search?q=madison+wi").text
            #expect(text.contains("href=\"/counties/55025\""))
            #expect(!text.contains("href=\"/counties/55133\""))
            // The ZIP code itself still finds its county.
            #expect(try await TestBrowser(app).get("/search?q=53702").text.contains("href=\"/counties/55133\""))
        }
    }

    @Test("a county without CIT: 'not yet' and the nearest programs")
    func notYet() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            // Adams County (55001) has no program; Wood County (55141) borders it.
            let text = try await TestBrowser(app).get("/search?q=adams+county").text
            #expect(text.contains("Adams County</a>: CIT not yet — nearest: "))
            #expect(text.contains("Wood County CIT (Wood County)"))
        }
    }

    @Test("program page: the public sees no staff links; its coordinator and an administrator do; another program's coordinator does not")
    func staffLinks() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let dane = try await programID(app, named: "NAMI Dane County CIT/CIP")
            let session = try await scheduleClass(
                app, program: "NAMI Dane County CIT/CIP", countyFIPS: "55025", zip: "53703", title: "Dane CIT Academy")
            let staffHrefs = [
                SiteURL.programEdit(.value(dane)).path, SiteURL.newClass(.value(dane)).path,
                SiteURL.scenarios(.value(UUID(uuidString: dane)!)).path,
                SiteURL.programHistory(.value(dane)).path, SiteURL.classRoster(.value(session.id!)).path,
            ]

            // anonymous, twice: the second comes from the cache
            for _ in 0..<2 {
                let page = try await TestBrowser(app).get(SiteURL.program(.value(dane)).path)
                #expect(page.status == .ok)
                #expect(page.text.contains("Dane CIT Academy"))
                for href in staffHrefs { #expect(!page.text.contains("href=\"\(href)\""), "public sees \(href)") }
                #expect(!page.text.contains("Manage this class"))
                // A browser's kept copy is not reused once the person signs in.
                #expect(page.headers[.vary].joined(separator: ",").contains("Cookie"))
                #expect(page.headers.first(name: .cacheControl)?.contains("public") == true)
            }

            // the coordinator of this program, with the page already cached for the public
            let coordinator = try await Fixtures.user(app, email: "coord-dane@example.org", role: .programCoordinator, scope: dane)
            let browser = TestBrowser(app)
            _ = try await browser.post(SiteURL.login.path, ["email": coordinator.email, "password": Fixtures.password])
            let own = try await browser.get(SiteURL.program(.value(dane)).path)
            #expect(own.status == .ok)
            for href in staffHrefs { #expect(own.text.contains("href=\"\(href)\""), "coordinator misses \(href)") }
            #expect(own.text.contains("Manage this class"))
            #expect(own.headers.first(name: .cacheControl) == "no-store")
            #expect(own.text.contains("Your account"))

            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            #expect(
                try await admin.get(SiteURL.program(.value(dane)).path).text.contains("href=\"\(SiteURL.programEdit(.value(dane)).path)\""))

            let kenosha = try await programID(app, named: "NAMI Kenosha CIT/CIP")
            let other = try await Fixtures.user(app, email: "coord-kenosha@example.org", role: .programCoordinator, scope: kenosha)
            let otherBrowser = TestBrowser(app)
            _ = try await otherBrowser.post(SiteURL.login.path, ["email": other.email, "password": Fixtures.password])
            let notTheirs = try await otherBrowser.get(SiteURL.program(.value(dane)).path).text
            for href in staffHrefs { #expect(!notTheirs.contains("href=\"\(href)\""), "other coordinator sees \(href)") }

            // and the public still gets the public page afterwards
            let again = try await TestBrowser(app).get(SiteURL.program(.value(dane)).path).text
            #expect(!again.contains("Manage this class"))
            #expect(!again.contains("Your account"))
        }
    }

    @Test("the map names the counties that fit, and lists every county for phones")
    func mapLabels() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let html = try await TestBrowser(app).get(SiteURL.map.path).text
            let labels = html.components(separatedBy: "class=\"county-label").count - 1
            #expect(labels > 40 && labels < 72, "\(labels) labels")
            #expect(html.contains(">Marathon</text>"))
            #expect(html.contains("class=\"county-list\""))
            // The list comes before the map in the page.
            let list = try #require(html.range(of: "class=\"county-list\""))
            let map = try #require(html.range(of: "class=\"state-map\""))
            #expect(list.lowerBound < map.lowerBound)
            #expect(html.utf8.count < 120_000)
        }
    }
}
