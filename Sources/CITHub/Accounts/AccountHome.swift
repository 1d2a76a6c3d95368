import Vapor
import Fluent
import Plot
import CITDomain

/// What a signed-in person sees on /account: their work, by role. Built by `query` from
/// the database; `AccountHomeView` renders it without touching the database.
///
/// Every staff page without an id in its path is linked from here (or from a page linked
/// from here) for the roles that may open it; `AccountHomeTests` walks the protected
/// routes so a new page cannot be added unlinked.
struct AccountHome {
    struct Link: Equatable { var title: String; var href: String; var note: String = "" }
    struct ProgramItem { var id: String; var name: String }
    struct ClassItem {
        var id: UUID
        var title: String
        var programName: String
        var dates: String
        var isToday: Bool
        var hasEnded: Bool
    }
    struct AgencyItem {
        var id: String; var name: String; var reports: Int; var lastFiled: String?
        /// "120 sworn officers; 80 on patrol, 2 of them CIT-trained", or nil before the counts are kept.
        var officers: String?
    }
    struct CertificateItem { var code: String; var title: String; var issued: String; var revoked: Bool }

    var name: String
    var email: String
    /// "Program coordinator — NAMI Dane County CIT/CIP", one per role held.
    var roles: [String]
    var permissions: Set<Permission>

    var programs: [ProgramItem] = []
    /// Upcoming and recently ended classes of the programs the person coordinates.
    var programClasses: [ClassItem] = []
    /// Classes the person is assigned to teach, today and after.
    var teachingClasses: [ClassItem] = []
    var agencies: [AgencyItem] = []
    var certificates: [CertificateItem] = []

    func can(_ permission: Permission) -> Bool { permissions.contains(permission) }

    /// Whether the person runs the network (the administration section), as opposed to
    /// holding a permission an administrator also has.
    var isAdministrator: Bool {
        can(.manageAccounts) || can(.editAllPrograms) || can(.readStateReports) || can(.readAuditLog) || can(.readOutbox)
    }

    /// Whether the person has staff work; their own training is then a line, not a section.
    var isStaff: Bool { can(.teachOwnClasses) || can(.reportForOwnAgency) || isAdministrator }

    /// The administrator's pages, in the order an administrator needs them.
    static let administration: [(Link, Permission)] = [
        (
            Link(
                title: "People and roles", href: SiteURL.adminUsers.path,
                note: "Invite coordinators, trainers, liaisons; change roles; add an agency."), .manageAccounts
        ),
        (
            Link(title: "Add a program", href: SiteURL.newProgram.path, note: "A CIT or CIP program that is not in the directory yet."),
            .editAllPrograms
        ),
        (
            Link(
                title: "Programs on the map", href: SiteURL.map.path, note: "Every program in the directory; open one to edit or verify it."
            ), .editAllPrograms
        ),
        (Link(title: "Add a course", href: SiteURL.newCourse.path, note: "A course programs can schedule classes of."), .editAllPrograms),
        (
            Link(title: "All classes", href: SiteURL.teaching.path, note: "Attendance and role-play scores of every class."),
            .editAllPrograms
        ),
        (
            Link(
                title: "State report", href: SiteURL.stateReport.path,
                note: "Programs, classes, certificates and encounter reports for the state."), .readStateReports
        ),
        (
            Link(
                title: "Outcomes dashboard", href: SiteURL.outcomes.path,
                note: "Encounter reports, with small counts hidden for the public."), .readStateReports
        ),
        (Link(title: "Coverage", href: SiteURL.coverage.path, note: "CIT-trained officers per agency and shift."), .readStateReports),
        (
            Link(
                title: "Training records", href: SiteURL.trainingRecords.path,
                note: "Every certificate, with a CSV for training-standards boards."), .readStateReports
        ),
        (Link(title: "API tokens", href: APITokensController.path, note: "Read access for other systems."), .manageAccounts),
        (Link(title: "Mail outbox", href: SiteURL.adminOutbox.path, note: "Mail waiting, sent or failed."), .readOutbox),
        (
            Link(title: "Audit log", href: SiteURL.adminAudit.path, note: "Sign-ins, role changes and every change to records."),
            .readAuditLog
        ),
    ]

