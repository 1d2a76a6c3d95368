import Fluent
import SQLKit
import Vapor
import Plot
import CITDomain

/// Training records: each person's own (classes, hours, role-play feedback,
/// certificates, refresher due), and coordinators' and the state's view of completed
/// training with the CSV that training-standards boards ask for.
enum TrainingRecordsController {
    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get(SiteURL.myTraining, .readOwnTraining, use: mine)
        protected.get(SiteURL.trainingRecords, .manageOwnClasses, use: records)
        protected.get(SiteURL.trainingRecordsCSV, .manageOwnClasses, use: recordsCSV)
    }

    // MARK: one's own record

    @Sendable static func mine(req: Request) async throws -> Response {
        let user = try req.auth.require(User.self)
        let registrations = try await Registration.query(on: req.db).filter(\.$email == user.email)
            .filter(\.$status == .confirmed).with(\.$classSession) { $0.with(\.$course).with(\.$program) }.all()
            .sorted { $0.classSession.startsAt > $1.classSession.startsAt }
        let certificates = try await Certificate.query(on: req.db).filter(\.$email == user.email).sort(\.$issuedAt, .descending).all()
        let now = Date()
        var sections: [BodyNode] = []
        for registration in registrations {
            let session = registration.classSession
            let entries = try await AttendanceEntry.query(on: req.db).filter(\.$classSession.$id == session.id!).filter(
                \.$registration.$id == registration.id!
            ).all()
            let attendance = ClassAttendance(entries: entries, agenda: session.agenda)
            let policy = CompletionPolicy.standard(courseCode: session.course.code, requiredHours: session.course.requiredHours)
            let result = CompletionRules.evaluate(
                policy: policy, agenda: session.agenda, attendance: attendance.blocks(for: registration.id!), timeZone: session.zone)
            let ended = session.endsAt <= now
            // Scores and feedback are shown once the class is over, so trainees are not
            // graded in front of each other mid-week.
            let sheets =
                ended ? try await Evaluation.query(on: req.db).filter(\.$registration.$id == registration.id!).with(\.$scenario).all() : []
            let certificate = certificates.first { $0.$registration.id == registration.id }
            sections.append(
                .section(
                    .class("record"),
                    .h2(.text(session.title)),
                    .p(.text("\(ClassFormat.dates(session)) · \(session.program.name)")),
                    .p(
                        .text(
                            session.startsAt > now
                                ? "Starts \(ClassFormat.shortDay(session.startsAt, session.zone))."
                                : "Hours recorded: \(TrainingFormat.hours(result.hoursEarned)) of \(TrainingFormat.hours(policy.requiredHours))."
                        )),
                    .if(ended && !result.isComplete && certificate == nil, .ul(.forEach(result.shortfalls) { .li(.text($0.description)) })),
                    .unwrap(certificate) { certificate in
                        .p(
                            .strong(
                                .text(
                                    certificate.isRevoked
                                        ? "Certificate revoked: \(certificate.revokedReason ?? "")" : "Certificate issued. ")),
                            .a(.href(SiteURL.certificate(.value(certificate.code)).path), .text("Print certificate")),
                            .text(" · verification code "), .code(.text(certificate.code)))
                    },
                    .if(
                        ended && !sheets.isEmpty,
                        .group(
                            .h3(.text("Role-play scores and feedback")),
                            .forEach(
                                Dictionary(grouping: sheets, by: { $0.$scenario.id }).values.sorted {
                                    $0[0].scenario.title < $1[0].scenario.title
                                }
                            ) { group in
                                let rubric = group[0].scenario.rubric
                                let averages = rubric.averages(group.map(\.scores))
                                return .div(
                                    .class("scenario-result"),
                                    .h4(.text(group[0].scenario.title)),
                                    .div(
                                        .class("table-scroll"), .attribute(named: "tabindex", value: "0"),
                                        .attribute(named: "role", value: "region"),
                                        .attribute(named: "aria-label", value: "Scores for \(group[0].scenario.title)".attributeEscaped),
                                        .table(
                                            .caption(
                                                .text(
                                                    "Scores from \(group.count) trainer\(group.count == 1 ? "" : "s"), scale \(rubric.levels.first?.score ?? 1)–\(rubric.levels.last?.score ?? 4)"
                                                )),
                                            .tr(
                                                .th(.text("Criterion")), .forEach(group) { .th(.text($0.trainerName)) },
                                                .th(.text("Average"))),
                                            .forEach(rubric.criteria) { criterion in
                                                .tr(
                                                    .th(.attribute(named: "scope", value: "row"), .text(criterion.title)),
                                                    .forEach(group) { sheet in
                                                        .td(.text(sheet.scores[criterion.code].map(String.init) ?? "—"))
                                                    },
                                                    .td(.text(averages[criterion.code].map { String(format: "%.1f", $0) } ?? "—")))
                                            })),
                                    .forEach(group.filter { !$0.feedback.isEmpty }) { sheet in
                                        .element(
                                            named: "blockquote",
                                            nodes: [
                                                .class("feedback"), .p(.text(sheet.feedback)),
                                                .p(.class("by"), .text("— \(sheet.trainerName)")),
                                            ])
                                    })
                            })),
                    .if(!ended && session.startsAt <= now, .p(.text("Role-play scores and feedback appear here when the class is over.")))
                ))
        }
        let latest = certificates.filter { !$0.isRevoked }.max { $0.refresherDueAt < $1.refresherDueAt }
        let page = Page(
            title: "Your training", chrome: req.chrome(),
            main: [
                .h1(.text("Your training")),
                .p(
                    .text(
                        "Classes you were confirmed in under \(user.email), with the hours trainers recorded, your role-play feedback and your certificates."
                    )),
                .unwrap(latest) { certificate in
                    .p(
                        .class("notice"),
                        .text(
                            "In-service refresher due by \(CertificateDates.day(certificate.refresherDueAt, timeZone: TimeZone(identifier: "UTC")!)) (\(RefresherSchedule.source)). We email a reminder 60 and 14 days before."
                        ))
                },
                .if(
                    sections.isEmpty,
                    .p(.text("No classes yet under this email address. "), .a(.href(SiteURL.classes.path), .text("Find a class")))),
                .group(sections),
            ])
        return htmlResponse(page)
    }

    // MARK: coordinators' and the state's records

    /// Certificates the user may see: all for administrators, their programs' for coordinators.
    static func visibleCertificates(_ req: Request) async throws -> [Certificate] {
        let user = try req.auth.require(User.self)
        var query = Certificate.query(on: req.db).sort(\.$issuedAt, .descending)
        if case .only(let programs) = CITDomain.Scope.programs(user.accessHolder, for: .manage) {
            query = query.filter(\.$programID ~~ Array(programs))
        }
        if let email = req.query[String.self, at: "email"].map(User.normalize(email:)), !email.isEmpty {
            query = query.filter(\.$email == email)
        }
        return try await query.all()
    }

    @Sendable static func records(req: Request) async throws -> Response {
        let certificates = try await visibleCertificates(req)
        let email = req.query[String.self, at: "email"] ?? ""
        let page = Page(
            title: "Training records", chrome: req.chrome(),
            main: [
                .h1(.text("Training records")),
                .p(
                    .text(
                        "Completed training with a certificate, newest first. The CSV has the columns state training-standards boards ask for: person, course title, dates, hours, category, provider."
                    )),
                .element(
                    named: "form",
                    nodes: [
                        .attribute(named: "method", value: "get"), .attribute(named: "action", value: SiteURL.trainingRecords.path),
                        FormHTML.field(
                            .init(name: "email", label: "One person's record, by email", type: "email", value: email, required: false)),
                        FormHTML.submit("Show", secondary: true),
                    ]),
                .p(
                    .a(
                        .class("button"),
                        .href(
                            SiteURL.trainingRecordsCSV.path
                                + (email.isEmpty
                                    ? "" : "?email=" + (email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))),
                        .text("Download CSV"))),
                .if(certificates.isEmpty, .p(.text("No certificates yet."))),
                .if(
                    !certificates.isEmpty,
                    .div(
                        .class("table-scroll"), .attribute(named: "tabindex", value: "0"), .attribute(named: "role", value: "region"),
                        .attribute(named: "aria-label", value: "Certificates"),
                        .table(
                            .caption(.text("\(certificates.count) certificate\(certificates.count == 1 ? "" : "s")")),
                            .tr(
                                .th(.text("Person")), .th(.text("Organization")), .th(.text("Course")), .th(.text("Dates")),
                                .th(.text("Hours")), .th(.text("Provider")), .th(.text("Refresher due")), .th(.text("Certificate"))),
                            .forEach(certificates) { c in
                                .tr(
                                    .td(.text(c.personName), .br(), .small(.text(c.email))), .td(.text(c.organization)),
                                    .td(.text(c.courseCode)),
                                    .td(.text("\(c.startDate) to \(c.endDate)")), .td(.text(TrainingFormat.hours(c.hours))),
                                    .td(.text(c.provider)),
                                    .td(.text(TrainingFormat.day(c.refresherDueAt, TimeZone(identifier: "UTC")!))),
                                    .td(
                                        .a(.href(SiteURL.certificate(.value(c.code)).path), .code(.text(c.code))),
                                        .if(c.isRevoked, .text(" revoked"))))
                            }))),
            ])
        return htmlResponse(page)
    }

    @Sendable static func recordsCSV(req: Request) async throws -> Response {
        let rows = try await visibleCertificates(req).filter { !$0.isRevoked }.map { c in
            CompletedTrainingRow(
                personName: c.personName, email: c.email, courseTitle: c.courseTitle, courseCode: c.courseCode,
                startDate: c.startDate, endDate: c.endDate, hours: c.hours, category: c.category,
                provider: c.provider, certificateCode: c.code)
        }
        // A download of people's records is in the audit log, with its filter (issue 13).
        let filter = req.query[String.self, at: "email"].map { "email \($0)" } ?? "all visible"
        try await req.audit.record(
            "training_records.csv_downloaded", entityType: "certificates", entityID: nil,
            details: "\(rows.count) rows, \(filter)")
        return csvResponse(TrainingRecordExport.csv(rows), filename: "cithub-training-records.csv")
    }
}

