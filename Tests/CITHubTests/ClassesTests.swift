import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

enum ClassFixtures {
    static let zone = TimeZone(identifier: "America/Chicago")!

    /// Consecutive days from `start` ("yyyy-MM-dd"), 8 teaching hours a day with lunch.
    static func agenda(startDay: String, days: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX"); formatter.timeZone = zone; formatter.dateFormat = "yyyy-MM-dd"
        var lines: [String] = []
        var day = formatter.date(from: startDay)!
        for _ in 0..<days {
            let d = formatter.string(from: day)
            lines.append("\(d) 08:00-12:00 Overview of mental illnesses #mental-illness-overview")
            lines.append("\(d) 12:00-12:30 Lunch")
            lines.append("\(d) 12:30-16:30 Role-plays with feedback #role-plays")
            day = Calendar(identifier: .gregorian).date(byAdding: .day, value: 1, to: day)!
        }
        return lines.joined(separator: "\n")
    }

    static func daysFromNow(_ n: Int) -> String {
        ClassTimes.dayAndTime(Date().addingTimeInterval(Double(n) * 86_400), timeZone: zone).day
    }

    /// The class form as a browser sends it: the agenda as rows (`rows`, `day_1`, …),
    /// written here as the one-line-per-block text for brevity.
    static func form(course: String = "CIT", capacity: Int = 30, agenda: String, extra: [String: String] = [:]) -> [String: String] {
        var form = ["course": course, "title": "CIT Academy test", "venue_name": "Madison Police Training Center", "venue_address": "211 S Carroll St, Madison, WI",
                    "venue_zip": "53703", "capacity": String(capacity)]
        for (k, v) in rowFields(AgendaRows.rows(fromText: agenda)) { form[k] = v }
        for (k, v) in extra { form[k] = v }
        return form
    }

    static func rowFields(_ rows: [AgendaRow]) -> [String: String] {
        var fields = ["rows": String(rows.count)]
        for (offset, row) in rows.enumerated() {
            let n = offset + 1
            fields["day_\(n)"] = row.day; fields["start_\(n)"] = row.start; fields["end_\(n)"] = row.end
            fields["title_\(n)"] = row.title; fields["topic_\(n)"] = row.topic
        }
        return fields
    }

    /// A coordinator of the Dane County program creates a class; returns its id.
    static func createClass(_ app: Application, course: String = "CIT", capacity: Int = 30, days: Int = 5, startInDays: Int = 60, extra: [String: String] = [:]) async throws -> (UUID, TestBrowser) {
        let dane = try await programID(app, named: "NAMI Dane County CIT/CIP")
        let coordinator = try await Fixtures.user(app, email: "coord-\(UUID().uuidString.prefix(6))@example.org", role: .programCoordinator, scope: dane)
        let browser = TestBrowser(app)
        _ = try await browser.post(SiteURL.login, ["email": coordinator.email, "password": Fixtures.password])
        let response = try await browser.post(ClassURL.newClass(programID: dane), form(course: course, capacity: capacity, agenda: agenda(startDay: daysFromNow(startInDays), days: days), extra: extra))
        #expect(response.status == .seeOther, "class not created: \(response.status) \(response.text.prefix(0))")
        let id = try #require(response.location.flatMap { UUID(uuidString: $0.components(separatedBy: "/").last ?? "") })
        return (id, browser)
    }

    static func registrant(_ n: Int, organization: String = "Madison Police Department", audience: Audience = .swornLawEnforcement) -> [String: String] {
        ["name": "Officer \(n)", "email": "officer\(n)@example.org", "phone": "(608) 555-01\(String(format: "%02d", n % 100))", "organization": organization, "audience": audience.rawValue]
    }
}

