import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

enum OutcomeFixtures {
    /// A law enforcement agency from the starter directory and a signed-in liaison for it.
    static func liaison(_ app: Application) async throws -> (TestBrowser, Organization) {
        let agency = try #require(try await Organization.query(on: app.db).filter(\.$kind == .lawEnforcement).sort(\.$name).first())
        let user = try await Fixtures.user(
            app, email: "liaison-\(UUID().uuidString.prefix(6))@example.org", role: .agencyLiaison,
            scope: agency.id!.uuidString.lowercased())
        let browser = TestBrowser(app)
        _ = try await browser.post(SiteURL.login.path, ["email": user.email, "password": Fixtures.password])
        return (browser, agency)
    }

    static func report(agency: Organization, county: String = "55025", day: String = "2026-08-14", overrides: [String: String] = [:])
        -> [String: String]
    {
        var values = [
            "occurred_on": day, "time_block": "16-20", "agency": agency.id!.uuidString.lowercased(), "county_fips": county,
            "call_source": "911", "cit_requested": "yes", "cit_dispatched": "yes", "cit_arrived": "yes", "cit_trained_on_scene": "yes",
            "disposition": DispositionCatalog.wisconsin.dispositions[0].code, "force_level": "none",
            "injury_person": "no", "injury_officer": "no", "injury_other": "no",
            "weapon_involved": "no", "veteran": "unknown", "substance_use": "no", "repeat_contact": "unknown",
        ]
        for (k, v) in overrides { values[k] = v }
        return values
    }

    static func csv(_ rows: [[String: String]]) -> String {
        ([EncounterFields.all.joined(separator: ",")] + rows.map { row in EncounterFields.all.map { row[$0] ?? "" }.joined(separator: ",") })
            .joined(separator: "\n") + "\n"
    }

    /// Posts a file as multipart/form-data with the browser's CSRF token.
    static func upload(_ browser: TestBrowser, _ path: String, file: Data) async throws -> TestingHTTPResponse {
        if browser.cookies[CSRF.cookieName] == nil { try await browser.get(SiteURL.login.path) }
        let boundary = "----cithub\(UUID().uuidString)"
        var body = Data()
        body.append(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(browser.cookies[CSRF.cookieName] ?? "")\r\n".data(
                using: .utf8)!)
        body.append(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"reports.csv\"\r\nContent-Type: text/csv\r\n\r\n"
                .data(using: .utf8)!)
        body.append(file)
        body.append("\r\n--\(boundary)--\r\n".data(using: .utf8)!)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await browser.send(.POST, path, headers: headers, body: ByteBuffer(data: body))
    }

    /// Time passing: every report is marked as filed on the day of its call, so that its
    /// quarter, once published, counts it (public numbers count only reports filed within
    /// 30 days of the quarter's end).
    static func filedOnTime(_ app: Application) async throws {
        for report in try await EncounterReport.query(on: app.db).all() {
            let day = report.occurredOn.split(separator: "-").compactMap { Int($0) }
            guard day.count == 3 else { continue }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "America/Chicago")!
            let filed = calendar.date(from: DateComponents(year: day[0], month: day[1], day: day[2], hour: 12))!
            try await EncounterReport.query(on: app.db).filter(\.$id == report.id!).set(\.$createdAt, to: filed).update()
        }
    }

    static func counts(_ app: Application) async throws -> (reports: Int, calls: Int) {
        let rollups = try await EncounterRollup.query(on: app.db).all()
        return (try await EncounterReport.query(on: app.db).count(), rollups.reduce(0) { $0 + $1.calls })
    }
}

@Suite("Outcomes: encounter reports, import, dashboards, coverage, state report")
struct OutcomesRouteTests {
    @Test("a liaison files a report for their agency; bad answers are refused beside the field and nothing is written")
    func fileReport() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (liaison, agency) = try await OutcomeFixtures.liaison(app)
            let form = try await liaison.get("/encounters/new")
            #expect(form.status == .ok)
            #expect(form.text.contains(agency.name))
            #expect(!form.text.lowercased().contains("name of the person"))