    static func query(user: User, on db: any Database, now: Date = Date(), timeZone: TimeZone) async throws -> AccountHome {
        let grants = user.$roleGrants.value ?? []
        let names = try await ScopeDirectory.names(for: grants, on: db)
        var home = AccountHome(
            name: user.name, email: user.email, roles: ScopeDirectory.describe(grants, names: names),
            permissions: Set(Permission.allCases.filter { user.can($0) }))

        // Coordinator: their programs and the classes of those programs.
        let programIDs = user.scopes(.programCoordinator)
        if !programIDs.isEmpty {
            let programs = try await Program.query(on: db).filter(\.$id ~~ programIDs).sort(\.$name).all()
            home.programs = programs.map { ProgramItem(id: $0.id!.uuidString.lowercased(), name: $0.name) }
            // Classes that ended in the last 60 days stay listed: completion and
            // certificates come after the last day.
            let sessions = try await ClassSession.query(on: db).filter(\.$program.$id ~~ programIDs)
                .filter(\.$endsAt >= now.addingTimeInterval(-60 * 86400)).filter(\.$status == .scheduled)
                .with(\.$program).sort(\.$startsAt).limit(50).all()
            home.programClasses = sessions.map { item($0, now: now, timeZone: timeZone) }
        }

        // Trainer (and coordinators who teach): classes assigned to them, today and after.
        if user.can(.teachOwnClasses) {
            let assigned = try await ClassTrainer.query(on: db).filter(\.$user.$id == user.id!).all().map { $0.$classSession.id }
            if !assigned.isEmpty {
                let startOfToday = Calendar.current.startOfDay(for: now)
                let sessions = try await ClassSession.query(on: db).filter(\.$id ~~ assigned).filter(\.$endsAt >= startOfToday)
                    .filter(\.$status == .scheduled).with(\.$program).sort(\.$startsAt).limit(50).all()
                home.teachingClasses = sessions.map { item($0, now: now, timeZone: timeZone) }
            }
        }

        // Liaison: their agencies and what was filed for them.
        let agencyIDs = user.scopes(.agencyLiaison)
        if !agencyIDs.isEmpty {
            for agency in try await Organization.query(on: db).filter(\.$id ~~ agencyIDs).sort(\.$name).all() {
                let count = try await EncounterReport.query(on: db).filter(\.$agencyID == agency.id!).count()
                let last = try await EncounterReport.query(on: db).filter(\.$agencyID == agency.id!).sort(\.$createdAt, .descending).first()
                let profile = try await AgencyProfile.query(on: db).filter(\.$organization.$id == agency.id!).first()
                let officers = profile.map { profile in
                    let trained = profile.shifts.reduce(0) { $0 + $1.citTrained }
                    return "\(profile.swornOfficers) sworn officers; \(profile.patrolOfficers) on patrol, \(trained) of them CIT-trained"
                }
                home.agencies.append(
                    AgencyItem(
                        id: agency.id!.uuidString.lowercased(), name: agency.name, reports: count,
                        lastFiled: last?.createdAt.map { ClassFormat.shortDay($0, timeZone) }, officers: officers))
            }
        }

        // Everyone: their own certificates.
        if user.can(.readOwnTraining) {
            home.certificates = try await Certificate.query(on: db).filter(\.$email == user.email).sort(\.$issuedAt, .descending).limit(20)
                .all()
                .map {
                    CertificateItem(
                        code: $0.code, title: $0.courseTitle, issued: ClassFormat.shortDay($0.issuedAt, timeZone),
                        revoked: $0.revokedAt != nil)
                }
        }
        return home
    }

    static func item(_ session: ClassSession, now: Date, timeZone: TimeZone) -> ClassItem {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = session.zone
        let today =
            session.startsAt <= now && session.endsAt >= calendar.startOfDay(for: now)
            || calendar.isDate(session.startsAt, inSameDayAs: now)
        return ClassItem(
            id: session.id!, title: session.title, programName: session.program.name, dates: ClassFormat.dates(session),
            isToday: today && session.endsAt >= now, hasEnded: session.endsAt < now)
    }
}