@Suite("Classes: creating, registering, waitlist, cancelling")
struct ClassesTests {
    @Test("a 40-hour CIT agenda is accepted; 39.5 hours is refused with what is missing, and nothing is written")
    func agendaHours() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, coordinator) = try await ClassFixtures.createClass(app)
            let page = try await TestBrowser(app).get(ClassURL.classPage(id))
            #expect(page.status == .ok)
            #expect(page.text.contains("Overview of mental illnesses"))
            #expect(page.text.contains("30 of 30 seats left"))

            let dane = try await programID(app, named: "NAMI Dane County CIT/CIP")
            let short = ClassFixtures.agenda(startDay: ClassFixtures.daysFromNow(90), days: 5).replacingOccurrences(of: "\(ClassFixtures.daysFromNow(94)) 12:30-16:30", with: "\(ClassFixtures.daysFromNow(94)) 12:30-16:00")
            let before = try await ClassSession.query(on: app.db).count()
            let refused = try await coordinator.post(ClassURL.newClass(programID: dane), ClassFixtures.form(agenda: short))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("39.5"))
            #expect(refused.text.contains("0.5 hours missing"))
            #expect(try await ClassSession.query(on: app.db).count() == before)

            let garbage = try await coordinator.post(ClassURL.newClass(programID: dane), ClassFixtures.form(agenda: "tomorrow morning\n2027-02-30 08:00-12:00 Nope", extra: ["venue_zip": "5370", "capacity": "0"]))
            #expect(garbage.status == .unprocessableEntity)
            #expect(garbage.text.contains("Row 1: choose the date."))
            #expect(garbage.text.contains("Row 2: 2027-02-30 at 08:00 is not a real local time"))
            #expect(garbage.text.contains("A ZIP code has 5 digits"))
            #expect(try await ClassSession.query(on: app.db).count() == before)
        }
    }

    @Test("the 31st person for 30 seats is waitlisted; a cancellation by link promotes the first waiting, with mail to each")
    func waitlistAndPromotion() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, _) = try await ClassFixtures.createClass(app, capacity: 3)
            var links: [String] = []
            for n in 1...5 {
                let response = try await TestBrowser(app).post(ClassURL.register(id), ClassFixtures.registrant(n))
                #expect(response.status == .seeOther)
                links.append(try #require(response.location))
            }
            let statuses = try await Registration.query(on: app.db).sort(\.$sequence).all().map(\.status)
            #expect(statuses == [.confirmed, .confirmed, .confirmed, .waitlisted, .waitlisted])
            #expect(try await TestBrowser(app).get(links[4]).text.contains("number 2 on the waitlist"))
            #expect(try await TestBrowser(app).get(ClassURL.classPage(id)).text.contains("Full: join the waitlist (2 waiting)"))

            let mails = try await OutboxMessage.query(on: app.db).all()
            #expect(mails.filter { $0.subject.hasPrefix("Confirmed") }.count == 3)
            #expect(mails.filter { $0.subject.hasPrefix("Waitlist") }.count == 2)
            let confirmation = try #require(mails.first { $0.subject.hasPrefix("Confirmed") })
            #expect(confirmation.attachmentsJSON?.contains("class.ics") == true)

            // MUT: the second confirmed person cancels by their link
            let browser = TestBrowser(app)
            _ = try await browser.get(links[1])
            let cancel = try await browser.post(links[1] + "/cancel", [:])
            #expect(cancel.status == .seeOther)

            let after = try await Registration.query(on: app.db).sort(\.$sequence).all()
            #expect(after.map(\.status) == [.confirmed, .cancelled, .confirmed, .confirmed, .waitlisted])
            #expect(after[3].promotedAt != nil)
            let subjects = try await OutboxMessage.query(on: app.db).all().map(\.subject)
            #expect(subjects.contains { $0.hasPrefix("Cancelled") })
            #expect(subjects.contains { $0.hasPrefix("A seat opened") })
            #expect(try await TestBrowser(app).get(links[4]).text.contains("number 1 on the waitlist"))
            // a second cancel changes nothing
            #expect(try await browser.post(links[1] + "/cancel", [:]).status == .seeOther)
            #expect(try await Registration.query(on: app.db).filter(\.$status == .confirmed).count() == 3)
        }
    }

    @Test("one place per email; ineligible people are told where to go instead; agency limits hold while seats remain")
    func rules() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, _) = try await ClassFixtures.createClass(app, capacity: 10, extra: ["default_agency_limit": "2"])
            #expect(try await TestBrowser(app).post(ClassURL.register(id), ClassFixtures.registrant(1)).status == .seeOther)
            let twice = try await TestBrowser(app).post(ClassURL.register(id), ClassFixtures.registrant(1))
            #expect(twice.status == .unprocessableEntity)
            #expect(twice.text.contains("already has a place"))

            var teacher = ClassFixtures.registrant(9, organization: "Madison Schools", audience: .nonLawEnforcementProfessionals)
            teacher["email"] = "teacher@example.org"
            let refused = try await TestBrowser(app).post(ClassURL.register(id), teacher)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("CIP"))

            #expect(try await TestBrowser(app).post(ClassURL.register(id), ClassFixtures.registrant(2, organization: "madison  police department")).status == .seeOther)
            #expect(try await TestBrowser(app).post(ClassURL.register(id), ClassFixtures.registrant(3)).status == .seeOther)
            let third = try #require(try await Registration.query(on: app.db).filter(\.$email == "officer3@example.org").first())
            #expect(third.status == .waitlisted, "agency limit of 2 reached while 8 seats remain")
            #expect(try await Registration.query(on: app.db).count() == 3)

            for bad in [["email": "nope"], ["phone": "x"], ["audience": "wizard"], ["name": ""]] {
                var form = ClassFixtures.registrant(50)
                for (k, v) in bad { form[k] = v }
                let response = try await TestBrowser(app).post(ClassURL.register(id), form)
                #expect(response.status == .unprocessableEntity, "\(bad)")
            }
            #expect(try await Registration.query(on: app.db).count() == 3)
        }
    }

    @Test("the class list, its filters and the calendar feed")
    func listAndFeed() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, _) = try await ClassFixtures.createClass(app)
            let browser = TestBrowser(app)
            #expect(try await browser.get(SiteURL.classes).text.contains(ClassURL.classPage(id)))
            #expect(try await browser.get("/classes?course=CIT&county=55025").text.contains(ClassURL.classPage(id)))
            #expect(!(try await browser.get("/classes?course=CIP").text.contains(ClassURL.classPage(id))))
            #expect(try await browser.get("/classes?zip=53066&miles=60").text.contains(ClassURL.classPage(id)))
            #expect(!(try await browser.get("/classes?zip=54801&miles=20").text.contains(ClassURL.classPage(id))))
            #expect(try await browser.get("/classes?zip=12").status == .unprocessableEntity)
            #expect(try await browser.get("/classes?month=nope").status == .unprocessableEntity)

            let feed = try await browser.get(ClassURL.feed)
            #expect(feed.headers.contentType?.subType == "calendar")
            #expect(feed.text.contains("BEGIN:VCALENDAR\r\n"))
            #expect(feed.text.components(separatedBy: "BEGIN:VEVENT").count - 1 == 5)
            #expect(feed.text.contains("DTSTART;TZID=America/Chicago:"))
            #expect(feed.text.contains("T080000"))
        }
    }

    @Test("coordinators see their own classes' rosters and cancel places; others get 403")
    func roster() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, coordinator) = try await ClassFixtures.createClass(app, capacity: 1)
            _ = try await TestBrowser(app).post(ClassURL.register(id), ClassFixtures.registrant(1))
            _ = try await TestBrowser(app).post(ClassURL.register(id), ClassFixtures.registrant(2))
            let page = try await coordinator.get(ClassURL.roster(id))
            #expect(page.status == .ok)
            #expect(page.text.contains("officer1@example.org"))
            let first = try #require(try await Registration.query(on: app.db).filter(\.$email == "officer1@example.org").first())
            #expect(try await coordinator.post(ClassURL.coordinatorCancel(id, first.id!), [:]).status == .seeOther)
            #expect(try await Registration.query(on: app.db).filter(\.$email == "officer2@example.org").first()?.status == .confirmed)

            let kenosha = try await programID(app, named: "NAMI Kenosha CIT/CIP")
            let other = try await Fixtures.user(app, email: "other@example.org", role: .programCoordinator, scope: kenosha)
            let browser = TestBrowser(app)
            _ = try await browser.post(SiteURL.login, ["email": other.email, "password": Fixtures.password])
            #expect(try await browser.get(ClassURL.roster(id)).status == .forbidden)
            #expect(try await browser.post(ClassURL.newClass(programID: try await programID(app, named: "NAMI Dane County CIT/CIP")), [:]).status == .forbidden)
        }
    }

    @Test("reminders go once, a few days before")
    func reminders() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, _) = try await ClassFixtures.createClass(app, startInDays: 2)
            _ = try await TestBrowser(app).post(ClassURL.register(id), ClassFixtures.registrant(1))
            #expect(try await ClassReminders.run(on: app.db, settings: app.settings) == 1)
            #expect(try await ClassReminders.run(on: app.db, settings: app.settings) == 0)
            #expect(try await OutboxMessage.query(on: app.db).all().filter { $0.subject.hasPrefix("Reminder") }.count == 1)
        }
    }
}