            let arrivedOnly = OutcomeFixtures.report(agency: agency, overrides: ["cit_dispatched": "no"])
            let refused = try await liaison.post("/encounters/new", arrivedOnly)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("field-cit_arrived-error"))
            let future = try await liaison.post("/encounters/new", OutcomeFixtures.report(agency: agency, day: "2099-01-01"))
            #expect(future.status == .unprocessableEntity)
            // another agency's id is not one this liaison may file for
            let other = try #require(
                try await Organization.query(on: app.db).filter(\.$kind == .lawEnforcement).filter(\.$id != agency.id!).first())
            #expect(try await liaison.post("/encounters/new", OutcomeFixtures.report(agency: other)).status == .unprocessableEntity)
            #expect(try await OutcomeFixtures.counts(app) == (0, 0))

            // MUT: a good report
            let filed = try await liaison.post("/encounters/new", OutcomeFixtures.report(agency: agency))
            #expect(filed.status == .seeOther)
            #expect(try await OutcomeFixtures.counts(app) == (1, 1))
            let stored = try #require(try await EncounterReport.query(on: app.db).first())
            #expect(stored.quarter == "2026Q3")
            #expect(stored.source == "form")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "encounter.filed").count() == 1)
        }
    }

    @Test("a CSV import is all rows or none, with each bad row's line; the same file twice, wrong columns and a 10 MB file write nothing")
    func importCSV() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (liaison, agency) = try await OutcomeFixtures.liaison(app)
            let good = OutcomeFixtures.csv((0..<3).map { _ in OutcomeFixtures.report(agency: agency) })
            // one bad row among good ones: nothing imported, line 3 named
            var rows = (0..<3).map { _ in OutcomeFixtures.report(agency: agency) }
            rows[1]["force_level"] = "lots"
            let bad = try await OutcomeFixtures.upload(liaison, "/encounters/import", file: Data(OutcomeFixtures.csv(rows).utf8))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("<td>3</td>"))
            #expect(try await OutcomeFixtures.counts(app) == (0, 0))
            // a column that invites names
            let named = try await OutcomeFixtures.upload(
                liaison, "/encounters/import",
                file: Data((good.replacingOccurrences(of: "repeat_contact\n", with: "repeat_contact,subject_name\n")).utf8))
            #expect(named.status == .unprocessableEntity)
            #expect(try await OutcomeFixtures.counts(app) == (0, 0))
            // wrong types: a number where yes/no goes, a date that is not a date
            var typed = OutcomeFixtures.report(agency: agency)
            typed["cit_requested"] = "42"; typed["occurred_on"] = "14/08/2026"
            #expect(
                try await OutcomeFixtures.upload(liaison, "/encounters/import", file: Data(OutcomeFixtures.csv([typed]).utf8)).status
                    == .unprocessableEntity)
            // not UTF-8
            #expect(
                try await OutcomeFixtures.upload(liaison, "/encounters/import", file: Data([0x66, 0xFF, 0xFE, 0x0A])).status
                    == .unprocessableEntity)

            // MUT: the good file, then the same file again
            let imported = try await OutcomeFixtures.upload(liaison, "/encounters/import", file: Data(good.utf8))
            #expect(imported.status == .seeOther)
            #expect(try await OutcomeFixtures.counts(app) == (3, 3))
            let again = try await OutcomeFixtures.upload(liaison, "/encounters/import", file: Data(good.utf8))
            #expect(again.status == .conflict)
            #expect(again.text.contains("already imported"))
            #expect(try await OutcomeFixtures.counts(app) == (3, 3))

            // a 10 MB file: refused whole (too many rows), nothing written, no 500
            let row = OutcomeFixtures.csv([OutcomeFixtures.report(agency: agency)]).split(separator: "\n")[1] + "\n"
            var big = EncounterFields.all.joined(separator: ",") + "\n"
            big.reserveCapacity(10_500_000)
            while big.utf8.count < 10_000_000 { big += row }
            let huge = try await OutcomeFixtures.upload(liaison, "/encounters/import", file: Data(big.utf8))
            #expect(huge.status == .unprocessableEntity || huge.status == .payloadTooLarge, "10 MB import: \(huge.status)")
            #expect(try await OutcomeFixtures.counts(app) == (3, 3))
        }
    }

    @Test("public dashboards hide 4 and show 5; the administrator and the agency's liaison see exact counts; CSV of every view")
    func suppression() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (liaison, agency) = try await OutcomeFixtures.liaison(app)
            for _ in 0..<4 { _ = try await liaison.post("/encounters/new", OutcomeFixtures.report(agency: agency)) }
            try await OutcomeFixtures.filedOnTime(app)
            let agencyQuery = "agency=\(agency.id!.uuidString.lowercased())"
            let publicView = try await TestBrowser(app).get("/outcomes?\(agencyQuery)&format=csv&view=summary")
            #expect(publicView.status == .ok)
            #expect(publicView.text.contains("Crisis calls reported,\(Suppression.label())"))
            let own = try await liaison.get("/outcomes?\(agencyQuery)&format=csv&view=summary")
            #expect(own.text.contains("Crisis calls reported,4,"))
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            #expect(try await admin.get("/outcomes?format=csv&view=summary").text.contains("Crisis calls reported,4,"))

            _ = try await liaison.post("/encounters/new", OutcomeFixtures.report(agency: agency))
            // Filed today, long after 2026 Q3's filing days: counted for the liaison only.
            #expect(
                try await TestBrowser(app).get("/outcomes?format=csv&view=summary").text.contains(
                    "Crisis calls reported,\(Suppression.label())"))
            #expect(try await liaison.get("/outcomes?\(agencyQuery)&format=csv&view=summary").text.contains("Crisis calls reported,5,"))
            try await OutcomeFixtures.filedOnTime(app)
            let page = try await TestBrowser(app).get("/outcomes")
            #expect(page.status == .ok)
            #expect(page.text.contains("<svg"))
            let five = try await TestBrowser(app).get("/outcomes?format=csv&view=summary")
            #expect(five.text.contains("Crisis calls reported,5,"))
            for view in ["dispositions", "trend", "county-quarter"] {
                let csv = try await TestBrowser(app).get("/outcomes?format=csv&view=\(view)")
                #expect(csv.status == .ok)
                #expect(csv.headers.contentType?.subType == "csv")
            }
            // Unknown filters are ignored, never a 500.
            #expect(try await TestBrowser(app).get("/outcomes?county=abc&agency=nope&from=2026Q9&to=x").status == .ok)
        }
    }

    @Test("a liaison keeps their agency's officer counts; coverage shows the share; the state report counts what happened")
    func coverageAndReport() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (liaison, agency) = try await OutcomeFixtures.liaison(app)
            let path = "/agencies/\(agency.id!.uuidString.lowercased())"
            #expect(try await liaison.get(path).status == .ok)
            let bad = try await liaison.post(
                path,
                ["sworn_officers": "10", "patrol_officers": "20", "shift_0_name": "Days", "shift_0_patrol": "30", "shift_0_trained": "1"])
            #expect(bad.status == .unprocessableEntity)
            #expect(try await AgencyProfile.query(on: app.db).count() == 0)
            #expect(
                try await liaison.post(
                    path,
                    [
                        "sworn_officers": "120", "patrol_officers": "80", "shift_0_name": "Days", "shift_0_patrol": "40",
                        "shift_0_trained": "0",
                        "shift_1_name": "Nights", "shift_1_patrol": "40", "shift_1_trained": "2",
                    ]
                ).status == .seeOther)
            let coverage = try await TestBrowser(app).get("/coverage")
            #expect(coverage.status == .ok)
            #expect(coverage.text.contains("data-fips"))
            #expect(coverage.text.contains("Days"))
            // another agency's page is not theirs
            let other = try #require(
                try await Organization.query(on: app.db).filter(\.$kind == .lawEnforcement).filter(\.$id != agency.id!).first())
            #expect(try await liaison.get("/agencies/\(other.id!.uuidString.lowercased())").status == .forbidden)

            _ = try await liaison.post("/encounters/new", OutcomeFixtures.report(agency: agency, day: EncounterService.today(app.settings)))
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            let report = try await admin.get("/reports/state")
            #expect(report.status == .ok)
            #expect(report.text.contains("With an active CIT program"))
            let csv = try await admin.get("/reports/state?format=csv")
            #expect(csv.text.contains("Encounter reports,Crisis calls reported,1"))
        }
    }
}

