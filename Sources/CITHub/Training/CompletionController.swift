import Fluent
import Vapor
import Plot
import CITDomain

/// Completion is computed from attendance and the course's rule. A coordinator can
/// record an excused make-up for a block (with a reason, in the audit log) and issue
/// certificates to those who completed; nobody ticks "complete" by hand.
enum CompletionController {
    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get(SiteURL.completion(.key), .manageOwnClasses, use: overview)
        protected.post(SiteURL.completionExcuse(.key), .manageOwnClasses, use: excuse)
        protected.post(SiteURL.classCertificates(.key), .manageOwnClasses, use: issue)
    }

    @Sendable static func overview(req: Request) async throws -> Response {
        let session = try await ClassQueries.managedClass(req)
        return try await page(req, session: session, errors: [:], status: .ok)
    }

    static func page(_ req: Request, session: ClassSession, errors: [String: String], status: HTTPResponseStatus) async throws -> Response {
        let completion = try await ClassCompletion.load(session, on: req.db)
        let certificates = try await Certificate.query(on: req.db).filter(\.$classSession.$id == session.id!).all()
        let byRegistration = Dictionary(certificates.map { ($0.$registration.id, $0) }, uniquingKeysWith: { a, _ in a })
        let agenda = session.agenda
        let zone = session.zone
        let ended = session.endsAt <= Date()
        let readyCount = completion.rows.filter { $0.result.isComplete && byRegistration[$0.registration.id!] == nil }.count
        let notice: String? =
            switch req.query[String.self, at: "notice"] {
            case "issued": "Certificates were issued and emailed."
            case "excused": "The excused make-up was recorded."
            default: nil
            }
        let page = Page(
            title: "Completion: \(session.title)", chrome: req.chrome(notice: notice),
            main: [
                .p(.a(.href(SiteURL.classRoster(.value(session.id!)).path), .text("← Roster"))),
                .h1(.text("Completion: \(session.title)")),
                .p(.strong(.text("Rule for \(completion.course.code): ")), .text(completion.policy.summary)),
                .p(
                    .text(
                        "Hours come from the attendance trainers record, block by block. Required: \(TrainingFormat.hours(completion.policy.requiredHours)) hours."
                    )),
                .div(
                    .class("table-scroll"), .attribute(named: "tabindex", value: "0"), .attribute(named: "role", value: "region"),
                    .attribute(named: "aria-label", value: "Confirmed trainees"),
                    .table(
                        .caption(.text("Confirmed trainees")),
                        .tr(
                            .th(.text("Trainee")), .th(.text("Organization")), .th(.text("Hours")), .th(.text("Status")),
                            .th(.text("Certificate"))),
                        .forEach(completion.rows) { row in
                            let certificate = byRegistration[row.registration.id!]
                            return .tr(
                                .th(.attribute(named: "scope", value: "row"), .text(row.registration.name)),
                                .td(.text(row.registration.organization)),
                                .td(.text(TrainingFormat.hours(row.result.hoursEarned))),
                                .td(
                                    row.result.isComplete
                                        ? .strong(.text("Complete"))
                                        : .ul(.class("shortfalls"), .forEach(row.result.shortfalls) { .li(.text($0.description)) })),
                                .td(
                                    .unwrap(
                                        certificate,
                                        { certificate in
                                            .group(
                                                .a(
                                                    .href(SiteURL.certificate(.value(certificate.code)).path),
                                                    .code(.text(certificate.code))),
                                                .if(certificate.isRevoked, .text(" (revoked)")))
                                        }, else: .text(row.result.isComplete ? "Ready to issue" : "—")))
                            )
                        })),
                .h2(.text("Issue certificates")),
                .unwrap(errors["issue"]) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
                .if(
                    !ended,
                    .p(
                        .text(
                            "Certificates are issued once the class is over, after \(ClassFormat.shortDay(session.endsAt, zone)) \(ClassFormat.time(session.endsAt, zone))."
                        )),
                    else:
                        .group(
                            .p(
                                .text(
                                    readyCount == 0
                                        ? "No one is waiting for a certificate."
                                        : "\(readyCount) trainee\(readyCount == 1 ? " has" : "s have") completed and can be issued a certificate. Each gets an email with a link to it."
                                )),
                            .if(
                                readyCount > 0,
                                FormHTML.form(
                                    action: SiteURL.classCertificates(.value(session.id!)).path, csrf: req.csrfToken,
                                    [FormHTML.submit("Issue \(readyCount) certificate\(readyCount == 1 ? "" : "s")")]))
                        )),
                .h2(.text("Record an excused make-up")),
                .p(
                    .text(
                        "When a trainee made up a missed block another way (another class's session, an approved assignment), record it here with the reason. The whole block then counts. It is kept in the audit log."
                    )),
                FormHTML.errorSummary(
                    errors, order: ["registration", "block", "reason"],
                    labels: ["registration": "Trainee", "block": "Block", "reason": "Reason"]),
                FormHTML.form(
                    action: SiteURL.completionExcuse(.value(session.id!)).path, csrf: req.csrfToken,
                    [
                        FormHTML.select(
                            name: "registration", label: "Trainee",
                            options: [("", "Choose…")]
                                + completion.rows.map { ($0.registration.id!.uuidString.lowercased(), $0.registration.name) },
                            selected: nil, error: errors["registration"]),
                        FormHTML.select(
                            name: "block", label: "Block",
                            options: [("", "Choose…")]
                                + agenda.indices.filter { !agenda[$0].isBreak }.map {
                                    (String($0), TrainingFormat.blockLabel(agenda[$0], zone: zone))
                                }, selected: nil, error: errors["block"]),
                        FormHTML.field(
                            .init(
                                name: "reason", label: "Reason", error: errors["reason"],
                                hint: "E.g. “Attended the de-escalation block of the Rock County class on 2027-04-02”.")),
                        FormHTML.submit("Record excused make-up", secondary: true),
                    ]),
            ])
        return htmlResponse(page, status: status)
    }

    @Sendable static func excuse(req: Request) async throws -> Response {
        let session = try await ClassQueries.managedClass(req)
        let form = FormValues(req)
        let agenda = session.agenda
        var errors: [String: String] = [:]
        let registrationID = UUID(uuidString: form.trimmed("registration"))
        let registration = try await registrationID.asyncFlatMap { try await Registration.find($0, on: req.db) }
        if registration == nil || registration?.$classSession.id != session.id || registration?.status != .confirmed {
            errors["registration"] = "Choose a trainee."
        }
        let block = Int(form.trimmed("block"))
        if block == nil || !agenda.indices.contains(block!) || agenda[block!].isBreak { errors["block"] = "Choose a block." }
        let reason = form.trimmed("reason")
        if reason.isEmpty {
            errors["reason"] = "Say why the block counts (what was made up, and how)."
        } else if let problem = TrainingFormat.plainText(reason, limit: 300) {
            errors["reason"] = problem
        }
        guard errors.isEmpty, let registration, let block else {
            return try await page(req, session: session, errors: errors, status: .unprocessableEntity)
        }
        let user = try req.auth.require(User.self)
        try await req.db.transaction { tx in
            let entry = AttendanceEntry()
            entry.id = UUID()
            entry.$classSession.id = session.id!
            entry.$registration.id = registration.id!
            entry.blockIndex = block
            entry.kind = .excused
            entry.happenedAt = Date()
            entry.text = reason
            entry.recordedBy = user.email
            try await entry.create(on: tx)
            try await req.audit.record(
                "attendance.excused", entityType: "class", entityID: session.id?.uuidString,
                details: "\(registration.name), block \(block + 1) “\(agenda[block].title)”: \(reason)", on: tx)
        }
        return req.redirect(to: SiteURL.completion(.value(session.id!)).path + "?notice=excused", redirectType: .normal)
    }

    /// Issues a certificate to every confirmed trainee who completed and has none yet.
    @Sendable static func issue(req: Request) async throws -> Response {
        let session = try await ClassQueries.managedClass(req)
        guard session.endsAt <= Date() else {
            return try await page(
                req, session: session, errors: ["issue": "The class is not over yet. Certificates are issued after its last block."],
                status: .unprocessableEntity)
        }
        let completion = try await ClassCompletion.load(session, on: req.db)
        let program = try await session.$program.get(on: req.db)
        let user = try req.auth.require(User.self)
        let settings = req.application.settings
        let calendar = {
            var c = Calendar(identifier: .gregorian); c.timeZone = session.zone; return c
        }()
        let agenda = session.agenda
        let teachingDays = agenda.filter { !$0.isBreak }
        let startDate = TrainingFormat.day(teachingDays.map(\.start).min() ?? session.startsAt, session.zone)
        let lastEnd = teachingDays.map(\.end).max() ?? session.endsAt
        let endDate = TrainingFormat.day(lastEnd.addingTimeInterval(-1), session.zone)
        // The person who issues signs: a coordinator of this program signs as its
        // coordinator; an administrator issuing for a program signs as an administrator.
        let signerTitle =
            !user.scopes(.programCoordinator).contains(program.id!) && user.can(.editAllPrograms)
            ? "\(Role.stateAdministrator.title), \(settings.organization.name)"
            : "\(Role.programCoordinator.title), \(program.name)"
        var issued = 0
        for row in completion.rows where row.result.isComplete {
            let registration = row.registration
            let created = try await req.db.transaction { tx -> Bool in
                guard try await Certificate.query(on: tx).filter(\.$registration.$id == registration.id!).count() == 0 else { return false }
                let certificate = Certificate()
                certificate.code = VerificationCode.generate()
                certificate.$registration.id = registration.id!
                certificate.$classSession.id = session.id!
                certificate.programID = program.id!
                certificate.personName = registration.name
                certificate.email = registration.email
                certificate.organization = registration.organization
                certificate.courseCode = completion.course.code
                certificate.courseTitle = completion.course.title
                certificate.category = "Crisis intervention"
                // What the person earned, capped at the course's hours: an agenda that ran
                // long does not print 41 hours on a 40-hour certificate.
                certificate.hours = min(row.result.hoursEarned, completion.course.requiredHours)
                certificate.startDate = startDate
                certificate.endDate = endDate
                certificate.provider = program.name
                certificate.issuedAt = Date()
                certificate.issuedBy = user.email
                certificate.refresherDueAt = RefresherSchedule.dueDate(completedOn: lastEnd, calendar: calendar)
                certificate.refresherRemindersSent = ""
                certificate.signerName = user.name.isEmpty ? nil : user.name
                certificate.signerTitle = signerTitle
                // The mail's print link: a token like a registration's manage link, only
                // its hash stored.
                let (printToken, printTokenHash) = AccountToken.generate()
                certificate.printTokenHash = printTokenHash
                try await certificate.create(on: tx)
                try await Outbox(database: tx, from: settings.mailFrom).enqueue(
                    to: registration.email, subject: "Your certificate: \(completion.course.title)",
                    text: CertificateMail.issued(certificate, site: settings.publicURL, printToken: printToken))
                try await req.audit.record(
                    "certificate.issued", entityType: "certificate", entityID: certificate.code,
                    details: "\(registration.name), \(completion.course.code), \(TrainingFormat.hours(certificate.hours)) hours", on: tx)
                return true
            }
            if created { issued += 1 }
        }
        return req.redirect(to: SiteURL.completion(.value(session.id!)).path + "?notice=issued", redirectType: .normal)
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

enum CertificateMail {
    static func issued(_ certificate: Certificate, site: String, printToken: String) -> String {
        let dates =
            CertificateDates.range(from: certificate.startDate, to: certificate.endDate)
            ?? "\(certificate.startDate) to \(certificate.endDate)"
        return """
            Hello \(certificate.personName),

            You completed \(certificate.courseTitle) (\(TrainingFormat.hours(certificate.hours)) hours, \(dates)), hosted by \(certificate.provider).

            Print your certificate (no account needed; keep this link to yourself, anyone who has it can open the certificate):
            \(site)\(SiteURL.certificatePrint(.value(printToken)).path)

            Your certificate's verification code is \(certificate.code).
            Anyone can check it at \(site)\(SiteURL.verify(.value(certificate.code)).path)

            To see your role-play scores and trainers' feedback, sign in to CIT Hub with this email address and open "Your training": \(site)\(SiteURL.myTraining.path)
            (If you have no CIT Hub account, ask your program coordinator for an invitation.)

            CIT International advises in-service refresher training at least every 2 years: yours is due by \(CertificateDates.day(certificate.refresherDueAt, timeZone: TimeZone(identifier: "UTC")!)). We will remind you before then.
            """
    }

    static func refresher(_ certificate: Certificate, site: String, daysBefore: Int) -> String {
        """
        Hello \(certificate.personName),

        Your \(certificate.courseCode) training (completed \(CertificateDates.day(certificate.endDate) ?? certificate.endDate), certificate \(certificate.code)) is due for an in-service refresher by \(CertificateDates.day(certificate.refresherDueAt, timeZone: TimeZone(identifier: "UTC")!)), in about \(daysBefore) days. CIT International advises refresher training at least every 2 years.

        Upcoming classes: \(site)\(SiteURL.classes.path)
        """
    }
}
