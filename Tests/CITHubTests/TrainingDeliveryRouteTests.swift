import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

enum TrainingFixtures {
    /// A CIT class (5 days, 40 hours) with `trainees` confirmed registrations, moved into
    /// the past so it is over; returns the class, its coordinator's browser and the
    /// registrations in order.
    static func pastClass(_ app: Application, trainees: Int = 2, course: String = "CIT", days: Int = 5) async throws -> (
        ClassSession, TestBrowser, [Registration]
    ) {
        let (id, coordinator) = try await ClassFixtures.createClass(app, course: course, days: days)
        for n in 1...trainees {
            let audience: Audience = course == "CIP" ? .nonLawEnforcementProfessionals : .swornLawEnforcement
            let response = try await ClassFixtures.register(app, id, ClassFixtures.registrant(n, audience: audience))
            #expect(response.status == .seeOther)
        }
        let session = try #require(try await ClassSession.find(id, on: app.db))
        // Shift the whole class so that it ended yesterday.
        // Whole days, so that blocks keep their clock times (08:00 stays 08:00).
        let days = (session.endsAt.timeIntervalSince(Date().addingTimeInterval(-86_400)) / 86_400).rounded(.up)
        let shift = -days * 86_400
        let agenda = session.agenda.map {
            AgendaBlock(
                title: $0.title, topicCode: $0.topicCode, start: $0.start.addingTimeInterval(shift), end: $0.end.addingTimeInterval(shift),
                isBreak: $0.isBreak)
        }
        session.agendaJSON = String(decoding: try JSONEncoder().encode(agenda), as: UTF8.self)
        session.startsAt = session.startsAt.addingTimeInterval(shift)
        session.endsAt = session.endsAt.addingTimeInterval(shift)
        try await session.update(on: app.db)
        let registrations = try await Registration.query(on: app.db).filter(\.$classSession.$id == id).sort(\.$sequence).all()
        return (session, coordinator, registrations)
    }

    /// A trainer account assigned to the class by its coordinator.
    static func assignedTrainer(
        _ app: Application, session: ClassSession, coordinator: TestBrowser,
        email: String = "trainer-\(UUID().uuidString.prefix(6))@example.org"
    ) async throws -> (TestBrowser, User) {
        let trainer = try await Fixtures.user(app, email: email, role: .trainer)
        let response = try await coordinator.post(SiteURL.classTrainers(.value(session.id!)).path, ["email": trainer.email])
        #expect(response.status == .seeOther, "assigning a trainer: \(response.status)")
        let browser = TestBrowser(app)
        _ = try await browser.post(SiteURL.login.path, ["email": trainer.email, "password": Fixtures.password])
        return (browser, trainer)
    }

    struct Entry: Encodable {
        var id = UUID().uuidString
        var registration: String
        var block: Int
        var kind: String
        var at: String? = nil
        var minutes: Int? = nil
        var text: String? = nil
    }

    struct SyncBody: Encodable { var _csrf: String; var entries: [Entry] }
    struct SyncAnswer: Decodable {
        struct Result: Decodable { var id: String; var status: String; var message: String?; var state: String?; var mark: String? };
        var results: [Result]
    }

    static func sync(_ browser: TestBrowser, _ session: ClassSession, _ entries: [Entry]) async throws -> (HTTPStatus, SyncAnswer?) {
        if browser.cookies[CSRF.cookieName] == nil { try await browser.get(SiteURL.login.path) }
        var headers = HTTPHeaders()
        headers.contentType = .json
        let body = try JSONEncoder().encode(SyncBody(_csrf: browser.cookies[CSRF.cookieName] ?? "", entries: entries))
        let response = try await browser.send(
            .POST, SiteURL.attendanceSync(.value(session.id!)).path, headers: headers, body: ByteBuffer(data: body))
        return (response.status, try? JSONDecoder().decode(SyncAnswer.self, from: Data(buffer: response.body)))
    }

