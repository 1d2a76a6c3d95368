import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

/// Issue 12, classes: staff links for staff only, trainer names without emails, the agenda
/// as rows (errors on their row, more rows without JavaScript, classes under way, editing),
/// the registration error summary and the cancel confirmation.
@Suite("Class pages: staff links, trainers, agenda rows, registration errors")
struct ClassPagesTests {
    static let staffMarkers = ["Manage this class", "/roster", "/attendance", "/evaluations", "/completion", "/edit", "/scenarios"]

    static func signIn(_ app: Application, _ user: User) async throws -> TestBrowser {
        let browser = TestBrowser(app)
        let response = try await browser.post(SiteURL.login.path, ["email": user.email, "password": Fixtures.password])
        #expect(response.status == .seeOther)
        return browser
    }

    /// The staff navigation of a class page, or "" when there is none.
    static func staffNav(_ html: String) -> String {
        guard let start = html.range(of: "<nav class=\"staff-links\""),
            let end = html.range(of: "</nav>", range: start.upperBound..<html.endIndex)
        else { return "" }
        return String(html[start.lowerBound..<end.upperBound])
    }

    @Test(
        "coordinators of the class's program and administrators see the staff links; assigned trainers see attendance and scores; nobody else sees any"
    )
    func staffLinks() async throws {
        try await withCITHub { app in
            // setup
            try await loadDirectory(app)
            let (id, coordinator) = try await ClassFixtures.createClass(app)
            let page = SiteURL.classPage(.value(id)).path
            let kenosha = try await programID(app, named: "NAMI Kenosha CIT/CIP")
            let otherCoordinator = try await Fixtures.user(
                app, email: "kenosha-coord@example.org", role: .programCoordinator, scope: kenosha)
            let admin = try await Fixtures.user(app, email: "admin@example.org", role: .stateAdministrator)
            let trainer = try await Fixtures.user(app, email: "tara.trainer@example.org", role: .trainer)
            let otherTrainer = try await Fixtures.user(app, email: "otto.trainer@example.org", role: .trainer)
            try await ClassTrainer(classID: id, userID: trainer.id!).create(on: app.db)

            // MUT + validate: the coordinator of the program
            let mine = try await coordinator.get(page)
            #expect(mine.status == .ok)
            let nav = Self.staffNav(mine.text)
            for marker in Self.staffMarkers { #expect(nav.contains(marker), "coordinator misses \(marker)") }
            #expect(nav.contains("href=\"\(SiteURL.classRoster(.value(id)).path)\""))
            #expect(nav.contains("href=\"\(SiteURL.classEdit(.value(id)).path)\""))
            #expect(mine.headers.first(name: .cacheControl) == "no-store", "a page with staff links is never stored by a cache")

            // an administrator
            let adminNav = Self.staffNav(try await Self.signIn(app, admin).get(page).text)
            #expect(adminNav.contains("Manage this class") && adminNav.contains("/edit"))

            // the assigned trainer: attendance and scores, not the coordinator's pages
            let trainerNav = Self.staffNav(try await Self.signIn(app, trainer).get(page).text)
            #expect(trainerNav.contains(SiteURL.attendance(.value(id)).path) && trainerNav.contains(SiteURL.evaluations(.value(id)).path))
            #expect(!trainerNav.contains("Manage this class") && !trainerNav.contains("/edit") && !trainerNav.contains("/completion"))

            // a trainer of other classes, another program's coordinator, and the public: nothing
            for (who, html) in [
                ("other trainer", try await Self.signIn(app, otherTrainer).get(page).text),
                ("other coordinator", try await Self.signIn(app, otherCoordinator).get(page).text),
                ("anonymous", try await TestBrowser(app).get(page).text),
            ] {
                #expect(Self.staffNav(html).isEmpty, "\(who) sees staff links")
                for marker in Self.staffMarkers { #expect(!html.contains(marker), "\(who) sees \(marker)") }
                #expect(!html.contains("Coordinators:"))
            }
            // After the coordinator's visit, an anonymous visit is still clean (no cached variant).
            _ = try await coordinator.get(page)
            #expect(Self.staffNav(try await TestBrowser(app).get(page).text).isEmpty)
        }
    }

    @Test("the public class page names the assigned trainers, never an email address, and not the old free-text line")
    func trainerNamesOnly() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, coordinator) = try await ClassFixtures.createClass(app)
            #expect(try await TestBrowser(app).get(SiteURL.classPage(.value(id)).path).text.contains("<dd>To be announced</dd>"))
            let tara = User(email: "tara.trainer@example.org", name: "Tara Trainer")
            try await tara.create(on: app.db)
            try await RoleGrant(userID: tara.id!, role: .trainer).create(on: app.db)
            try await ClassTrainer(classID: id, userID: tara.id!).create(on: app.db)
            // a class made by the old form, which stored trainers as free text
            let session = try #require(try await ClassSession.find(id, on: app.db))
            session.trainers = "Lee Legacy (lee.legacy@example.org)"
            try await session.save(on: app.db)

            // MUT
            let html = try await TestBrowser(app).get(SiteURL.classPage(.value(id)).path).text
            // validate
            #expect(html.contains("<dd>Tara Trainer</dd>"))
            #expect(!html.contains("tara.trainer@example.org"))
            #expect(!html.contains("lee.legacy@example.org") && !html.contains("Lee Legacy"))
            // The roster (coordinators only) still shows the free-text line so the accounts can be assigned.
            #expect(try await coordinator.get(SiteURL.classRoster(.value(id)).path).text.contains("Lee Legacy"))
        }
    }

    @Test(
        "rows: a valid agenda with blank rows saves its blocks; a row's mistake comes back on that row with the input kept; nothing is written"
    )
    func agendaRows() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (_, coordinator) = try await ClassFixtures.createClass(app)
            let dane = try await programID(app, named: "NAMI Dane County CIT/CIP")
            let newClass = SiteURL.newClass(.value(dane)).path
            let form = try await coordinator.get(newClass)
            #expect(form.text.contains("name=\"rows\" value=\"12\""))
            #expect(form.text.contains("id=\"row-12-day\""))
            #expect(form.text.contains("<option value=\"de-escalation\">De-escalation</option>"), "topics by name, from the catalog")
            #expect(!form.text.contains("#mental-illness-overview"), "no topic codes to copy")
            #expect(form.text.contains("src=\"\(SiteURL.agendaRowsScript.path)\""))
            #expect(try await coordinator.get(SiteURL.agendaRowsScript.path).text.contains("data-agenda-rows"))

            // valid, with blank rows left between and after
            var rows = AgendaRows.rows(fromText: ClassFixtures.agenda(startDay: ClassFixtures.daysFromNow(70), days: 5))
            rows.insert(AgendaRow(), at: 3)
            rows += [AgendaRow(), AgendaRow()]
            var fields = ClassFixtures.form(agenda: "")
            for (k, v) in ClassFixtures.rowFields(rows) { fields[k] = v }
            let created = try await coordinator.post(newClass, fields)
            #expect(created.status == .seeOther)
            let classID = try #require(created.location.flatMap { UUID(uuidString: $0.components(separatedBy: "/").last ?? "") })
            let saved = try #require(try await ClassSession.find(classID, on: app.db))
            #expect(saved.agenda.count == 15)
            #expect(AgendaValidation.totalHours(saved.agenda) == 40)
            #expect(saved.trainers.isEmpty)

            // row 3 ends before it starts: the message names the row, beside it and in the summary
            let before = try await ClassSession.query(on: app.db).count()
            var bad = rows
            bad[2].start = "16:30"; bad[2].end = "12:30"
            for (k, v) in ClassFixtures.rowFields(bad) { fields[k] = v }
            let refused = try await coordinator.post(newClass, fields)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("<p class=\"error\" id=\"row-3-error\">Row 3: the end (12:30) is before the start (16:30)."))
            #expect(refused.text.contains("<a href=\"#row-3-day\">Row 3: the end (12:30)"))
            #expect(refused.text.contains("id=\"error-summary\"") && refused.text.contains("autofocus"))
            #expect(refused.text.contains("id=\"row-3-start\" name=\"start_3\" value=\"16:30\""), "input kept")
            #expect(refused.text.contains("name=\"rows\" value=\"\(bad.count)\""), "blank rows kept too")
            #expect(try await ClassSession.query(on: app.db).count() == before)

            // the course's hours, said plainly
            var short = rows
            short[short.count - 3].end = "16:00"
            for (k, v) in ClassFixtures.rowFields(short) { fields[k] = v }
            let hours = try await coordinator.post(newClass, fields)
            #expect(hours.status == .unprocessableEntity)
            #expect(hours.text.contains("The teaching blocks add up to 39.5 hours; CIT needs 40 (0.5 hours missing)."))
            #expect(try await ClassSession.query(on: app.db).count() == before)
        }
    }

    @Test("without JavaScript, “Add more rows” sends the form back with more empty rows, the input kept and nothing saved")
    func addMoreRows() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (_, coordinator) = try await ClassFixtures.createClass(app)
            let dane = try await programID(app, named: "NAMI Dane County CIT/CIP")
            let before = try await ClassSession.query(on: app.db).count()
            var rows = Array(repeating: AgendaRow(), count: AgendaRows.defaultRowCount)
            rows[0] = AgendaRow(
                day: "2027-05-03", start: "08:00", end: "12:00", title: "Welcome & overview", topic: "mental-illness-overview")
            var fields = ClassFixtures.form(agenda: "", extra: ["title": "Spring academy", "action": "add-rows"])
            for (k, v) in ClassFixtures.rowFields(rows) { fields[k] = v }
            // MUT
            let response = try await coordinator.post(SiteURL.newClass(.value(dane)).path, fields)
            // validate
            #expect(response.status == .ok)
            let more = AgendaRows.defaultRowCount + AgendaRows.rowsAdded
            #expect(response.text.contains("name=\"rows\" value=\"\(more)\""))
            #expect(response.text.contains("id=\"row-\(more)-day\""))
            #expect(
                response.text.contains("id=\"row-13-day\" name=\"day_13\" data-field=\"day\" autofocus=\"autofocus\""),
                "the first new row takes the focus")
            #expect(response.text.contains("value=\"Welcome &amp; overview\""))
            #expect(response.text.contains("<option value=\"mental-illness-overview\" selected=\"selected\">"))
            #expect(response.text.contains("value=\"Spring academy\""))
            #expect(!response.text.contains("error-summary"))
            #expect(try await ClassSession.query(on: app.db).count() == before)
        }
    }

    @Test(
        "a class already under way can be entered, public registration is closed and the coordinator adds people on the roster; a class that is over cannot be entered"
    )
    func underWay() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (_, coordinator) = try await ClassFixtures.createClass(app)
            let dane = try await programID(app, named: "NAMI Dane County CIT/CIP")
            // MUT: started two days ago, three days to go
            let running = try await coordinator.post(
                SiteURL.newClass(.value(dane)).path,
                ClassFixtures.form(agenda: ClassFixtures.agenda(startDay: ClassFixtures.daysFromNow(-2), days: 5)))
            #expect(running.status == .seeOther)
            let location = try #require(running.location)
            let page = try await TestBrowser(app).get(location)
            #expect(page.text.contains("Registration is closed for this class."))

            // The coordinator adds the people in the room on the roster (public registration is closed).
            let classID = try #require(UUID(uuidString: location.components(separatedBy: "/").last ?? ""))
            let add = SiteURL.classAddPerson(.value(classID)).path
            #expect(
                try await TestBrowser(app).post(SiteURL.classRegister(.value(classID)).path, ClassFixtures.registrant(7)).status
                    == .unprocessableEntity)
            func person(_ n: Int) -> [String: String] {
                Dictionary(uniqueKeysWithValues: ClassFixtures.registrant(n).map { ("person_" + $0.key, $0.value) })
            }
            var missing = person(7)
            missing["person_phone"] = ""
            let refused = try await coordinator.post(add, missing)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("<details class=\"add-person\" id=\"add-person\" open=\"open\">"))
            #expect(refused.text.contains("<a href=\"#field-person_phone\">Phone: A phone number with area code"))
            #expect(refused.text.contains("id=\"field-person_email\" name=\"person_email\" value=\"officer7@example.org\""))
            #expect(try await coordinator.post(add, person(7)).status == .seeOther)
            let added = try #require(try await Registration.query(on: app.db).filter(\.$email == "officer7@example.org").first())
            #expect(added.status == .confirmed)
            #expect(
                try await OutboxMessage.query(on: app.db).all().contains {
                    $0.subject.hasPrefix("Confirmed") && $0.toAddress == "officer7@example.org"
                })
            #expect(try await coordinator.post(add, person(7)).text.contains("already has a place"))
            let kenosha = try await programID(app, named: "NAMI Kenosha CIT/CIP")
            let other = try await Self.signIn(
                app, try await Fixtures.user(app, email: "k2@example.org", role: .programCoordinator, scope: kenosha))
            #expect(try await other.post(add, person(8)).status == .forbidden)

            // MUT: ended yesterday
            let over = try await coordinator.post(
                SiteURL.newClass(.value(dane)).path,
                ClassFixtures.form(agenda: ClassFixtures.agenda(startDay: ClassFixtures.daysFromNow(-6), days: 5)))
            #expect(over.status == .unprocessableEntity)
            #expect(over.text.contains("This class is already over"))
        }
    }

    @Test(
        "editing uses the same rows: saved values come back, changes are saved, more seats move the waitlist up; other programs' coordinators get 403"
    )
    func edit() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, coordinator) = try await ClassFixtures.createClass(app, capacity: 1)
            _ = try await ClassFixtures.register(app, id, ClassFixtures.registrant(1))
            _ = try await ClassFixtures.register(app, id, ClassFixtures.registrant(2))
            let edit = SiteURL.classEdit(.value(id)).path
            let form = try await coordinator.get(edit)
            #expect(form.status == .ok)
            let first = ClassFixtures.daysFromNow(60)
            #expect(form.text.contains("id=\"row-1-day\" name=\"day_1\" value=\"\(first)\""))
            #expect(form.text.contains("id=\"row-1-start\" name=\"start_1\" value=\"08:00\""))
            #expect(form.text.contains("<option value=\"break\" selected=\"selected\">"), "lunch comes back as a break")
            #expect(form.text.contains("People have registered for this course, so it cannot change."))

            // MUT: a new title and two seats
            var fields = ClassFixtures.form(
                capacity: 2, agenda: ClassFixtures.agenda(startDay: first, days: 5),
                extra: ["title": "CIT Academy, renamed", "course": "CIP"])
            fields["title_1"] = "Mental illness: an overview"
            let saved = try await coordinator.post(edit, fields)
            // validate
            #expect(saved.status == .seeOther)
            let session = try #require(try await ClassSession.query(on: app.db).filter(\.$id == id).with(\.$course).first())
            #expect(session.title == "CIT Academy, renamed")
            #expect(session.course.code == "CIT", "the course stays once people registered")
            #expect(session.agenda.first?.title == "Mental illness: an overview")
            #expect(
                try await Registration.query(on: app.db).filter(\.$email == "officer2@example.org").first()?.status == .confirmed,
                "promoted into the new seat")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "class.updated").count() == 1)
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$subject == "Changed: CIT Academy, renamed").count() == 0,
                "a new title alone mails nobody")

            // MUT: the class moves a week later: both people are told the new times
            let later = ClassFixtures.daysFromNow(67)
            var moved = ClassFixtures.form(
                capacity: 2, agenda: ClassFixtures.agenda(startDay: later, days: 5), extra: ["title": "CIT Academy, renamed"])
            moved["title_1"] = "Mental illness: an overview"
            #expect(try await coordinator.post(edit, moved).status == .seeOther)
            let changed = try await OutboxMessage.query(on: app.db).filter(\.$subject == "Changed: CIT Academy, renamed").all()
            #expect(Set(changed.map(\.toAddress)) == ["officer1@example.org", "officer2@example.org"])
            #expect(changed.allSatisfy { $0.bodyText.contains("Your place is unchanged (confirmed)") })

            // fewer seats than confirmed people is refused
            fields["capacity"] = "1"
            let fewer = try await coordinator.post(edit, fields)
            #expect(fewer.status == .unprocessableEntity)
            #expect(fewer.text.contains("2 people are confirmed"))

            let kenosha = try await programID(app, named: "NAMI Kenosha CIT/CIP")
            let other = try await Self.signIn(
                app, try await Fixtures.user(app, email: "k@example.org", role: .programCoordinator, scope: kenosha))
            #expect(try await other.get(edit).status == .forbidden)
            #expect(try await other.post(edit, fields).status == .forbidden)
        }
    }

    @Test("scripts may still post the agenda as text; its mistakes are reported as rows")
    func scriptText() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (_, coordinator) = try await ClassFixtures.createClass(app)
            let dane = try await programID(app, named: "NAMI Dane County CIT/CIP")
            var fields = ClassFixtures.form(agenda: "")
            fields = fields.filter { !$0.key.contains("_") || $0.key.hasPrefix("venue") }
            fields["rows"] = nil
            fields["agenda"] = ClassFixtures.agenda(startDay: ClassFixtures.daysFromNow(80), days: 5)
            #expect(try await coordinator.post(SiteURL.newClass(.value(dane)).path, fields).status == .seeOther)
            fields["agenda"] = "2027-03-15 12:00-08:00 Backwards"
            let refused = try await coordinator.post(SiteURL.newClass(.value(dane)).path, fields)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("Row 1: the end (08:00) is before the start (12:00)."))
        }
    }

    @Test("a refused registration opens on its summary: first in the form area, focusable and focused")
    func registrationSummary() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, _) = try await ClassFixtures.createClass(app)
            var form = ClassFixtures.registrant(1)
            form["phone"] = "555"
            let response = try await TestBrowser(app).post(SiteURL.classRegister(.value(id)).path, form)
            #expect(response.status == .unprocessableEntity)
            let html = response.text
            let summary = try #require(
                html.range(of: "<div class=\"error-summary\" id=\"error-summary\" role=\"alert\" tabindex=\"-1\" autofocus>"))
            let formStart = try #require(html.range(of: "action=\"\(SiteURL.classRegister(.value(id)).path)\""))
            #expect(summary.lowerBound < formStart.lowerBound)
            #expect(html.contains("<a href=\"#field-phone\">Phone: A phone number with area code"))
            #expect(html.contains("value=\"Officer 1\""), "input kept")
            #expect(html.components(separatedBy: "autofocus").count == 2, "one element takes the focus")
        }
    }

    @Test("“Cancel my place” asks once: the link opens a confirmation, only its POST cancels")
    func cancelConfirmation() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, _) = try await ClassFixtures.createClass(app)
            let browser = TestBrowser(app)
            let link = try #require(try await ClassFixtures.register(app, id, ClassFixtures.registrant(1)).location)
            let registrationPage = try await browser.get(link)
            #expect(registrationPage.text.contains("<a class=\"button secondary\" href=\"\(link)/cancel\">Cancel my place</a>"))
            // The address is the secret: it must not leave in a Referer header.
            #expect(registrationPage.headers.first(name: "Referrer-Policy") == "no-referrer")

            // MUT: following the link changes nothing
            let confirm = try await browser.get(link + "/cancel")
            #expect(confirm.status == .ok)
            #expect(confirm.text.contains("Cancel your place?"))
            #expect(confirm.headers.first(name: "Referrer-Policy") == "no-referrer")
            #expect(confirm.text.contains("Yes, cancel my place"))
            #expect(confirm.text.contains("href=\"\(link)\">No, keep my place"))
            #expect(try await Registration.query(on: app.db).first()?.status == .confirmed)

            // MUT: the confirmation's POST cancels
            #expect(try await browser.post(link + "/cancel", [:]).status == .seeOther)
            #expect(try await Registration.query(on: app.db).first()?.status == .cancelled)
            // the confirmation of a cancelled place goes back to the registration
            #expect(try await browser.get(link + "/cancel").location == link)
            #expect(try await browser.get("/registrations/not-a-real-token-at-all-x/cancel").status == .notFound)
        }
    }

    @Test("the course catalog speaks to the public: no internal references, no staff email")
    func coursesWording() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (coordinator, user) = try await Fixtures.signedIn(app, role: .programCoordinator)
            _ = try await coordinator.post(
                "/courses/new",
                [
                    "code": "CIT-YOUTH", "title": "CIT for youth", "hours": "16", "days": "2", "aud_sworn_law_enforcement": "on",
                    "completion": "Both days attended in full.", "summary": "",
                ])
            let html = try await TestBrowser(app).get("/courses").text
            #expect(!html.contains("PRODUCT.md"))
            #expect(!html.contains("seed page"))
            #expect(!html.contains(user.email))
            #expect(html.contains("NAMI Wisconsin's CIT and CIP page"))
            #expect(html.contains("CIT International, “CIT Support Training for 911”."))
        }
    }
}