/// Refresher reminders, queued by the reminder job (`ReminderPass`): each certificate gets
/// one mail per reminder day, claimed with a conditional UPDATE so two instances send it once.
enum RefresherReminders {
    @discardableResult
    static func run(on db: any Database, settings: Settings, now: Date = Date()) async throws -> Int {
        let horizon = now.addingTimeInterval(Double((RefresherSchedule.reminderDaysBefore.max() ?? 60) + 1) * 86_400)
        let due = try await Certificate.query(on: db).filter(\.$revokedAt == nil)
            .filter(\.$refresherDueAt <= horizon).filter(\.$refresherDueAt > now).all()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: settings.timeZone) ?? TimeZone(identifier: "America/Chicago")!
        var sent = 0
        for certificate in due {
            guard
                let days = RefresherSchedule.reminderDue(
                    dueDate: certificate.refresherDueAt, now: now, alreadySent: certificate.remindersSent, calendar: calendar)
            else { continue }
            let before = certificate.refresherRemindersSent
            let after = (certificate.remindersSent.union([days])).sorted(by: >).map(String.init).joined(separator: ",")
            let claimed = try await db.transaction { tx -> Bool in
                // Only the instance whose UPDATE changed the row goes on; a second instance's
                // UPDATE finds the value changed and returns no row.
                guard let sql = tx as? any SQLDatabase else { return false }
                let rows = try await sql.update(Certificate.schema)
                    .set("refresher_reminders_sent", to: after)
                    .where("id", .equal, certificate.id!)
                    .where("refresher_reminders_sent", .equal, before)
                    .returning("id").all()
                guard rows.count == 1 else { return false }
                try await Outbox(database: tx, from: settings.mailFrom).enqueue(
                    to: certificate.email,
                    subject:
                        "Your CIT refresher is due by \(CertificateDates.day(certificate.refresherDueAt, timeZone: TimeZone(identifier: "UTC")!))",
                    text: CertificateMail.refresher(certificate, site: settings.publicURL, daysBefore: days))
                return true
            }
            if claimed { sent += 1 }
        }
        return sent
    }
}
