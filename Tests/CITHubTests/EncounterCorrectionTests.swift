import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import CITHub
import CITDomain

enum CorrectionFixtures {
    /// A liaison who filed one report (resolved on scene, CIT on scene, 2026-08-14); its id.
    static func filed(_ app: Application) async throws -> (TestBrowser, Organization, EncounterReport) {
        let (liaison, agency) = try await OutcomeFixtures.liaison(app)
        let filed = try await liaison.post(
            SiteURL.encounterNew.path, OutcomeFixtures.report(agency: agency, overrides: ["disposition": "resolved_on_scene"]))
        #expect(filed.status == .seeOther)
        let report = try #require(try await EncounterReport.query(on: app.db).first())
        return (liaison, agency, report)
    }

    static func rollups(_ app: Application) async throws -> [String: (calls: Int, onScene: Int)] {
        var result: [String: (Int, Int)] = [:]
        for row in try await EncounterRollup.query(on: app.db).all() {
            result["\(row.quarter) \(row.dispositionCategory)"] = (row.calls, row.citOnScene)
        }
        return result
    }

    static func fileDaysAgo(_ app: Application, _ report: EncounterReport, days: Double) async throws {
        try await (app.db as! any SQLDatabase).update(EncounterReport.schema)
            .set("created_at", to: Date().addingTimeInterval(-days * 86400)).where("id", .equal, report.id!).run()
    }
}