    /// "Present, whole block" for every teaching block, except those in `except`.
    static func presentEverywhere(_ session: ClassSession, _ registration: Registration, except: Set<Int> = []) -> [Entry] {
        session.agenda.indices.filter { !session.agenda[$0].isBreak && !except.contains($0) }.map {
            Entry(
                registration: registration.id!.uuidString, block: $0, kind: "present",
                at: ISO8601DateFormatter().string(from: session.agenda[$0].start))
        }
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}

@Suite("Training delivery: attendance, completion, certificates, records")
struct TrainingDeliveryRouteTests {
    @Test(
        "a coordinator picks a class's trainer by name from the accounts that may teach; an unknown or shared name is refused beside the field"
    )
    func trainerPickedByName() async throws {
        try await withCITHub { app in
            // setup
            try await loadDirectory(app)
            let (id, coordinator) = try await ClassFixtures.createClass(app)
            let terry = try await Fixtures.user(app, email: "terry@example.org", role: .trainer)
            terry.name = "Terry Trainer"; try await terry.save(on: app.db)
            let twin1 = try await Fixtures.user(app, email: "alex1@example.org", role: .trainer)
            let twin2 = try await Fixtures.user(app, email: "alex2@example.org", role: .trainer)
            twin1.name = "Alex Same"; try await twin1.save(on: app.db)
            twin2.name = "Alex Same"; try await twin2.save(on: app.db)
            let trainee = try await Fixtures.user(app, email: "tina@example.org", role: .trainee)
            trainee.name = "Tina Trainee"; try await trainee.save(on: app.db)

            // the roster suggests the accounts that may teach, by name, and no one else
            let roster = try await coordinator.get(SiteURL.classRoster(.value(id)).path).text
            #expect(roster.contains("<option value=\"Terry Trainer (terry@example.org)\">"))
            #expect(!roster.contains("Tina Trainee"))

            // MUT: a name typed as it reads
            #expect(try await coordinator.post(SiteURL.classTrainers(.value(id)).path, ["email": "terry trainer"]).status == .seeOther)
            #expect(try await ClassTrainer.query(on: app.db).filter(\.$user.$id == terry.id!).count() == 1)
            // MUT: a name two accounts share, a trainee's name, nothing
            for typed in ["Alex Same", "Tina Trainee", ""] {
                let refused = try await coordinator.post(SiteURL.classTrainers(.value(id)).path, ["email": typed])
                #expect(refused.status == .unprocessableEntity, "\(typed)")
                #expect(refused.text.contains("field-email-error"))
            }
            // the suggestion as picked from the list tells the twins apart
            #expect(
                try await coordinator.post(SiteURL.classTrainers(.value(id)).path, ["email": "Alex Same (alex2@example.org)"]).status
                    == .seeOther)
            // validate
            #expect(try await ClassTrainer.query(on: app.db).count() == 2)
        }
    }

    @Test("an assigned trainer's entries are stored once however often they are sent; a check-out before its check-in is refused")
    func attendanceSync() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (session, coordinator, registrations) = try await TrainingFixtures.pastClass(app, trainees: 2)
            let (trainer, _) = try await TrainingFixtures.assignedTrainer(app, session: session, coordinator: coordinator)
            let block = session.agenda[0]
            let first = registrations[0].id!.uuidString
            let entries = [
                TrainingFixtures.Entry(
                    registration: first, block: 0, kind: "check_in", at: TrainingFixtures.iso(block.start.addingTimeInterval(120))),
                TrainingFixtures.Entry(
                    registration: first, block: 0, kind: "check_out", at: TrainingFixtures.iso(block.start.addingTimeInterval(3_600))),
                TrainingFixtures.Entry(registration: first, block: 0, kind: "note", text: "Left for a call-out, came back"),
            ]
            // MUT: the batch sent, then sent again (a retry after a dropped answer)
            let (status, answer) = try await TrainingFixtures.sync(trainer, session, entries)
            #expect(status == .ok)
            #expect(answer?.results.map(\.status) == ["saved", "saved", "saved"])
            let (_, again) = try await TrainingFixtures.sync(trainer, session, entries)
            #expect(again?.results.map(\.status) == ["duplicate", "duplicate", "duplicate"])
            #expect(try await AttendanceEntry.query(on: app.db).count() == 3)

            // check-in at 10:00 then check-out at 09:00 in the same block: refused, not stored
            let badIn = TrainingFixtures.Entry(
                registration: first, block: 0, kind: "check_in", at: TrainingFixtures.iso(block.start.addingTimeInterval(7_200)))
            let badOut = TrainingFixtures.Entry(
                registration: first, block: 0, kind: "check_out", at: TrainingFixtures.iso(block.start.addingTimeInterval(3_700)))
            let (_, refused) = try await TrainingFixtures.sync(trainer, session, [badIn, badOut])
            #expect(refused?.results.map(\.status) == ["saved", "refused"])
            #expect(refused?.results.last?.message?.contains("not after the check-in") == true)
            // minutes beyond the block, a break, someone not on the roster: refused
            let lunch = try #require(session.agenda.firstIndex { $0.isBreak })
            let (_, more) = try await TrainingFixtures.sync(
                trainer, session,
                [
                    TrainingFixtures.Entry(registration: first, block: 0, kind: "minutes", minutes: 999),
                    TrainingFixtures.Entry(registration: first, block: lunch, kind: "present"),
                    TrainingFixtures.Entry(registration: UUID().uuidString, block: 0, kind: "present"),
                    TrainingFixtures.Entry(registration: first, block: 0, kind: "excused", text: "trainers may not excuse"),
                ])
            #expect(more?.results.map(\.status) == ["refused", "refused", "refused", "refused"])
            #expect(try await AttendanceEntry.query(on: app.db).count() == 4)

