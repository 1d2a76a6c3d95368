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
        var form = [
            "course": course, "title": "CIT Academy test", "venue_name": "Madison Police Training Center",
            "venue_address": "211 S Carroll St, Madison, WI",
            "venue_zip": "53703", "capacity": String(capacity),
        ]
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
    static func createClass(
        _ app: Application, course: String = "CIT", capacity: Int = 30, days: Int = 5, startInDays: Int = 60, extra: [String: String] = [:]
    ) async throws -> (UUID, TestBrowser) {
        let dane = try await programID(app, named: "NAMI Dane County CIT/CIP")
        let coordinator = try await Fixtures.user(
            app, email: "coord-\(UUID().uuidString.prefix(6))@example.org", role: .programCoordinator, scope: dane)
        let browser = TestBrowser(app)
        _ = try await browser.post(SiteURL.login.path, ["email": coordinator.email, "password": Fixtures.password])
        let response = try await browser.post(
            SiteURL.newClass(.value(dane)).path,
            form(course: course, capacity: capacity, agenda: agenda(startDay: daysFromNow(startInDays), days: days), extra: extra))
        #expect(response.status == .seeOther, "class not created: \(response.status) \(response.text.prefix(0))")
        let id = try #require(response.location.flatMap { UUID(uuidString: $0.components(separatedBy: "/").last ?? "") })
        return (id, browser)
    }

    /// The newest confirmation link mailed to an address, as a path.
    static func confirmLink(_ app: Application, to email: String) async throws -> String? {
        let mails = try await OutboxMessage.query(on: app.db).filter(\.$toAddress == email).all().filter {
            $0.subject.hasPrefix("Confirm your place")
        }
        let newest = mails.max { ($0.createdAt ?? .distantPast, $0.bodyText) < ($1.createdAt ?? .distantPast, $1.bodyText) }
        return newest.flatMap { Fixtures.link(in: $0.bodyText, path: SiteURL.registrationConfirm(.key).parentPath) }
    }

    /// A person registering as people do: the public form, the link mailed to them, the
    /// link's "Confirm my place". The confirmation's answer (303 to their registration's
    /// page), or the form's own when it mailed no link.
    static func register(_ app: Application, _ classID: UUID, _ form: [String: String]) async throws -> TestingHTTPResponse {
        let browser = TestBrowser(app)
        let sent = try await browser.post(SiteURL.classRegister(.value(classID)).path, form)
        guard sent.status == .ok, let link = try await confirmLink(app, to: form["email"] ?? "") else { return sent }
        return try await browser.post(link, [:])
    }

    static func registrant(_ n: Int, organization: String = "Madison Police Department", audience: Audience = .swornLawEnforcement)
        -> [String: String]
    {
        [
            "name": "Officer \(n)", "email": "officer\(n)@example.org", "phone": "(608) 555-01\(String(format: "%02d", n % 100))",
            "organization": organization, "audience": audience.rawValue,
        ]
    }
}

