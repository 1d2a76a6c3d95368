import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

/// The pages of issue 12's training part: the score sheet a trainer fills on a tablet,
/// the attendance sheet's state per person, the certificate's print link and the public
/// verification page.
@Suite("Training sheets: score sheet, attendance state, certificate link, verify page")
struct TrainingSheetsRouteTests {

    /// Occurrences of `needle` in `text`.
    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// The HTML of the `<fieldset>` whose id is `id`.
    static func fieldset(_ id: String, in html: String) throws -> String {
        let start = try #require(html.range(of: "<fieldset class=\"rubric-criterion"))
        let from = try #require(html.range(of: "id=\"\(id)\"", range: start.lowerBound..<html.endIndex))
        let open = try #require(html.range(of: "<fieldset", options: .backwards, range: html.startIndex..<from.lowerBound))
        let close = try #require(html.range(of: "</fieldset>", range: from.upperBound..<html.endIndex))
        return String(html[open.lowerBound..<close.upperBound])
    }

    @Test("the score sheet has one fieldset per criterion, four radios each inside its own label, and ties an error to its group")
    func scoreSheet() async throws {
        try await withCITHub { app in
            // setup
            try await loadDirectory(app)
            let (session, coordinator, registrations) = try await TrainingFixtures.pastClass(app, trainees: 1)
            let (trainer, _) = try await TrainingFixtures.assignedTrainer(app, session: session, coordinator: coordinator)
            #expect(
                try await coordinator.post(
                    SiteURL.scenarios(.value(session.$program.id)).path,
                    ["course": "CIT", "title": "Bridge", "details": "A man on a bridge railing."]
                ).status == .seeOther)
            let scenario = try #require(try await Scenario.query(on: app.db).first())
            let path = SiteURL.evaluationSheet(.value(session.id!), .value(registrations[0].id!), .value(scenario.id!)).path
            let rubric = Rubric.deEscalationDefault

            // MUT: the empty sheet
            let sheet = try await trainer.get(path)

            // validate
            #expect(sheet.status == .ok)
            let html = sheet.text
            #expect(Self.count("<fieldset", in: html) == rubric.criteria.count)
            #expect(Self.count("type=\"radio\"", in: html) == rubric.criteria.count * rubric.levels.count)
            #expect(Self.count("<details", in: html) == rubric.criteria.count)
            for criterion in rubric.criteria {
                let group = try Self.fieldset("field-score-\(criterion.code)", in: html)
                #expect(group.contains("<legend>\(criterion.title)</legend>"))
                #expect(Self.count("type=\"radio\"", in: group) == 4)
                for level in rubric.levels {
                    // The radio sits inside the label that names it.
                    let id = "score-\(criterion.code)-\(level.score)"
                    let label = try #require(group.range(of: "<label class=\"level\" for=\"\(id)\">"))
                    let labelEnd = try #require(group.range(of: "</label>", range: label.upperBound..<group.endIndex))
                    let inside = String(group[label.upperBound..<labelEnd.lowerBound])
                    #expect(inside.contains("id=\"\(id)\""))
                    #expect(inside.contains("name=\"score-\(criterion.code)\""))
                    #expect(inside.contains(level.label))
                    // The description is there on request, inside <details>.
                    #expect(group.contains(level.anchor))
                }
                #expect(!group.contains("aria-invalid"))
            }
            #expect(html.contains("Written feedback"))

            // MUT: one criterion left out
            var form: [String: String] = ["feedback": "Calm voice."]
            for criterion in rubric.criteria.dropFirst() { form["score-\(criterion.code)"] = "3" }
            let refused = try await trainer.post(path, form)

            // validate: 422, the choices kept, the error on the group and its radios only
            #expect(refused.status == .unprocessableEntity)
            let missing = try Self.fieldset("field-score-\(rubric.criteria[0].code)", in: refused.text)
            #expect(missing.contains("aria-describedby=\"score-\(rubric.criteria[0].code)-error score-\(rubric.criteria[0].code)-hint\""))
            #expect(missing.contains("id=\"score-\(rubric.criteria[0].code)-error\""))
            #expect(Self.count("aria-invalid=\"true\"", in: missing) == 4)
            let kept = try Self.fieldset("field-score-\(rubric.criteria[1].code)", in: refused.text)
            #expect(!kept.contains("aria-invalid"))
            #expect(Self.count("checked=\"checked\"", in: kept) == 1)
            #expect(kept.contains("value=\"3\" checked=\"checked\""))
            #expect(refused.text.contains("Calm voice."))
            #expect(try await Evaluation.query(on: app.db).count() == 0)
        }
    }

    @Test("the attendance sheet shows each person's state in words and the pressed button, after a plain tap and after a sync")
    func attendanceState() async throws {
        try await withCITHub { app in
            // setup
            try await loadDirectory(app)
            let (session, coordinator, registrations) = try await TrainingFixtures.pastClass(app, trainees: 3)
            let (trainer, _) = try await TrainingFixtures.assignedTrainer(app, session: session, coordinator: coordinator)
            let block = session.agenda[0]
            let zone = session.zone
            let before = try await trainer.get(SiteURL.attendancePath(session.id!, block: 0))
            #expect(before.text.contains("Not recorded yet"))
            #expect(!before.text.contains("aria-pressed=\"true\""))

            // MUT: "Present, whole block" tapped without the script; a check-in at 08:05 synced
            let plain = try await trainer.post(
                SiteURL.attendanceMark(.value(session.id!)).path,
                ["registration": registrations[0].id!.uuidString, "block": "0", "kind": "present"])
            #expect(plain.status == .seeOther)
            let checkIn = TrainingFixtures.Entry(
                registration: registrations[1].id!.uuidString, block: 0, kind: "check_in",
                at: TrainingFixtures.iso(block.start.addingTimeInterval(300)))
            let (status, answer) = try await TrainingFixtures.sync(trainer, session, [checkIn])

            // validate: the sync answer carries the stored state
            #expect(status == .ok)
            let result = try #require(answer?.results.first)
            #expect(result.status == "saved")
            #expect(result.state == "In since \(ClassFormat.time(block.start.addingTimeInterval(300), zone))")

            // validate: each row says its state and presses the button tapped last
            let sheet = try await trainer.get(SiteURL.attendancePath(session.id!, block: 0))
            let rows = sheet.text.components(separatedBy: "<li class=\"trainee")
            #expect(rows.count == 4)
            func row(_ registration: Registration) throws -> String {
                try #require(rows.first { $0.contains("row-\(registration.id!.uuidString.lowercased())") })
            }
            let first = try row(registrations[0]), second = try row(registrations[1]), third = try row(registrations[2])
            #expect(first.contains("<span class=\"state-text\">Present, whole block</span>"))
            #expect(first.contains("data-kind=\"present\" aria-pressed=\"true\""))
            #expect(Self.count("aria-pressed=\"true\"", in: first) == 1)
            #expect(first.contains(">Saved<"))
            #expect(second.contains("In since \(ClassFormat.time(block.start.addingTimeInterval(300), zone))"))
            #expect(second.contains("data-kind=\"check_in\" aria-pressed=\"true\""))
            #expect(third.contains("Not recorded yet"))
            #expect(!third.contains("aria-pressed=\"true\""))

            // MUT: the check-out synced, then minutes typed for the third person
            let checkOut = TrainingFixtures.Entry(
                registration: registrations[1].id!.uuidString, block: 0, kind: "check_out",
                at: TrainingFixtures.iso(block.start.addingTimeInterval(3_600)))
            let minutes = TrainingFixtures.Entry(registration: registrations[2].id!.uuidString, block: 0, kind: "minutes", minutes: 150)
            let (_, later) = try await TrainingFixtures.sync(trainer, session, [checkOut, minutes])
            #expect(later?.results.map(\.status) == ["saved", "saved"])
            let after = try await trainer.get(SiteURL.attendancePath(session.id!, block: 0)).text
            let outRow = try #require(
                after.components(separatedBy: "<li class=\"trainee").first {
                    $0.contains("row-\(registrations[1].id!.uuidString.lowercased())")
                })
            #expect(
                outRow.contains(
                    "In \(ClassFormat.time(block.start.addingTimeInterval(300), zone)), out \(ClassFormat.time(block.start.addingTimeInterval(3_600), zone))"
                ))
            #expect(outRow.contains("data-kind=\"check_out\" aria-pressed=\"true\""))
            let minutesRow = try #require(
                after.components(separatedBy: "<li class=\"trainee").first {
                    $0.contains("row-\(registrations[2].id!.uuidString.lowercased())")
                })
            #expect(minutesRow.contains("150 of 240 minutes"))
            #expect(!minutesRow.contains("aria-pressed=\"true\""))
            #expect(minutesRow.contains("value=\"150\""))
        }
    }

    @Test("the sync answer gives the state the server stored, also for a refused entry")
    func syncAnswersWithState() async throws {
        try await withCITHub { app in
            // setup
            try await loadDirectory(app)
            let (session, coordinator, registrations) = try await TrainingFixtures.pastClass(app, trainees: 1)
            let (trainer, _) = try await TrainingFixtures.assignedTrainer(app, session: session, coordinator: coordinator)
            let person = registrations[0].id!.uuidString
            // MUT: absent, then a check-out with no check-in (refused)
            let (_, answer) = try await TrainingFixtures.sync(
                trainer, session,
                [
                    TrainingFixtures.Entry(registration: person, block: 0, kind: "absent"),
                    TrainingFixtures.Entry(registration: person, block: 0, kind: "check_out"),
                ])
            // validate: each result carries the state the server has, the refused one too
            #expect(answer?.results.map(\.status) == ["saved", "refused"])
            #expect(answer?.results.map(\.state) == ["Absent", "Absent"])
            #expect(answer?.results.map(\.mark) == ["absent", "absent"])
        }
    }

    /// A class whose one trainee completed, with the certificate issued; returns it, the
    /// mail's text and the coordinator.
    static func issuedCertificate(_ app: Application) async throws -> (Certificate, String, ClassSession) {
        let (session, coordinator, registrations) = try await TrainingFixtures.pastClass(app, trainees: 1)
        let (trainer, _) = try await TrainingFixtures.assignedTrainer(app, session: session, coordinator: coordinator)
        _ = try await TrainingFixtures.sync(trainer, session, TrainingFixtures.presentEverywhere(session, registrations[0]))
        #expect(try await coordinator.post(SiteURL.classCertificates(.value(session.id!)).path, [:]).status == .seeOther)
        let certificate = try #require(try await Certificate.query(on: app.db).first())
        let mail = try #require(try await OutboxMessage.query(on: app.db).all().first { $0.subject.hasPrefix("Your certificate") })
        return (certificate, mail.bodyText, session)
    }

    @Test(
        "the mail's print link opens the certificate without an account; an altered, shortened or guessed link is a 404 that says nothing")
    func signedPrintLink() async throws {
        try await withCITHub { app in
            // setup
            try await loadDirectory(app)
            let (certificate, mail, session) = try await Self.issuedCertificate(app)
            let link = try #require(Fixtures.link(in: mail, path: "/certificates/print"))
            let token = String(link.dropFirst("/certificates/print/".count))
            #expect(token.count >= 40)
            // Only the hash is stored, never the token.
            #expect(certificate.printTokenHash == AccountToken.hash(token))
            #expect(certificate.printTokenHash != token)

            // MUT: a stranger's browser, no account
            let page = try await TestBrowser(app).get(link)

            // validate: the certificate, official wording
            #expect(page.status == .ok)
            #expect(page.headers.first(name: .cacheControl) == "no-store")
            #expect(page.headers.first(name: "X-Robots-Tag")?.contains("noindex") == true)
            let text = page.text
            #expect(text.contains("Certificate of completion"))
            #expect(text.contains(certificate.personName))
            #expect(text.contains(certificate.courseTitle))
            #expect(text.contains("40 hours"))
            #expect(text.contains(certificate.provider))
            let dates = try #require(CertificateDates.range(from: certificate.startDate, to: certificate.endDate))
            #expect(text.contains(dates))
            #expect(!text.contains(certificate.startDate))
            #expect(text.contains(CertificateDates.day(certificate.issuedAt, timeZone: session.zone)))
            #expect(text.contains("Date issued"))
            #expect(text.contains("class=\"sign-line\""))
            #expect(text.contains("Program coordinator, \(certificate.provider)"))
            #expect(text.contains(try #require(certificate.signerName)))
            #expect(text.contains(certificate.code))
            #expect(text.contains(app.settings.publicURL + SiteURL.verify(.value(certificate.code)).path))
            #expect(!text.contains("Revoke this certificate"))
            #expect(!text.contains(certificate.email))

            // MUT: tampered links
            var flipped = Array(token)
            flipped[5] = flipped[5] == "A" ? "B" : "A"
            let tampered = try await TestBrowser(app).get("/certificates/print/" + String(flipped))
            let shortened = try await TestBrowser(app).get("/certificates/print/" + String(token.dropLast()))
            let guessed = try await TestBrowser(app).get("/certificates/print/" + [UInt8].random(count: 32).base64URLEncoded)
            let tiny = try await TestBrowser(app).get("/certificates/print/x")
            let byCode = try await TestBrowser(app).get("/certificates/print/" + certificate.code)

            // validate: all the same 404, nothing of the certificate in it
            for response in [tampered, shortened, guessed, tiny, byCode] {
                #expect(response.status == .notFound)
                #expect(!response.text.contains(certificate.personName))
                #expect(!response.text.contains(certificate.code))
            }
            #expect(tampered.text == guessed.text)
            #expect(tampered.text == tiny.text)

            // Revoked later: the same link still opens it, marked revoked, with the reason.
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            #expect(
                try await admin.post(SiteURL.certificateRevoke(.value(certificate.code)).path, ["reason": "Issued in error"]).status
                    == .seeOther)
            let revoked = try await TestBrowser(app).get(link)
            #expect(revoked.status == .ok)
            #expect(revoked.text.contains("REVOKED"))
            #expect(revoked.text.contains("Issued in error"))

            // The mail says the dates in words and still carries the code and the verify address.
            #expect(mail.contains(dates))
            #expect(mail.contains(certificate.code))
            #expect(mail.contains(SiteURL.verify(.value(certificate.code)).path))
        }
    }

    @Test(
        "/verify says Valid with what it certifies, Revoked with the reason, and the same not-found page for unknown, malformed and guessed codes"
    )
    func verifyPage() async throws {
        try await withCITHub { app in
            // setup
            try await loadDirectory(app)
            let (certificate, _, session) = try await Self.issuedCertificate(app)
            let dates = try #require(CertificateDates.range(from: certificate.startDate, to: certificate.endDate))

            // MUT: valid
            let valid = try await TestBrowser(app).get(SiteURL.verify(.value(certificate.code)).path)

            // validate
            #expect(valid.status == .ok)
            for expected in [
                "This certificate is valid", "class=\"verify valid\"", certificate.personName, certificate.courseTitle,
                dates, certificate.provider, CertificateDates.day(certificate.issuedAt, timeZone: session.zone),
                TrainingAssets.stylesheetPath, "name=\"code\"", "Check another code",
            ] {
                #expect(valid.text.contains(expected), "valid page lacks \(expected)")
            }
            #expect(!valid.text.contains(certificate.email))
            #expect(!valid.text.contains("was revoked"))

            // MUT: revoked by an administrator
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            #expect(
                try await admin.post(
                    SiteURL.certificateRevoke(.value(certificate.code)).path, ["reason": "Attendance was recorded for the wrong person"]
                ).status == .seeOther)
            let revoked = try await TestBrowser(app).get(SiteURL.verify(.value(certificate.code)).path)
            #expect(revoked.status == .ok)
            #expect(revoked.text.contains("This certificate was revoked"))
            #expect(revoked.text.contains("class=\"verify revoked\""))
            #expect(revoked.text.contains("Attendance was recorded for the wrong person"))
            #expect(!revoked.text.contains("This certificate is valid"))

            // MUT: unknown, malformed, guessed, typed through the form
            var guess = VerificationCode.generate()
            while guess == certificate.code { guess = VerificationCode.generate() }
            let unknown = try await TestBrowser(app).get(SiteURL.verify(.value(guess)).path)
            let malformed = try await TestBrowser(app).get(SiteURL.verify(.value("not-a-code")).path)
            let nearMiss = try await TestBrowser(app).get(
                SiteURL.verify(.value(String(certificate.code.dropLast()) + (certificate.code.last == "0" ? "1" : "0"))).path)
            let typed = try await TestBrowser(app).get(
                SiteURL.verifyForm.path + "?code=" + guess.lowercased().replacingOccurrences(of: "-", with: ""))
            #expect(typed.status == .seeOther)
            #expect(typed.location == SiteURL.verify(.value(guess)).path)
            for response in [unknown, malformed, nearMiss] {
                #expect(response.status == .notFound)
                #expect(response.text.contains("No certificate has this code"))
                #expect(response.text.contains("name=\"code\""))
                #expect(!response.text.contains(certificate.personName))
            }
            #expect(unknown.text == malformed.text)
            #expect(unknown.text == nearMiss.text)
        }
    }
}