            // The sheet shows what was recorded: in at 08:02, out at 09:00, and the open 10:00 check-in.
            let sheet = try await trainer.get(SiteURL.attendancePath(session.id!, block: 0))
            #expect(sheet.status == .ok)
            let zone = session.zone
            #expect(
                sheet.text.contains(
                    "In \(ClassFormat.time(block.start.addingTimeInterval(120), zone)), out \(ClassFormat.time(block.start.addingTimeInterval(3_600), zone))"
                ))
            #expect(sheet.text.contains("In since \(ClassFormat.time(block.start.addingTimeInterval(7_200), zone))"))
            #expect(sheet.text.contains("Left for a call-out, came back"))

            // The plain form (no script) records one entry and returns to the sheet.
            let plain = try await trainer.post(
                SiteURL.attendanceMark(.value(session.id!)).path,
                ["registration": registrations[1].id!.uuidString, "block": "0", "kind": "present"])
            #expect(plain.status == .seeOther)
            let badPlain = try await trainer.post(
                SiteURL.attendanceMark(.value(session.id!)).path,
                ["registration": registrations[1].id!.uuidString, "block": "0", "kind": "minutes", "minutes": "-5"])
            #expect(badPlain.status == .unprocessableEntity)
            #expect(try await AttendanceEntry.query(on: app.db).count() == 5)

            // Another trainer, not assigned to this class, gets nothing.
            let (stranger, _) = try await Fixtures.signedIn(app, role: .trainer)
            #expect(try await stranger.get(SiteURL.attendance(.value(session.id!)).path).status == .forbidden)
            let (strangerStatus, _) = try await TrainingFixtures.sync(
                stranger, session, [TrainingFixtures.Entry(registration: first, block: 0, kind: "present")])
            #expect(strangerStatus == .forbidden)
            #expect(try await AttendanceEntry.query(on: app.db).count() == 5)
            // The assigned trainer sees the class on their list; the stranger does not.
            #expect(try await trainer.get(SiteURL.teaching.path).text.contains(session.title))
            #expect(!(try await stranger.get(SiteURL.teaching.path).text.contains(session.title)))
        }
    }

    @Test("39.5 of 40 hours is not complete; an excused make-up completes it; certificates are issued once and verify")
    func completionAndCertificates() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (session, coordinator, registrations) = try await TrainingFixtures.pastClass(app, trainees: 2)
            let (trainer, _) = try await TrainingFixtures.assignedTrainer(app, session: session, coordinator: coordinator)
            let last = try #require(session.agenda.lastIndex { !$0.isBreak })
            var entries = TrainingFixtures.presentEverywhere(session, registrations[0])
            entries += TrainingFixtures.presentEverywhere(session, registrations[1], except: [last])
            // 210 of the last block's 240 minutes: 39.5 hours
            entries.append(
                TrainingFixtures.Entry(registration: registrations[1].id!.uuidString, block: last, kind: "minutes", minutes: 210))
            let (status, answer) = try await TrainingFixtures.sync(trainer, session, entries)
            #expect(status == .ok)
            #expect(answer?.results.allSatisfy { $0.status == "saved" } == true)

            let completion = try await coordinator.get(SiteURL.completion(.value(session.id!)).path)
            #expect(completion.status == .ok)
            #expect(completion.text.contains("39.5"))
            #expect(completion.text.contains("0.5 hours"))
            // MUT: issue certificates: only the person with 40 hours gets one
            #expect(try await coordinator.post(SiteURL.classCertificates(.value(session.id!)).path, [:]).status == .seeOther)
            var certificates = try await Certificate.query(on: app.db).all()
            #expect(certificates.count == 1)
            #expect(certificates.first?.personName == registrations[0].name)
            #expect(certificates.first?.hours == 40)
            // issuing again changes nothing
            _ = try await coordinator.post(SiteURL.classCertificates(.value(session.id!)).path, [:])
            #expect(try await Certificate.query(on: app.db).count() == 1)
            let mail = try #require(try await OutboxMessage.query(on: app.db).all().first { $0.subject.hasPrefix("Your certificate") })
            #expect(mail.bodyText.contains(certificates[0].code))

            // An excused make-up needs a reason; with one, it is audited and completes the course.
            let blank = try await coordinator.post(
                SiteURL.completionExcuse(.value(session.id!)).path,
                ["registration": registrations[1].id!.uuidString, "block": String(last), "reason": ""])
            #expect(blank.status == .unprocessableEntity)
            #expect(blank.text.contains("Say why the block counts"))
            let excused = try await coordinator.post(
                SiteURL.completionExcuse(.value(session.id!)).path,
                ["registration": registrations[1].id!.uuidString, "block": String(last), "reason": "Made up in the Rock County class"])
            #expect(excused.status == .seeOther)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "attendance.excused").count() == 1)
            _ = try await coordinator.post(SiteURL.classCertificates(.value(session.id!)).path, [:])
            certificates = try await Certificate.query(on: app.db).all()
            #expect(certificates.count == 2)

            // Public verification: valid, then revoked with its reason; unknown and malformed say the same.
            let code = certificates[0].code
            let valid = try await TestBrowser(app).get(
                SiteURL.verify(.value(code.lowercased().replacingOccurrences(of: "-", with: ""))).path)
            #expect(valid.status == .ok)
            #expect(valid.text.contains("This certificate is valid"))
            #expect(valid.text.contains(certificates[0].personName))
            #expect(!valid.text.contains(certificates[0].email))
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            #expect(
                try await coordinator.post(SiteURL.certificateRevoke(.value(code)).path, ["reason": "Issued in error"]).status == .forbidden
            )
            #expect(try await admin.post(SiteURL.certificateRevoke(.value(code)).path, ["reason": ""]).status == .unprocessableEntity)
            #expect(try await admin.post(SiteURL.certificateRevoke(.value(code)).path, ["reason": "Issued in error"]).status == .seeOther)
            let revoked = try await TestBrowser(app).get(SiteURL.verify(.value(code)).path)
            #expect(revoked.text.contains("This certificate was revoked"))
            #expect(revoked.text.contains("Issued in error"))
            var guessed = VerificationCode.generate()
            while guessed == certificates[0].code || guessed == certificates[1].code { guessed = VerificationCode.generate() }
            let unknown = try await TestBrowser(app).get(SiteURL.verify(.value(guessed)).path)
            let malformed = try await TestBrowser(app).get(SiteURL.verify(.value("ZZZZ-ZZZZ")).path)
            #expect(unknown.status == .notFound)
            #expect(malformed.status == .notFound)
            #expect(unknown.text == malformed.text)

            // A coordinator of another program sees none of this class.
            let otherProgram = try await programID(app, named: "Appleton Police Department CIT")
            let outsider = try await Fixtures.user(app, email: "outsider-coord@example.org", role: .programCoordinator, scope: otherProgram)
            let outsiderBrowser = TestBrowser(app)
            _ = try await outsiderBrowser.post(SiteURL.login.path, ["email": outsider.email, "password": Fixtures.password])
            #expect(try await outsiderBrowser.get(SiteURL.completion(.value(session.id!)).path).status == .forbidden)
            #expect(try await outsiderBrowser.post(SiteURL.classCertificates(.value(session.id!)).path, [:]).status == .forbidden)
            #expect(try await outsiderBrowser.get(SiteURL.attendance(.value(session.id!)).path).status == .forbidden)
            #expect(try await outsiderBrowser.get(SiteURL.certificate(.value(certificates[1].code)).path).status == .forbidden)
            #expect(!(try await outsiderBrowser.get(SiteURL.trainingRecordsCSV.path).text.contains(certificates[1].code)))

            // The printable certificate: the coordinator and the person may open it, another trainee not.
            #expect(try await coordinator.get(SiteURL.certificate(.value(certificates[1].code)).path).status == .ok)
            let (otherTrainee, _) = try await Fixtures.signedIn(app, role: .trainee)
            #expect(try await otherTrainee.get(SiteURL.certificate(.value(certificates[1].code)).path).status == .forbidden)

            // Training records: the CSV has the boards' columns and only valid certificates.
            let csv = try await coordinator.get(SiteURL.trainingRecordsCSV.path)
            #expect(csv.status == .ok)
            #expect(csv.text.hasPrefix(TrainingRecordExport.header.joined(separator: ",")))
            #expect(csv.text.contains(certificates[1].code))
            #expect(!csv.text.contains(code))
        }
    }

    @Test("the trainee sees their own scores and feedback after the class, and nobody else's")
    func traineeSeesFeedback() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (session, coordinator, registrations) = try await TrainingFixtures.pastClass(app, trainees: 2)
            let (trainer, _) = try await TrainingFixtures.assignedTrainer(app, session: session, coordinator: coordinator)
            let programID = session.$program.id
            // the coordinator adds a scenario; an empty one is refused
            #expect(
                try await coordinator.post(SiteURL.scenarios(.value(programID)).path, ["course": "CIT", "title": "", "details": ""]).status
                    == .unprocessableEntity)
            #expect(
                try await coordinator.post(
                    SiteURL.scenarios(.value(programID)).path,
                    ["course": "CIT", "title": "Bridge", "details": "A man on a bridge railing, talking to himself."]
                ).status == .seeOther)
            let scenario = try #require(try await Scenario.query(on: app.db).first())
            var sheet: [String: String] = ["feedback": "Good calm voice; ask about weapons earlier."]
            for criterion in Rubric.deEscalationDefault.criteria { sheet["score-\(criterion.code)"] = "3" }
            let path = SiteURL.evaluationSheet(.value(session.id!), .value(registrations[0].id!), .value(scenario.id!)).path
            var incomplete = sheet
            incomplete["score-\(Rubric.deEscalationDefault.criteria[0].code)"] = "9"
            #expect(try await trainer.post(path, incomplete).status == .unprocessableEntity)
            #expect(try await Evaluation.query(on: app.db).count() == 0)
            #expect(try await trainer.post(path, sheet).status == .seeOther)
            // a second save by the same trainer replaces the sheet
            sheet["feedback"] = "Good calm voice; ask about weapons sooner."
            #expect(try await trainer.post(path, sheet).status == .seeOther)
            #expect(try await Evaluation.query(on: app.db).count() == 1)

            let person = try await Fixtures.user(app, email: registrations[0].email, role: .trainee)
            let browser = TestBrowser(app)
            _ = try await browser.post(SiteURL.login.path, ["email": person.email, "password": Fixtures.password])
            let mine = try await browser.get(SiteURL.myTraining.path)
            #expect(mine.status == .ok)
            #expect(mine.text.contains("ask about weapons sooner"))
            #expect(mine.text.contains("Bridge"))
            let other = try await Fixtures.user(app, email: registrations[1].email, role: .trainee)
            let otherBrowser = TestBrowser(app)
            _ = try await otherBrowser.post(SiteURL.login.path, ["email": other.email, "password": Fixtures.password])
            let theirs = try await otherBrowser.get(SiteURL.myTraining.path)
            #expect(theirs.text.contains(session.title))
            #expect(!theirs.text.contains("ask about weapons sooner"))
        }
    }

    @Test("refresher reminders go out once per reminder day, 60 and 14 days before the due date")
    func refresherReminders() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (session, coordinator, registrations) = try await TrainingFixtures.pastClass(app, trainees: 1)
            let (trainer, _) = try await TrainingFixtures.assignedTrainer(app, session: session, coordinator: coordinator)
            _ = try await TrainingFixtures.sync(trainer, session, TrainingFixtures.presentEverywhere(session, registrations[0]))
            _ = try await coordinator.post(SiteURL.classCertificates(.value(session.id!)).path, [:])
            let certificate = try #require(try await Certificate.query(on: app.db).first())
            #expect(certificate.refresherDueAt > Date().addingTimeInterval(700 * 86_400))
            #expect(try await RefresherReminders.run(on: app.db, settings: app.settings) == 0)
            // MUT: the due date comes within 60 days
            certificate.refresherDueAt = Date().addingTimeInterval(50 * 86_400)
            try await certificate.update(on: app.db)
            #expect(try await RefresherReminders.run(on: app.db, settings: app.settings) == 1)
            #expect(try await RefresherReminders.run(on: app.db, settings: app.settings) == 0)
            let later = Date().addingTimeInterval(40 * 86_400)
            #expect(try await RefresherReminders.run(on: app.db, settings: app.settings, now: later) == 1)
            #expect(try await OutboxMessage.query(on: app.db).all().filter { $0.subject.hasPrefix("Your CIT refresher") }.count == 2)
        }
    }
}