@Suite("Classes: creating, registering, waitlist, cancelling")
struct ClassesTests {
    @Test("a 40-hour CIT agenda is accepted; 39.5 hours is refused with what is missing, and nothing is written")
    func agendaHours() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, coordinator) = try await ClassFixtures.createClass(app)
            let page = try await TestBrowser(app).get(SiteURL.classPage(.value(id)).path)
            #expect(page.status == .ok)
            #expect(page.text.contains("Overview of mental illnesses"))
            #expect(page.text.contains("30 of 30 seats left"))

            let dane = try await programID(app, named: "NAMI Dane County CIT/CIP")
            let short = ClassFixtures.agenda(startDay: ClassFixtures.daysFromNow(90), days: 5).replacingOccurrences(
                of: "\(ClassFixtures.daysFromNow(94)) 12:30-16:30", with: "\(ClassFixtures.daysFromNow(94)) 12:30-16:00")
            let before = try await ClassSession.query(on: app.db).count()
            let refused = try await coordinator.post(SiteURL.newClass(.value(dane)).path, ClassFixtures.form(agenda: short))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("39.5"))
            #expect(refused.text.contains("0.5 hours missing"))
            #expect(try await ClassSession.query(on: app.db).count() == before)

            let garbage = try await coordinator.post(
                SiteURL.newClass(.value(dane)).path,
                ClassFixtures.form(agenda: "tomorrow morning\n2027-02-30 08:00-12:00 Nope", extra: ["venue_zip": "5370", "capacity": "0"]))
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
                let response = try await ClassFixtures.register(app, id, ClassFixtures.registrant(n))
                #expect(response.status == .seeOther)
                links.append(try #require(response.location))
            }
            let statuses = try await Registration.query(on: app.db).sort(\.$sequence).all().map(\.status)
            #expect(statuses == [.confirmed, .confirmed, .confirmed, .waitlisted, .waitlisted])
            #expect(try await TestBrowser(app).get(links[4]).text.contains("number 2 on the waitlist"))
            #expect(try await TestBrowser(app).get(SiteURL.classPage(.value(id)).path).text.contains("Full: join the waitlist (2 waiting)"))

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
            #expect(try await ClassFixtures.register(app, id, ClassFixtures.registrant(1)).status == .seeOther)
            // A second form for the address changes nothing; the answer does not say why (issue 13).
            let twice = try await TestBrowser(app).post(SiteURL.classRegister(.value(id)).path, ClassFixtures.registrant(1))
            #expect(twice.status == .ok)
            #expect(twice.text.contains("Check your email"))
            #expect(!twice.text.contains("This email address already has a place"))

            var teacher = ClassFixtures.registrant(9, organization: "Madison Schools", audience: .nonLawEnforcementProfessionals)
            teacher["email"] = "teacher@example.org"
            let refused = try await TestBrowser(app).post(SiteURL.classRegister(.value(id)).path, teacher)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("CIP"))

            #expect(
                try await ClassFixtures.register(app, id, ClassFixtures.registrant(2, organization: "madison  police department")).status
                    == .seeOther)
            #expect(try await ClassFixtures.register(app, id, ClassFixtures.registrant(3)).status == .seeOther)
            let third = try #require(try await Registration.query(on: app.db).filter(\.$email == "officer3@example.org").first())
            #expect(third.status == .waitlisted, "agency limit of 2 reached while 8 seats remain")
            #expect(try await Registration.query(on: app.db).count() == 3)

            for bad in [["email": "nope"], ["phone": "x"], ["audience": "wizard"], ["name": ""]] {
                var form = ClassFixtures.registrant(50)
                for (k, v) in bad { form[k] = v }
                let response = try await TestBrowser(app).post(SiteURL.classRegister(.value(id)).path, form)
                #expect(response.status == .unprocessableEntity, "\(bad)")
            }
            #expect(try await Registration.query(on: app.db).count() == 3)
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$toAddress == "officer50@example.org").count() == 0,
                "bad input mails nobody")
        }
    }

    @Test("the class list, its filters and the calendar feed")
    func listAndFeed() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, _) = try await ClassFixtures.createClass(app)
            let browser = TestBrowser(app)
            #expect(try await browser.get(SiteURL.classes.path).text.contains(SiteURL.classPage(.value(id)).path))
            #expect(try await browser.get("/classes?course=CIT&county=55025").text.contains(SiteURL.classPage(.value(id)).path))
            #expect(!(try await browser.get("/classes?course=CIP").text.contains(SiteURL.classPage(.value(id)).path)))
            #expect(try await browser.get("/classes?zip=53066&miles=60").text.contains(SiteURL.classPage(.value(id)).path))
            #expect(!(try await browser.get("/classes?zip=54801&miles=20").text.contains(SiteURL.classPage(.value(id)).path)))
            #expect(try await browser.get("/classes?zip=12").status == .unprocessableEntity)
            #expect(try await browser.get("/classes?month=nope").status == .unprocessableEntity)

            let feed = try await browser.get(SiteURL.classesFeed.path)
            #expect(feed.headers.contentType?.subType == "calendar")
            #expect(feed.text.contains("BEGIN:VCALENDAR\r\n"))
            #expect(feed.text.components(separatedBy: "BEGIN:VEVENT").count - 1 == 5)
            #expect(feed.text.contains("DTSTART;TZID=America/Chicago:"))
            #expect(feed.text.contains("T080000"))
        }
    }

    @Test("coordinators see their own classes' rosters and cancel places; unconfirmed holds are counted, not listed; others get 403")
    func roster() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, coordinator) = try await ClassFixtures.createClass(app, capacity: 2)
            _ = try await ClassFixtures.register(app, id, ClassFixtures.registrant(1))
            // Officer 3 sent the form and has not confirmed: the last seat is held for them.
            _ = try await TestBrowser(app).post(SiteURL.classRegister(.value(id)).path, ClassFixtures.registrant(3))
            _ = try await ClassFixtures.register(app, id, ClassFixtures.registrant(2))
            #expect(try await Registration.query(on: app.db).filter(\.$email == "officer2@example.org").first()?.status == .waitlisted)
            #expect(try await TestBrowser(app).get(SiteURL.classPage(.value(id)).path).text.contains("Full: join the waitlist (1 waiting)"))
            let page = try await coordinator.get(SiteURL.classRoster(.value(id)).path)
            #expect(page.status == .ok)
            #expect(page.text.contains("officer1@example.org"))
            #expect(!page.text.contains("officer3@example.org"))
            #expect(page.text.contains("1 more seat is held for people who registered on the class page and have not yet confirmed"))
            let pending = try #require(try await Registration.query(on: app.db).filter(\.$email == "officer3@example.org").first())
            #expect(
                try await coordinator.post(SiteURL.classRegistrationCancel(.value(id), .value(pending.id!)).path, [:]).status == .seeOther)
            #expect(try await Registration.find(pending.id, on: app.db)?.status == .pending, "a hold is nobody's place to cancel")
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$toAddress == "officer3@example.org").count() == 1,
                "an unconfirmed address gets no mail but its link")

            // MUT: the coordinator cancels officer 1: officer 2 moves up, the held seat stays held
            let first = try #require(try await Registration.query(on: app.db).filter(\.$email == "officer1@example.org").first())
            #expect(
                try await coordinator.post(SiteURL.classRegistrationCancel(.value(id), .value(first.id!)).path, [:]).status == .seeOther)
            #expect(try await Registration.query(on: app.db).filter(\.$email == "officer2@example.org").first()?.status == .confirmed)
            #expect(
                try await TestBrowser(app).get(SiteURL.classPage(.value(id)).path).text.contains("Full: join the waitlist"),
                "one confirmed and one held for two seats")

            let kenosha = try await programID(app, named: "NAMI Kenosha CIT/CIP")
            let other = try await Fixtures.user(app, email: "other@example.org", role: .programCoordinator, scope: kenosha)
            let browser = TestBrowser(app)
            _ = try await browser.post(SiteURL.login.path, ["email": other.email, "password": Fixtures.password])
            #expect(try await browser.get(SiteURL.classRoster(.value(id)).path).status == .forbidden)
            #expect(
                try await browser.post(SiteURL.newClass(.value(try await programID(app, named: "NAMI Dane County CIT/CIP"))).path, [:])
                    .status == .forbidden)
        }
    }

    @Test("reminders go once, a few days before")
    func reminders() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, _) = try await ClassFixtures.createClass(app, startInDays: 2)
            _ = try await ClassFixtures.register(app, id, ClassFixtures.registrant(1))
            // Someone who never confirmed gets no reminder.
            _ = try await TestBrowser(app).post(SiteURL.classRegister(.value(id)).path, ClassFixtures.registrant(2))
            #expect(try await ClassReminders.run(on: app.db, settings: app.settings) == 1)
            #expect(try await ClassReminders.run(on: app.db, settings: app.settings) == 0)
            #expect(try await OutboxMessage.query(on: app.db).all().filter { $0.subject.hasPrefix("Reminder") }.count == 1)
        }
    }
}