/// The account home page, from an `AccountHome`.
enum AccountHomeView {
    static func page(_ home: AccountHome, chrome: PageChrome, csrf: String) -> Page {
        Page(
            title: "Your account", chrome: chrome,
            main: [
                .h1(.text(home.name.isEmpty ? "Your account" : "Hello, \(home.name)")),
                .p(
                    .class("account-who"), .text("Signed in as "), .strong(.text(home.email)), .text(". "),
                    .text(
                        home.roles.isEmpty
                            ? "You have no role yet: ask the state administrator for one."
                            : "Your roles: " + home.roles.joined(separator: "; ") + ".")),
                // An administrator's own work first; then each role's, most specific first.
                .if(home.isAdministrator, administrationSection(home)),
                .if(home.can(.manageOwnClasses) && (!home.can(.editAllPrograms) || !home.programs.isEmpty), coordinatorSection(home)),
                .if(home.can(.teachOwnClasses) && (!home.teachingClasses.isEmpty || !home.can(.manageOwnClasses)), teachingSection(home)),
                .if(home.can(.reportForOwnAgency), liaisonSection(home)),
                .if(home.can(.readOwnTraining), trainingSection(home)),
                .section(
                    .class("home-section"),
                    .h2(.text("Sign out")),
                    FormHTML.form(action: SiteURL.logout.path, csrf: csrf, [FormHTML.submit("Sign out", secondary: true)])),
            ])
    }

    static func links(_ links: [AccountHome.Link]) -> BodyNode {
        .ul(
            .class("home-links"),
            .forEach(links) { link in
                .li(.a(.href(link.href), .text(link.title)), .if(!link.note.isEmpty, .span(.class("hint"), .text(" " + link.note))))
            })
    }

    static func classList(_ classes: [AccountHome.ClassItem], manage: Bool) -> BodyNode {
        .ul(
            .class("home-classes"),
            .forEach(classes) { session in
                .li(
                    .if(session.isToday, .class("today")),
                    .h3(.a(.href(SiteURL.classPage(.value(session.id)).path), .text(session.title))),
                    .p(
                        .class("meta"), .if(session.isToday, .strong(.text("Today · "))), .if(session.hasEnded, .text("Ended · ")),
                        .text("\(session.dates) · \(session.programName)")),
                    .p(
                        .class("class-actions"),
                        .if(
                            manage,
                            .group(
                                .a(.class("button secondary"), .href(SiteURL.classRoster(.value(session.id)).path), .text("Roster")),
                                .text(" "))),
                        .a(.class("button secondary"), .href(SiteURL.attendance(.value(session.id)).path), .text("Attendance")), .text(" "),
                        .a(.class("button secondary"), .href(SiteURL.evaluations(.value(session.id)).path), .text("Scores")),
                        .if(
                            manage,
                            .group(
                                .text(" "),
                                .a(.class("button secondary"), .href(SiteURL.completion(.value(session.id)).path), .text("Completion"))))))
            })
    }

    static func coordinatorSection(_ home: AccountHome) -> BodyNode {
        .section(
            .class("home-section"), .id("programs"),
            .h2(.text(home.programs.count == 1 ? "Your program" : "Your programs")),
            .if(home.programs.isEmpty, .p(.text("Your account is not linked to a program yet. Ask the state administrator to link it."))),
            .ul(
                .class("home-programs"),
                .forEach(home.programs) { program in
                    .li(
                        .h3(.a(.href(SiteURL.program(.value(program.id)).path), .text(program.name))),
                        .p(
                            .class("class-actions"),
                            .a(.class("button"), .href(SiteURL.newClass(.value(program.id)).path), .text("Add a class")), .text(" "),
                            .a(.class("button secondary"), .href(SiteURL.programEdit(.value(program.id)).path), .text("Edit program")),
                            .text(" "),
                            .a(
                                .class("button secondary"), .href(SiteURL.scenarios(.value(UUID(uuidString: program.id)!)).path),
                                .text("Scenarios")), .text(" "),
                            .a(.class("button secondary"), .href(SiteURL.programHistory(.value(program.id)).path), .text("History"))))
                }),
            .h2(.text("Classes of your programs")),
            .if(home.programClasses.isEmpty, .p(.text("No upcoming classes. Add one from your program above."))),
            classList(home.programClasses, manage: true),
            links([
                .init(
                    title: "Training records", href: SiteURL.trainingRecords.path,
                    note: "Certificates from your programs' classes, with a CSV."),
                .init(title: "Classes you teach", href: SiteURL.teaching.path, note: "Attendance and role-play scores."),
                .init(
                    title: "Add a course", href: SiteURL.newCourse.path,
                    note: "Only if your program teaches a course that is not listed yet."),
            ]))
    }