@Suite("Outcomes: the public tables cannot be subtracted back (issue 13)")
struct OutcomesDisclosureRouteTests {
    /// The security review's example, through HTTP: 19 calls, 3 in Dane and 16 in
    /// Milwaukee, one of Dane's with force. Before, the state summary said 19 and
    /// Milwaukee's 16, so Dane's 3 (hidden in the county table) was 19 - 16.
    @Test("the review's subtraction no longer works: the state and Milwaukee are never both shown, nor force in both")
    func reviewExample() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (liaison, agency) = try await OutcomeFixtures.liaison(app)
            for index in 0..<3 {
                let filed = try await liaison.post(
                    "/encounters/new",
                    OutcomeFixtures.report(
                        agency: agency, county: "55025", day: "2026-05-1\(index)",
                        overrides: index == 0 ? ["force_level": "physical_control"] : [:]))
                #expect(filed.status == .seeOther)
            }
            for index in 0..<16 {
                _ = try await liaison.post(
                    "/encounters/new",
                    OutcomeFixtures.report(
                        agency: agency, county: "55079", day: "2026-05-2\(index % 8)",
                        overrides: index < 5 ? ["force_level": "physical_control"] : [:]))
            }
            try await OutcomeFixtures.filedOnTime(app)
            let anyone = TestBrowser(app)
            func measure(_ text: String, _ name: String) -> String? {
                text.split(whereSeparator: \.isNewline).first { $0.hasPrefix(name + ",") }.map { String($0.split(separator: ",")[1]) }
            }
            for query in ["", "from=2026Q2&to=2026Q2", "from=2026Q2"] {
                let state = try await anyone.get("/outcomes?\(query)&format=csv&view=summary").text
                let milwaukee = try await anyone.get("/outcomes?county=55079&\(query)&format=csv&view=summary").text
                let dane = try await anyone.get("/outcomes?county=55025&\(query)&format=csv&view=summary").text
                #expect(measure(dane, "Crisis calls reported") == "suppressed")
                #expect(
                    measure(state, "Crisis calls reported") == "suppressed" || measure(milwaukee, "Crisis calls reported") == "suppressed")
                #expect(measure(state, "Force was used") == "suppressed" || measure(milwaukee, "Force was used") == "suppressed")
                #expect(!state.contains("fewer than"))
            }
            // The agency filter is not a public view: it cannot make a new total either.
            let byAgency = try await anyone.get("/outcomes?agency=\(agency.id!.uuidString.lowercased())&format=csv&view=summary").text
            #expect(byAgency == (try await anyone.get("/outcomes?format=csv&view=summary").text))
            // Every published cell is in one CSV; the liaison sees exact counts, audited.
            let published = try await anyone.get("/outcomes?format=csv&view=published")
            #expect(published.text.hasPrefix("period,county_fips,county,measure,value"))
            #expect(published.text.contains("2026Q2,55025,"))
            let own = try await liaison.get("/outcomes?agency=\(agency.id!.uuidString.lowercased())&format=csv&view=summary")
            #expect(measure(own.text, "Crisis calls reported") == "19")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "outcomes.exact_view").count() == 1)
        }
    }
}