@Suite("Classes under concurrent registration")
struct ClassConcurrencyTests {
    @Test(
        "40 simultaneous registrations for 10 seats, then 40 confirmations at once (some clicked twice): exactly 10 confirmed, 30 waitlisted 1..30, none lost, no duplicates"
    )
    func storm() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cithub-storm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        // On SQLite the test uses a file, as production does (in-memory databases share a
        // cache with different locking); on PostgreSQL its own schema.
        try await withCITHub(configure: { settings in
            if case .sqliteMemory = settings.storage {
                settings.storage = .sqliteFile(path: dir.appendingPathComponent("storm.sqlite").path)
            }
        }) { app in
            try await prepareSQLite(app)
            try await loadDirectory(app)
            let (id, _) = try await ClassFixtures.createClass(app, capacity: 10)
            func browser() -> TestBrowser {
                let browser = TestBrowser(app)
                browser.cookies[CSRF.cookieName] = String(repeating: "c", count: 43)
                return browser
            }
            // MUT: 40 forms at once
            let sent = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for n in 1...40 {
                    group.addTask { try await browser().post(SiteURL.classRegister(.value(id)).path, ClassFixtures.registrant(n)).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(sent.allSatisfy { $0 == .ok }, "\(sent)")
            let pending = try await Registration.query(on: app.db).filter(\.$classSession.$id == id).all()
            #expect(pending.count == 40)
            #expect(pending.allSatisfy { $0.status == .pending })
            #expect(pending.filter { $0.holdUntil != nil }.count == 10, "a seat is held for each of the first 10, none for the rest")

            // MUT: 40 confirmations at once, the first 5 links clicked twice
            var links: [String] = []
            for n in 1...40 { links.append(try #require(try await ClassFixtures.confirmLink(app, to: "officer\(n)@example.org"))) }
            let clicks = (links + links.prefix(5)).shuffled()
            let confirmed = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for link in clicks {
                    group.addTask { try await browser().post(link, [:]).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(confirmed.filter { $0 == .seeOther }.count == 40, "\(confirmed)")
            #expect(confirmed.filter { $0 == .ok }.count == 5, "a second click says the link was used")

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
            let policy = WaitlistPolicy.positions(
                waiting.map { WaitlistEntry(id: $0.id!, agencyKey: $0.agencyKey, joinedAt: $0.joinedAt, sequence: $0.sequence) })
            for (registration, position) in zip(waiting, positions) { #expect(policy[registration.id!] == position) }
            #expect(Set(registrations.map(\.sequence)).count == 40, "every registration has its own number")
            // Each person got one answer by mail: confirmed or waiting, never both, never two.
            let subjects = try await OutboxMessage.query(on: app.db).all().map(\.subject)
            #expect(subjects.filter { $0.hasPrefix("Confirmed:") }.count == 10)
            #expect(subjects.filter { $0.hasPrefix("Waitlist:") }.count == 30)
        }
    }
}

@Suite("Public registration confirms the email address (issue 13)")
struct RegistrationConfirmationTests {
    /// The form's answer with what may differ removed: the address typed (shown so a typo
    /// can be seen), the class's id, the CSRF token; and the response's header names.
    static func answer(_ app: Application, _ classID: UUID, _ n: Int) async throws -> (HTTPStatus, String, [String]) {
        let browser = TestBrowser(app)
        browser.cookies[CSRF.cookieName] = String(repeating: "c", count: 43)
        let response = try await browser.post(SiteURL.classRegister(.value(classID)).path, ClassFixtures.registrant(n))
        let body = response.text.replacingOccurrences(of: "officer\(n)@example.org", with: "ADDRESS")
            .replacingOccurrences(of: classID.uuidString.lowercased(), with: "CLASS")
            .replacingOccurrences(of: #"name="_csrf" value="[^"]*""#, with: "", options: .regularExpression)
        return (response.status, body, response.headers.map { $0.name.lowercased() }.filter { $0 != "date" }.sorted())
    }

    @Test(
        "the form answers the same for a new address, one confirmed, one waiting, one pending, and a full class; the address with a place is mailed a fresh link"
    )
    func sameAnswerForEveryone() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            // setup: a full class with one confirmed and one waiting; a class with seats
            let (full, _) = try await ClassFixtures.createClass(app, capacity: 1)
            let (open, _) = try await ClassFixtures.createClass(app, capacity: 30)
            #expect(try await ClassFixtures.register(app, full, ClassFixtures.registrant(1)).status == .seeOther)
            #expect(try await ClassFixtures.register(app, full, ClassFixtures.registrant(2)).status == .seeOther)
            _ = try await TestBrowser(app).post(SiteURL.classRegister(.value(full)).path, ClassFixtures.registrant(4))
            let before = try await Registration.query(on: app.db).count()

            // MUT
            let enrolled = try await Self.answer(app, full, 1)
            let waiting = try await Self.answer(app, full, 2)
            let newToFullClass = try await Self.answer(app, full, 3)
            let pendingAgain = try await Self.answer(app, full, 4)
            let newToOpenClass = try await Self.answer(app, open, 5)

            // validate
            #expect(enrolled.0 == .ok)
            #expect(enrolled.1.contains("Check your email"))
            #expect(enrolled.1.contains("<strong>ADDRESS</strong>"))
            for other in [waiting, newToFullClass, pendingAgain, newToOpenClass] {
                #expect(other.0 == enrolled.0)
                #expect(other.1 == enrolled.1)
                #expect(other.2 == enrolled.2)
            }
            #expect(try await Registration.query(on: app.db).count() == before + 2, "new rows only for the two new addresses")
            #expect(try await Registration.query(on: app.db).filter(\.$email == "officer1@example.org").first()?.status == .confirmed)

            let mail = try #require(
                try await OutboxMessage.query(on: app.db).filter(\.$toAddress == "officer1@example.org").all().first {
                    $0.subject.hasPrefix("You already have a place")
                })
            #expect(mail.bodyText.contains("You are confirmed."))
            let manage = try #require(Fixtures.link(in: mail.bodyText, path: "/registrations"))
            #expect(try await TestBrowser(app).get(manage).text.contains("You are confirmed"))
            let waitingMail = try #require(
                try await OutboxMessage.query(on: app.db).filter(\.$toAddress == "officer2@example.org").all().first {
                    $0.subject.hasPrefix("You already have a place")
                })
            #expect(waitingMail.bodyText.contains("You are number 1 on the waitlist."))
            // The pending address got a new link; the old one stopped working.
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$toAddress == "officer4@example.org").count() == 2)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "registration.reminded").count() == 2)
        }
    }

    @Test(
        "a hold lasts 30 minutes, then its seat is free; a late confirmation gets the waitlist when the seat went, a seat when one is free; the link's page confirms nothing; a link works once"
    )
    func holds() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, _) = try await ClassFixtures.createClass(app, capacity: 1)
            let first = TestBrowser(app)
            #expect(try await first.post(SiteURL.classRegister(.value(id)).path, ClassFixtures.registrant(1)).status == .ok)
            let link = try #require(try await ClassFixtures.confirmLink(app, to: "officer1@example.org"))
            let held = try #require(try await Registration.query(on: app.db).filter(\.$email == "officer1@example.org").first())
            #expect(held.status == .pending)
            let minutes = (held.holdUntil ?? .distantPast).timeIntervalSinceNow / 60
            #expect(minutes > 29 && minutes <= 30)
            #expect(
                try await TestBrowser(app).get(SiteURL.classPage(.value(id)).path).text.contains("Full: join the waitlist"),
                "the held seat is not offered again")
            #expect(try await TestBrowser(app).get(SiteURL.classes.path).text.contains("Full: join the waitlist"))
            // The cached list goes stale when the hold runs out.
            #expect(try await RegistrationService.nextHoldEnd(on: app.db) == held.holdUntil)

            // MUT: opening the link (as a mail scanner does) confirms nothing
            let page = try await first.get(link)
            #expect(page.status == .ok)
            #expect(page.text.contains("Confirm my place"))
            #expect(page.text.contains("A seat is held for you until"))
            #expect(page.headers.first(name: "Referrer-Policy") == "no-referrer")
            #expect(try await Registration.find(held.id, on: app.db)?.status == .pending)
            #expect(try await first.post(link, [:], csrf: false).status == .forbidden, "the button is a form with a CSRF token")
            #expect(try await Registration.find(held.id, on: app.db)?.status == .pending)

            // Officer 2 confirms while the seat is held: the waitlist.
            #expect(try await ClassFixtures.register(app, id, ClassFixtures.registrant(2)).status == .seeOther)
            #expect(try await Registration.query(on: app.db).filter(\.$email == "officer2@example.org").first()?.status == .waitlisted)

            // MUT: the hold runs out; the seat is free again, and the release pass gives it to the waitlist
            try await Registration.query(on: app.db).filter(\.$id == held.id!).set(\.$holdUntil, to: Date().addingTimeInterval(-1)).update()
            #expect(try await TestBrowser(app).get(SiteURL.classPage(.value(id)).path).text.contains("1 of 1 seats left"))
            let released = try await RegistrationHolds.release(on: app.db, settings: app.settings)
            #expect(released.promoted == 1 && released.deleted == 0)
            #expect(try await Registration.query(on: app.db).filter(\.$email == "officer2@example.org").first()?.status == .confirmed)
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$toAddress == "officer2@example.org").all().contains {
                    $0.subject.hasPrefix("A seat opened")
                })
            #expect(try await first.get(link).text.contains("No seat is held for you now"))

            // MUT: officer 1 confirms late: the seat went, so the waitlist
            let late = try await first.post(link, [:])
            #expect(late.status == .seeOther)
            #expect(try await first.get(try #require(late.location)).text.contains("You are number 1 on the waitlist"))
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$toAddress == "officer1@example.org").all().filter {
                    $0.subject.hasPrefix("Waitlist:")
                }.count == 1)

            // MUT: the link a second time
            let again = try await first.post(link, [:])
            #expect(again.status == .ok)
            #expect(again.text.contains("This link was already used"))
            #expect(again.text.contains("You are number 1 on the waitlist"))
            #expect(try await TestBrowser(app).get(link).text.contains("This link was already used"))
            #expect(try await Registration.query(on: app.db).filter(\.$email == "officer1@example.org").first()?.status == .waitlisted)

            // A late confirmation with a seat free gets it.
            let (roomy, _) = try await ClassFixtures.createClass(app, capacity: 2)
            _ = try await TestBrowser(app).post(SiteURL.classRegister(.value(roomy)).path, ClassFixtures.registrant(5))
            try await Registration.query(on: app.db).filter(\.$email == "officer5@example.org").set(
                \.$holdUntil, to: Date().addingTimeInterval(-1)
            ).update()
            let seat = try await TestBrowser(app).post(
                try #require(try await ClassFixtures.confirmLink(app, to: "officer5@example.org")), [:])
            #expect(seat.status == .seeOther)
            #expect(try await Registration.query(on: app.db).filter(\.$email == "officer5@example.org").first()?.status == .confirmed)

            // A link that ran out says so, and the release pass removes its registration.
            _ = try await TestBrowser(app).post(SiteURL.classRegister(.value(roomy)).path, ClassFixtures.registrant(6))
            let stale = try #require(try await ClassFixtures.confirmLink(app, to: "officer6@example.org"))
            try await Registration.query(on: app.db).filter(\.$email == "officer6@example.org")
                .set(\.$holdUntil, to: Date().addingTimeInterval(-86_400)).set(\.$confirmExpiresAt, to: Date().addingTimeInterval(-1))
                .update()
            #expect(try await TestBrowser(app).get(stale).status == .gone)
            let expired = try await TestBrowser(app).post(stale, [:])
            #expect(expired.status == .gone)
            #expect(expired.text.contains("This link has expired"))
            #expect(try await RegistrationHolds.release(on: app.db, settings: app.settings).deleted == 1)
            #expect(try await Registration.query(on: app.db).filter(\.$email == "officer6@example.org").count() == 0)
            #expect(try await TestBrowser(app).get(stale).status == .notFound)
            #expect(try await TestBrowser(app).post(stale, [:]).status == .notFound)
            #expect(try await TestBrowser(app).get(SiteURL.registrationConfirm(.value("x")).path).status == .notFound)
            #expect(
                try await TestBrowser(app).get(SiteURL.registrationConfirm(.value(String(repeating: "A", count: 43))).path).status
                    == .notFound)
        }
    }

    @Test("the migration reverts and applies again over places made before it: they keep working, with no link or hold")
    func migration() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, _) = try await ClassFixtures.createClass(app, capacity: 1)
            let link = try #require(try await ClassFixtures.register(app, id, ClassFixtures.registrant(1)).location)
            _ = try await TestBrowser(app).post(SiteURL.classRegister(.value(id)).path, ClassFixtures.registrant(2))
            // MUT (on one connection: SQLite's other pooled connections may still hold the old schema)
            try await app.db.transaction { tx in
                try await M018_AddEmailConfirmation().revert(on: tx)
                try await M018_AddEmailConfirmation().prepare(on: tx)
            }
            // validate: the pending registration went with the columns; the place stayed
            let rows = try await Registration.query(on: app.db).all()
            #expect(rows.map(\.status) == [.confirmed])
            #expect(rows.first?.holdUntil == nil && rows.first?.confirmTokenHash == nil)
            #expect(try await TestBrowser(app).get(link).text.contains("You are confirmed"))
            #expect(try await ClassFixtures.register(app, id, ClassFixtures.registrant(3)).status == .seeOther)
        }
    }

    @Test("a coordinator adding someone whose address is pending gives them the place at once")
    func coordinatorOverPending() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (id, coordinator) = try await ClassFixtures.createClass(app, capacity: 1)
            _ = try await TestBrowser(app).post(SiteURL.classRegister(.value(id)).path, ClassFixtures.registrant(1))
            let person = Dictionary(uniqueKeysWithValues: ClassFixtures.registrant(1).map { ("person_" + $0.key, $0.value) })
            #expect(try await coordinator.post(SiteURL.classAddPerson(.value(id)).path, person).status == .seeOther)
            let registrations = try await Registration.query(on: app.db).filter(\.$classSession.$id == id).all()
            #expect(registrations.map(\.status) == [.confirmed], "the pending row became the place; its own hold did not stand in the way")
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
            let good = [
                "code": "cit-youth", "title": "CIT for youth", "hours": "16", "days": "2", "aud_sworn_law_enforcement": "on",
                "completion": "Both days attended in full.", "summary": "De-escalation with young people.",
            ]
            for bad in [
                ["code": "x"], ["hours": "0"], ["hours": "7.25"], ["days": "40"], ["title": "<b>Youth</b>"],
                ["aud_sworn_law_enforcement": ""], ["completion": ""],
            ] {
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