    static func teachingSection(_ home: AccountHome) -> BodyNode {
        .section(
            .class("home-section"), .id("teaching"),
            .h2(.text("Classes you teach")),
            .if(
                home.teachingClasses.isEmpty,
                .p(.text("You are not assigned to a class today or later. A coordinator adds trainers on a class's roster page."))),
            classList(home.teachingClasses, manage: false),
            links([
                .init(
                    title: "All classes you teach", href: SiteURL.teaching.path,
                    note: "Attendance and role-play scores for every class you can teach.")
            ]))
    }

    static func liaisonSection(_ home: AccountHome) -> BodyNode {
        .section(
            .class("home-section"), .id("reports"),
            .h2(.text("Encounter reports")),
            .if(
                !home.can(.editAllPrograms) && home.agencies.isEmpty,
                .p(.class("error"), .text("Your account is not linked to an agency yet. Ask the state administrator to set your agency."))),
            .ul(
                .class("home-programs"),
                .forEach(home.agencies) { agency in
                    .li(
                        .h3(.text(agency.name)),
                        .p(
                            .class("meta"),
                            .text(
                                agency.reports == 0
                                    ? "No reports filed yet."
                                    : "\(agency.reports) report\(agency.reports == 1 ? "" : "s") filed"
                                        + (agency.lastFiled.map { ", the last on \($0)." } ?? "."))),
                        .p(
                            .class("meta"),
                            .text(
                                agency.officers.map { $0 + "." }
                                    ?? "Officer counts not entered yet: they show how much of each shift is CIT-trained.")),
                        .p(
                            .class("class-actions"),
                            .a(
                                .class("button secondary"), .href(SiteURL.agency(.value(agency.id)).path),
                                .text(agency.officers == nil ? "Enter officer counts" : "Update officer counts"))))
                }),
            .p(
                .class("class-actions"),
                .a(.class("button"), .href(SiteURL.encounterNew.path), .text("File a report")), .text(" "),
                .a(
                    .class("button secondary"), .href(SiteURL.encounters.path),
                    .text(home.can(.editAllPrograms) ? "Reports filed" : "Your agency's reports"))),
            links([
                .init(
                    title: "Import reports from a CSV file", href: SiteURL.encounterImport.path,
                    note: "From a records system: all rows or none.")
            ]))
    }

    static func administrationSection(_ home: AccountHome) -> BodyNode {
        .section(
            .class("home-section"), .id("administration"),
            .h2(.text("Administration")),
            links(AccountHome.administration.filter { home.can($0.1) }.map(\.0)))
    }

    static func trainingSection(_ home: AccountHome) -> BodyNode {
        .section(
            .class("home-section"), .id("training"),
            .h2(.text("Your training")),
            .if(
                home.certificates.isEmpty && !home.isStaff,
                .p(.text("No certificates yet. Classes you are registered for, your hours and your scores are in your training record."))),
            .ul(
                .class("home-links"),
                .forEach(home.certificates) { certificate in
                    .li(
                        .a(.href(SiteURL.certificate(.value(certificate.code)).path), .text(certificate.title)),
                        .span(
                            .class("hint"),
                            .text(
                                " issued \(certificate.issued)" + (certificate.revoked ? " · revoked" : "") + " · code \(certificate.code)")
                        ))
                }),
            links([
                .init(
                    title: "Your training record", href: SiteURL.myTraining.path,
                    note: "Classes, hours, role-play feedback and certificates.")
            ]))
    }
}