@Suite("Liaison: the agency's reports, and corrections within 14 days")
struct EncounterCorrectionTests {
    @Test("the agency's reports are listed newest first, each with its correction link")
    func listNewestFirst() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (liaison, agency) = try await OutcomeFixtures.liaison(app)
            for day in ["2026-08-14", "2026-09-01"] {
                #expect(
                    try await liaison.post(SiteURL.encounterNew.path, OutcomeFixtures.report(agency: agency, day: day)).status == .seeOther)
            }
            let reports = try await EncounterReport.query(on: app.db).all()
            let older = try #require(reports.first { $0.occurredOn == "2026-08-14" })
            try await CorrectionFixtures.fileDaysAgo(app, older, days: 20)

            // MUT
            let page = try await liaison.get(SiteURL.encounters.path)

            // validate
            #expect(page.status == .ok)
            #expect(page.text.contains("2 reports"))
            let newer = try #require(page.text.range(of: "2026-09-01"))
            let old = try #require(page.text.range(of: "2026-08-14"))
            #expect(newer.lowerBound < old.lowerBound, "newest filed first")
            #expect(page.text.contains("Read-only: "), "the older report is past its window")
            #expect(page.text.contains(">Correct<"))
        }
    }

    @Test("in the window: the correction is saved, audited field by field, and the rollups move with it")
    func correctionInWindow() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (liaison, agency, report) = try await CorrectionFixtures.filed(app)
            #expect(try await CorrectionFixtures.rollups(app)["2026Q3 resolved_on_scene"]?.calls == 1)
            let path = SiteURL.encounterCorrect(.value(EncounterService.key(report.id!))).path
            let form = try await liaison.get(path)
            #expect(form.status == .ok)
            #expect(form.text.contains("Save correction"))
            #expect(form.text.contains("value=\"2026-08-14\""), "the form holds the filed answers")

            // a bad correction is refused beside the field and changes nothing
            let bad = try await liaison.post(
                path, OutcomeFixtures.report(agency: agency, overrides: ["disposition": "arrest", "force_level": "lots"]))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("field-force_level-error"))
            #expect(try await EncounterReport.find(report.id, on: app.db)?.disposition == "resolved_on_scene")

            // MUT: another outcome, no CIT officer on scene, and a date in the next quarter
            let corrected = try await liaison.post(
                path,
                OutcomeFixtures.report(
                    agency: agency, day: "2026-10-05",
                    overrides: ["disposition": "arrest", "cit_trained_on_scene": "no"]))

            // validate
            #expect(corrected.status == .seeOther)
            #expect(corrected.location == SiteURL.encounters.path + "?notice=report-corrected")
            let stored = try #require(try await EncounterReport.find(report.id, on: app.db))
            #expect(stored.disposition == "arrest")
            #expect(stored.dispositionCategory == "arrest")
            #expect(stored.quarter == "2026Q4")
            #expect(!stored.citOnScene)
            #expect(try await EncounterReport.query(on: app.db).count() == 1, "corrected, not added")
            let rollups = try await CorrectionFixtures.rollups(app)
            #expect(rollups["2026Q3 resolved_on_scene"] == nil, "the old row counted only this report")
            #expect(rollups["2026Q4 arrest"]?.calls == 1)
            #expect(rollups["2026Q4 arrest"]?.onScene == 0)
            #expect(rollups.values.reduce(0) { $0 + $1.calls } == 1)
            let event = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "encounter.corrected").first())
            #expect(event.entityID == report.id?.uuidString)
            #expect(event.details.contains("occurred_on: 2026-08-14 → 2026-10-05"))
            #expect(event.details.contains("disposition: resolved_on_scene → arrest"))
            #expect(event.details.contains("cit_trained_on_scene: yes → no"))
            #expect(!event.details.contains("force_level"), "only changed fields")
            #expect(event.actor.hasPrefix("liaison-"))

            // the same answers again: nothing changes, nothing is audited
            let same = try await liaison.post(
                path,
                OutcomeFixtures.report(
                    agency: agency, day: "2026-10-05", overrides: ["disposition": "arrest", "cit_trained_on_scene": "no"]))
            #expect(same.location == SiteURL.encounters.path + "?notice=report-unchanged")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "encounter.corrected").count() == 1)
        }
    }

    @Test("past the window: read-only with a message, a correction refused with 409, nothing changed")
    func pastWindowRefused() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (liaison, agency, report) = try await CorrectionFixtures.filed(app)
            try await CorrectionFixtures.fileDaysAgo(app, report, days: 15)
            let path = SiteURL.encounterCorrect(.value(EncounterService.key(report.id!))).path

            let page = try await liaison.get(path)
            #expect(page.status == .ok)
            #expect(page.text.contains("so it is read-only"))
            #expect(!page.text.contains("Save correction"))

            // MUT
            let refused = try await liaison.post(path, OutcomeFixtures.report(agency: agency, overrides: ["disposition": "arrest"]))

            // validate
            #expect(refused.status == .conflict)
            #expect(refused.text.contains("The correction was not saved."))
            #expect(refused.text.contains("corrected for 14 days after filing"))
            #expect(try await EncounterReport.find(report.id, on: app.db)?.disposition == "resolved_on_scene")
            #expect(try await CorrectionFixtures.rollups(app)["2026Q3 resolved_on_scene"]?.calls == 1)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "encounter.corrected").count() == 0)
        }
    }

    @Test("another agency's liaison gets 404 for the report, its list does not show it, and cannot move a report to their agency")
    func otherAgency() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (_, agency, report) = try await CorrectionFixtures.filed(app)
            let other = try #require(
                try await Organization.query(on: app.db).filter(\.$kind == .lawEnforcement).filter(\.$id != agency.id!).first())
            let stranger = try await Fixtures.user(
                app, email: "other-liaison@example.org", role: .agencyLiaison, scope: other.id!.uuidString.lowercased())
            let browser = TestBrowser(app)
            _ = try await browser.post(SiteURL.login.path, ["email": stranger.email, "password": Fixtures.password])
            let path = SiteURL.encounterCorrect(.value(EncounterService.key(report.id!))).path

            #expect(try await browser.get(path).status == .notFound)
            #expect(try await browser.post(path, OutcomeFixtures.report(agency: other)).status == .notFound)
            #expect(!(try await browser.get(SiteURL.encounters.path).text.contains(EncounterService.key(report.id!))))
            #expect(try await EncounterReport.find(report.id, on: app.db)?.agencyID == agency.id)
            #expect(try await browser.get(SiteURL.encounterCorrect(.value("not-an-id")).path).status == .notFound)
        }
    }
}