@Suite("Classes under concurrent registration")
struct ClassConcurrencyTests {
    @Test("40 simultaneous registrations for 10 seats: exactly 10 confirmed, 30 waitlisted 1..30, none lost, no duplicates")
    func storm() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cithub-storm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        // On SQLite the test uses a file, as production does (in-memory databases share a
        // cache with different locking); on PostgreSQL its own schema.
        try await withCITHub(configure: { settings in
            if case .sqliteMemory = settings.storage { settings.storage = .sqliteFile(path: dir.appendingPathComponent("storm.sqlite").path) }
        }) { app in
            try await prepareSQLite(app)
            try await loadDirectory(app)
            let (id, _) = try await ClassFixtures.createClass(app, capacity: 10)
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for n in 1...40 {
                    group.addTask {
                        let browser = TestBrowser(app)
                        browser.cookies[CSRF.cookieName] = String(repeating: "c", count: 43)
                        return try await browser.post(ClassURL.register(id), ClassFixtures.registrant(n)).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .seeOther }, "\(statuses)")
            let registrations = try await Registration.query(on: app.db).filter(\.$classSession.$id == id).all()
            #expect(registrations.count == 40)
            #expect(Set(registrations.map(\.email)).count == 40)
            #expect(registrations.filter { $0.status == .confirmed }.count == 10)
            let waiting = registrations.filter { $0.status == .waitlisted }
            #expect(waiting.count == 30)
            var positions: [Int] = []
            for registration in waiting { positions.append(try await RegistrationService.position(of: registration, on: app.db) ?? -1) }
            #expect(positions.sorted() == Array(1...30))
            // The counted position agrees with the domain's waitlist order.
            let policy = WaitlistPolicy.positions(waiting.map { WaitlistEntry(id: $0.id!, agencyKey: $0.agencyKey, joinedAt: $0.joinedAt, sequence: $0.sequence) })
            for (registration, position) in zip(waiting, positions) { #expect(policy[registration.id!] == position) }
            #expect(Set(registrations.map(\.sequence)).count == 40, "every registration has its own number")
        }
    }
}