@Suite("Outcomes: the public tables are made off the request path")
struct PublishedOutcomesStoreTests {
    @Test(
        "while the first tables are being made the page says so and the CSV answers 503 with Retry-After; then both answer from the tables")
    func preparing() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            // A maker that takes a while, as years of reports do in a debug build.
            app.publishedOutcomes = PublishedOutcomesStore(refreshInterval: 3600, patience: .milliseconds(100)) { app, previous in
                try await Task.sleep(for: .seconds(4))
                return try await OutcomeSources.makePublished(app, previous: previous)
            }
            let anyone = TestBrowser(app)
            let page = try await anyone.get("/outcomes")
            #expect(page.status == .ok)
            #expect(page.text.contains("The published numbers are being prepared"))
            #expect(!page.text.contains("No quarter with reports has been published yet."))
            let csv = try await anyone.get("/outcomes?format=csv&view=summary")
            #expect(csv.status == .serviceUnavailable, "\(csv.text.prefix(300))")
            #expect(csv.headers.first(name: .retryAfter) == "30")
            try await Task.sleep(for: .seconds(5))
            let ready = try await anyone.get("/outcomes")
            #expect(!ready.text.contains("being prepared"))
            #expect(ready.text.contains("No quarter with reports has been published yet."))
            #expect(try await anyone.get("/outcomes?format=csv&view=summary").status == .ok)
        }
    }
}

@Suite("Outcomes: charts with every count hidden (issue 12)")
struct OutcomesAllHiddenTests {
    @Test("the public dashboard with only small counts says so in each chart; the agency's liaison sees the counts drawn")
    func allHidden() async throws {
        try await withCITHub { app in
            // setup: four reports, under the threshold of five
            try await loadDirectory(app)
            let (liaison, agency) = try await OutcomeFixtures.liaison(app)
            for _ in 0..<4 { _ = try await liaison.post("/encounters/new", OutcomeFixtures.report(agency: agency)) }
            try await OutcomeFixtures.filedOnTime(app)
            // MUT
            let publicPage = try await TestBrowser(app).get("/outcomes")
            // validate: every chart says why it is empty, in its description too
            #expect(publicPage.status == .ok)
            let message = SVGChart.allHiddenText()
            #expect(publicPage.text.components(separatedBy: "class=\"chart chart-hidden\"").count - 1 == 3)
            #expect(publicPage.text.contains("<desc id=\"calls-desc\">Crisis calls reported per quarter. \(message)</desc>"))
            #expect(!publicPage.text.contains("class=\"series-line\""))
            // The tables scroll inside named regions a keyboard can reach.
            #expect(
                publicPage.text.contains(
                    "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Crisis calls by county and quarter\">"))
            let own = try await liaison.get("/outcomes?agency=\(agency.id!.uuidString.lowercased())")
            #expect(!own.text.contains("chart-hidden"))
            #expect(own.text.contains("class=\"series-line\""))
        }
    }
}