@Suite("Course catalog")
struct CourseCatalogRouteTests {
    @Test("coordinators add a youth CIT course; bad input is refused and nothing is written; the catalog lists it")
    func addCourse() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (coordinator, _) = try await Fixtures.signedIn(app, role: .programCoordinator)
            let good = ["code": "cit-youth", "title": "CIT for youth", "hours": "16", "days": "2", "aud_sworn_law_enforcement": "on",
                        "completion": "Both days attended in full.", "summary": "De-escalation with young people."]
            for bad in [["code": "x"], ["hours": "0"], ["hours": "7.25"], ["days": "40"], ["title": "<b>Youth</b>"], ["aud_sworn_law_enforcement": ""], ["completion": ""]] {
                var form = good
                for (k, v) in bad { form[k] = v }
                let response = try await coordinator.post("/courses/new", form)
                #expect(response.status == .unprocessableEntity, "\(bad)")
            }
            #expect(try await Course.query(on: app.db).count() == 3)
            #expect(try await coordinator.post("/courses/new", good).status == .seeOther)
            let youth = try #require(try await Course.query(on: app.db).filter(\.$code == "CIT-YOUTH").first())
            #expect(youth.requiredHours == 16)
            #expect(try await coordinator.post("/courses/new", good).status == .unprocessableEntity, "codes are unique")
            let catalog = try await TestBrowser(app).get("/courses")
            #expect(catalog.text.contains("CIT for youth (CIT-YOUTH)"))
            #expect(catalog.text.contains("All 40 hours attended"))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "course.created").count() == 1)
        }
    }
}
