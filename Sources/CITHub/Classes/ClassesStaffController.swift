import Vapor
import Fluent
import Plot
import CITDomain

/// Coordinators' side of classes: create a class with its agenda, see the roster and
/// waitlist, cancel a place.
enum ClassesStaffController {
    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get(SiteURL.newClass(.key), .manageOwnClasses, use: newForm)
        protected.post(SiteURL.newClass(.key), .manageOwnClasses, use: create)
        protected.get(SiteURL.classEdit(.key), .manageOwnClasses, use: editForm)
        protected.post(SiteURL.classEdit(.key), .manageOwnClasses, use: update)
        protected.get(SiteURL.classRoster(.key), .manageOwnClasses, use: roster)
        protected.post(SiteURL.classRegistrationCancel(.key, .key), .manageOwnClasses, use: cancelRegistration)
        protected.post(SiteURL.classAddPerson(.key), .manageOwnClasses, use: addPerson)
    }

    /// Administrators run any program's classes; coordinators those of their programs
    /// (`Scope`: whoever manages a program manages its classes).
    static func mayManage(_ user: User, programID: UUID) -> Bool {
        user.may(.manage, .program(programID)).isAllowed
    }

    static func managedProgram(_ req: Request) async throws -> Program {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let program = try await Program.find(id, on: req.db),
            program.mergedInto == nil
        else { throw Abort(.notFound, reason: "There is no program at this address.") }
        guard mayManage(try req.auth.require(User.self), programID: id) else {
            throw Abort(.forbidden, reason: "You can add classes only to the programs you coordinate.")
        }
        return program
    }

    // MARK: the class form (new and edit)

    /// The form's fields as posted. The agenda comes as rows (`rows`, then `day_1`,
    /// `start_1`, … per row); a form with no rows but an `agenda` text (scripts: the
    /// bench and fault scripts post one line per block) is read into rows the same way.
    static func input(from form: FormValues) -> ClassInput {
        var input = ClassInput(
            course: form["course"], title: form.trimmed("title"), venueName: form.trimmed("venue_name"),
            venueAddress: form.trimmed("venue_address"),
            venueZIP: form.trimmed("venue_zip"), capacity: form.trimmed("capacity"),
            defaultAgencyLimit: form.trimmed("default_agency_limit"),
            agencyLimits: form["agency_limits"], closes: form.trimmed("closes"))
        if let count = Int(form["rows"]), count > 0 {
            input.rows = (1...min(count, AgendaRows.maximumRows)).map { n in
                AgendaRow(
                    day: form.trimmed("day_\(n)"), start: form.trimmed("start_\(n)"), end: form.trimmed("end_\(n)"),
                    title: String(form.trimmed("title_\(n)").prefix(AgendaRows.longestTitle + 1)), topic: form.trimmed("topic_\(n)"))
            }
        } else if !form.trimmed("agenda").isEmpty {
            input.rows = Array(AgendaRows.rows(fromText: form["agenda"]).prefix(AgendaRows.maximumRows))
        } else {
            input.rows = []
        }
        return input
    }

    /// A class's saved values in the form, with a few empty rows after its agenda.
    static func input(from session: ClassSession, limits: [ClassAgencyLimit]) -> ClassInput {
        var rows = AgendaRows.rows(for: session.agenda, timeZone: session.zone)
        rows += Array(repeating: AgendaRow(), count: max(3, AgendaRows.defaultRowCount - rows.count))
        return ClassInput(
            course: session.course.code, title: session.title, venueName: session.venueName, venueAddress: session.venueAddress,
            venueZIP: session.venueZIP, capacity: String(session.capacity),
            defaultAgencyLimit: session.defaultAgencyLimit.map(String.init) ?? "",
            agencyLimits: limits.map { "\($0.agencyName): \($0.seatLimit)" }.joined(separator: "\n"),
            closes: session.registrationClosesAt.map { ClassTimes.dayAndTime($0, timeZone: session.zone).day } ?? "",
            rows: rows)
    }

    /// What a valid form gives.
    struct Checked {
        var course: Course
        var capacity: Int
        var countyFIPS: String
        var defaultLimit: Int?
        var limits: [(String, Int)]
        var closes: Date?
        var blocks: [AgendaBlock]
    }

    /// The checks shared by new and edit. `existing` is the class being edited, with the
    /// block positions that have attendance and the people confirmed in it.
    static func check(
        _ input: ClassInput, req: Request, zone: TimeZone,
        existing: (session: ClassSession, recorded: Set<Int>, confirmed: Int)? = nil
    ) async throws -> (Checked?, [String: String], [AgendaRowProblem]) {
        var errors: [String: String] = [:]
        let course = try await Course.query(on: req.db).filter(\.$code == input.course).first()
        if course == nil { errors["course"] = "Choose a course." }
        for (key, value, label, max) in [
            ("title", input.title, "title", 200), ("venue_name", input.venueName, "venue", 200),
            ("venue_address", input.venueAddress, "address", 300),
        ] {
            if value.count > max {
                errors[key] = "At most \(max) characters."
            } else if value.contains(where: { $0 == "<" || $0 == ">" }) {
                errors[key] = "< and > are not allowed."
            } else if value.isEmpty && (key == "venue_name" || key == "venue_address") {
                errors[key] = "Enter the \(label)."
            }
        }
        let index = try await req.application.searchIndex.snapshot(on: req.db)
        var countyFIPS: String?
        if !ZIPCode.isWellFormed(input.venueZIP) {
            errors["venue_zip"] = "A ZIP code has 5 digits."
        } else if let entry = index.zips[input.venueZIP]?.first(where: \.isPrimary) ?? index.zips[input.venueZIP]?.first {
            countyFIPS = entry.countyFIPS
        } else {
            errors["venue_zip"] = "ZIP code \(input.venueZIP) is not in this state's list."
        }
        let capacity = Int(input.capacity)
        if capacity == nil || capacity! < 1 || capacity! > 1000 {
            errors["capacity"] = "A number of seats from 1 to 1000."
        } else if let existing, capacity! < existing.confirmed {
            errors["capacity"] =
                "\(existing.confirmed) people are confirmed, so there must be at least \(existing.confirmed) seats. Cancel places on the roster first."
        }
        var defaultLimit: Int?
        if !input.defaultAgencyLimit.isEmpty {
            if let value = Int(input.defaultAgencyLimit), value >= 1, value <= (capacity ?? 1000) {
                defaultLimit = value
            } else {
                errors["default_agency_limit"] = "A number from 1 to the number of seats."
            }
        }
        var limits: [(String, Int)] = []
        for line in input.agencyLimits.components(separatedBy: .newlines).map({ $0.trimmingCharacters(in: .whitespaces) })
        where !line.isEmpty {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, !parts[0].isEmpty, parts[0].count <= 200, !parts[0].contains(where: { $0 == "<" || $0 == ">" }),
                let n = Int(parts[1]), n >= 0, n <= (capacity ?? 1000)
            {
                limits.append((parts[0], n))
            } else {
                errors["agency_limits"] = "Write each limit as “Agency name: number”. This line is not: \(String(line.prefix(60)))"
            }
        }
        var closes: Date?
        if !input.closes.isEmpty {
            if let date = ClassTimes.date(day: input.closes, time: "23:59", timeZone: zone) {
                closes = date
            } else {
                errors["closes"] = "A date like 2027-03-01."
            }
        }
        let topicCodes = Set(CourseCatalog.topics.map(\.code))
        let reading = AgendaRows.read(input.rows, timeZone: zone, topicCodes: topicCodes)
        // The under-way rule applies to a new agenda; an edit that leaves the agenda as it
        // was (a venue fixed after the class) is not refused for the class's dates.
        let agendaChanged =
            existing.map { reading.blocks.sorted { $0.start < $1.start } != $0.session.agenda.sorted { $0.start < $1.start } } ?? true
        var agendaProblems = AgendaRows.problems(
            input.rows, timeZone: zone, topicCodes: topicCodes, requiredHours: course?.requiredHours,
            courseName: course?.code ?? "the course", now: Date(), requireNotEnded: agendaChanged)
        if agendaProblems.isEmpty, let existing, !existing.recorded.isEmpty {
            agendaProblems = AgendaRows.changesRecordedBlocks(
                old: existing.session.agenda, new: reading.blocks, recorded: existing.recorded, timeZone: zone)
        }
        guard errors.isEmpty, agendaProblems.isEmpty, let course, let capacity, let countyFIPS else { return (nil, errors, agendaProblems) }
        return (
            Checked(
                course: course, capacity: capacity, countyFIPS: countyFIPS, defaultLimit: defaultLimit, limits: limits, closes: closes,
                blocks: reading.blocks.sorted { $0.start < $1.start }), errors, agendaProblems
        )
    }

    static func apply(_ checked: Checked, input: ClassInput, to session: ClassSession, zone: TimeZone) throws {
        session.$course.id = checked.course.id!
        session.title = input.title.isEmpty ? checked.course.title : input.title
        session.venueName = input.venueName
        session.venueAddress = input.venueAddress
        session.venueZIP = input.venueZIP
        session.countyFIPS = checked.countyFIPS
        session.timeZone = zone.identifier
        session.capacity = checked.capacity
        session.defaultAgencyLimit = checked.defaultLimit
        session.registrationClosesAt = checked.closes
        session.agendaJSON = String(decoding: try JSONEncoder().encode(checked.blocks), as: UTF8.self)
        session.startsAt = checked.blocks.first!.start
        session.endsAt = checked.blocks.map(\.end).max()!
    }

    static func formModel(_ req: Request, mode: ClassFormModel.Mode, program: Program, input: ClassInput) async throws -> ClassFormModel {
        let courses = try await Course.query(on: req.db).sort(\.$requiredHours, .descending).all()
        let action: String =
            switch mode {
            case .create: SiteURL.newClass(.value(program.id!.uuidString)).path
            case .edit(let id): SiteURL.classEdit(.value(id)).path
            }
        return ClassFormModel(
            mode: mode, programID: program.id!, programName: program.name, action: action,
            courses: courses.map { ($0.code, "\($0.title) (\(ClassMail.hours($0.requiredHours)) hours)") },
            topics: CourseCatalog.topics.map { ($0.code, $0.title) }, input: input, csrf: req.csrfToken)
    }

    static func formResponse(_ req: Request, _ model: ClassFormModel, status: HTTPResponseStatus) -> Response {
        htmlResponse(
            Page(
                title: model.isEdit ? "Edit class" : "New class", chrome: req.chrome(), main: ClassFormView.main(model),
                scripts: [SiteURL.agendaRowsScript.path]), status: status)
    }

    /// "Add more rows" without JavaScript: the same form back, input kept, more empty rows,
    /// the focus on the first new one. Nothing is checked or saved.
    static func withMoreRows(_ model: ClassFormModel) -> ClassFormModel {
        var model = model
        let first = model.input.rows.count + 1
        let room = max(0, AgendaRows.maximumRows - model.input.rows.count)
        model.input.rows += Array(repeating: AgendaRow(), count: min(AgendaRows.rowsAdded, room))
        model.focusRow = model.input.rows.count >= first ? first : nil
        return model
    }

    // MARK: new class

    @Sendable static func newForm(req: Request) async throws -> Response {
        let program = try await managedProgram(req)
        return formResponse(req, try await formModel(req, mode: .create, program: program, input: ClassInput()), status: .ok)
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let program = try await managedProgram(req)
        let form = FormValues(req)
        let input = input(from: form)
        var model = try await formModel(req, mode: .create, program: program, input: input)
        if form["action"] == "add-rows" { return formResponse(req, withMoreRows(model), status: .ok) }
        let zone = TimeZone(identifier: req.application.settings.timeZone) ?? TimeZone(identifier: "America/Chicago")!
        let (checked, errors, agendaProblems) = try await check(input, req: req, zone: zone)
        guard let checked else {
            model.errors = errors
            model.agendaProblems = agendaProblems
            return formResponse(req, model, status: .unprocessableEntity)
        }
        let session = ClassSession()
        session.$program.id = program.id!
        try apply(checked, input: input, to: session, zone: zone)
        // Trainers are the accounts assigned on the roster; the old free-text field stays empty.
        session.trainers = ""
        session.status = .scheduled
        session.registrationSequence = 0
        let agencyLimits = checked.limits
        try await req.db.transaction { tx in
            try await session.create(on: tx)
            for (name, limit) in agencyLimits {
                try await ClassAgencyLimit(classID: session.id!, agencyName: name, limit: limit).create(on: tx)
            }
            try await req.audit.record(
                "class.created", entityType: "class", entityID: session.id?.uuidString,
                details: "\(checked.course.code) \(session.title), \(checked.capacity) seats, program \(program.name)", on: tx)
        }
        req.application.pageCache.invalidateAll()
        return req.redirect(to: SiteURL.classPage(.value(session.id!)).path, redirectType: .normal)
    }

    // MARK: edit a class

    static func editModel(_ req: Request, session: ClassSession, input: ClassInput) async throws -> ClassFormModel {
        guard let program = try await Program.find(session.$program.id, on: req.db) else { throw Abort(.notFound) }
        var model = try await formModel(req, mode: .edit(classID: session.id!), program: program, input: input)
        model.courseLocked = try await Registration.query(on: req.db).filter(\.$classSession.$id == session.id!).count() > 0
        model.legacyTrainers = session.trainers.isEmpty ? nil : session.trainers
        return model
    }

    @Sendable static func editForm(req: Request) async throws -> Response {
        let session = try await managedClass(req)
        let limits = try await ClassAgencyLimit.query(on: req.db).filter(\.$classSession.$id == session.id!).all()
        return formResponse(req, try await editModel(req, session: session, input: input(from: session, limits: limits)), status: .ok)
    }

    @Sendable static func update(req: Request) async throws -> Response {
        let session = try await managedClass(req)
        let form = FormValues(req)
        var input = input(from: form)
        var model = try await editModel(req, session: session, input: input)
        if model.courseLocked { input.course = session.course.code; model.input.course = input.course }
        if form["action"] == "add-rows" { return formResponse(req, withMoreRows(model), status: .ok) }
        let recorded = Set(try await AttendanceEntry.query(on: req.db).filter(\.$classSession.$id == session.id!).all().map(\.blockIndex))
        let confirmed = try await Registration.query(on: req.db).filter(\.$classSession.$id == session.id!).filter(\.$status == .confirmed)
            .count()
        let (checked, errors, agendaProblems) = try await check(
            input, req: req, zone: session.zone, existing: (session, recorded, confirmed))
        guard let checked else {
            model.errors = errors
            model.agendaProblems = agendaProblems
            return formResponse(req, model, status: .unprocessableEntity)
        }
        let classID = session.id!
        let zone = session.zone
        let agencyLimits = checked.limits
        let posted = input
        try await req.db.transaction { tx in
            // The class's lock first, as registrations take it, so seats are not counted
            // while the capacity and limits change.
            let locked = try await RegistrationService.lock(classID, on: tx)
            let before = (times: locked.agenda.map { [$0.start, $0.end] }, venue: [locked.venueName, locked.venueAddress])
            try apply(checked, input: posted, to: locked, zone: zone)
            try await locked.save(on: tx)
            // New times or a new place: everyone holding or waiting for a place is told, in
            // the same transaction as the change.
            if before.times != locked.agenda.map({ [$0.start, $0.end] }) || before.venue != [locked.venueName, locked.venueAddress] {
                let settings = req.application.settings
                let outbox = Outbox(database: tx, from: settings.mailFrom)
                // Not pending registrations: their address is not confirmed, so it gets no mail
                // but the confirmation link (which still leads to the class page as it is now).
                for registration in try await Registration.query(on: tx).filter(\.$classSession.$id == classID).filter(
                    \.$status ~~ [.confirmed, .waitlisted]
                ).all() {
                    try await outbox.enqueue(
                        to: registration.email, subject: "Changed: \(locked.title)",
                        text: ClassMail.changed(
                            locked, registration: registration, classURL: settings.publicURL + SiteURL.classPage(.value(classID)).path))
                }
            }
            try await ClassAgencyLimit.query(on: tx).filter(\.$classSession.$id == classID).delete()
            for (name, limit) in agencyLimits {
                try await ClassAgencyLimit(classID: classID, agencyName: name, limit: limit).create(on: tx)
            }
            // More seats or looser limits: the waitlist moves up now, not at the next cancellation.
            let promoted = try await RegistrationService.promote(locked, on: tx, settings: req.application.settings, now: Date())
            try await req.audit.record(
                "class.updated", entityType: "class", entityID: classID.uuidString,
                details: "\(locked.title), \(checked.capacity) seats"
                    + (promoted.isEmpty ? "" : ", \(promoted.count) promoted from the waitlist"), on: tx)
        }
        req.application.pageCache.invalidateAll()
        return req.redirect(to: SiteURL.classPage(.value(classID)).path, redirectType: .normal)
    }

    // MARK: roster

    static func managedClass(_ req: Request) async throws -> ClassSession {
        let session = try await ClassesPublicController.findClass(req)
        guard mayManage(try req.auth.require(User.self), programID: session.$program.id) else {
            throw Abort(.forbidden, reason: "You can see the rosters of your own programs' classes only.")
        }
        return session
    }

    @Sendable static func roster(req: Request) async throws -> Response {
        try await rosterPage(req, session: try await managedClass(req), trainerError: nil, status: .ok)
    }

    /// What was typed into "Add a person" and what is wrong with it, for a refused form.
    struct PersonForm {
        var input = ClassesPublicController.RegistrationInput()
        var errors: [String: String] = [:]
    }

    static func rosterPage(
        _ req: Request, session: ClassSession, trainerError: String?, status: HTTPResponseStatus, person: PersonForm = PersonForm()
    ) async throws -> Response {
        let trainers = try await ClassTrainer.query(on: req.db).filter(\.$classSession.$id == session.id!).with(\.$user).all().map(\.user)
        let candidates = try await TrainerChoice.candidates(excluding: Set(trainers.compactMap(\.id)), on: req.db)
        let registrations = try await Registration.query(on: req.db).filter(\.$classSession.$id == session.id!).sort(\.$sequence).all()
        let confirmed = registrations.filter { $0.status == .confirmed }
        let waiting = try await RegistrationService.waitlist(classID: session.id!, on: req.db)
        let cancelled = registrations.filter { $0.status == .cancelled }
        // Unconfirmed public registrations are on no list: they are nobody's place yet. Their
        // held seats are counted, so the numbers here add up to what the public page shows.
        let holds = try await RegistrationService.activeHolds(classID: session.id!, on: req.db)
        // The tables scroll sideways on a phone: a focusable, named region, so keyboard
        // users can scroll them too (axe: scrollable-region-focusable).
        func table(_ rows: [Registration], name: String, positions: Bool, cancellable: Bool) -> BodyNode {
            if rows.isEmpty { return .p(.class("hint"), .text("No one yet.")) }
            return .div(
                .class("table-scroll"), .attribute(named: "tabindex", value: "0"), .attribute(named: "role", value: "region"),
                .ariaLabel(name),
                .table(
                    .tr(
                        .if(positions, .th(.text("#"))), .th(.text("Name")), .th(.text("Organization")), .th(.text("Role")),
                        .th(.text("Email")), .th(.text("Phone")), .if(cancellable, .th(.text("Action")))),
                    .forEach(Array(rows.enumerated())) { index, r in
                        .tr(
                            .if(positions, .td(.text(String(index + 1)))), .td(.text(r.name)), .td(.text(r.organization)),
                            .td(.text(r.audience.label)),
                            .td(.text(r.email)), .td(.text(r.phone)),
                            .if(
                                cancellable,
                                .td(
                                    FormHTML.form(
                                        action: SiteURL.classRegistrationCancel(.value(session.id!), .value(r.id!)).path,
                                        csrf: req.csrfToken, [FormHTML.submit("Cancel place", secondary: true)]))))
                    }))
        }
        let page = Page(
            title: "Roster: \(session.title)", chrome: req.chrome(),
            main: [
                .p(.a(.href(SiteURL.classPage(.value(session.id!)).path), .text("← \(session.title)"))),
                .h1(.text("Roster: \(session.title)")),
                .p(
                    .text(
                        "\(ClassFormat.dates(session)) · \(confirmed.count) of \(session.capacity) seats taken · \(waiting.count) waiting")),
                .if(!holds.isEmpty, .p(.class("hint"), .text(holdsText(holds, zone: session.zone)))),
                .p(
                    .class("block-nav"),
                    .a(.class("button"), .href(SiteURL.attendance(.value(session.id!)).path), .text("Attendance")),
                    .a(.class("button secondary"), .href(SiteURL.evaluations(.value(session.id!)).path), .text("Role-play scores")),
                    .a(
                        .class("button secondary"), .href(SiteURL.completion(.value(session.id!)).path),
                        .text("Completion and certificates")),
                    .a(.class("button secondary"), .href(SiteURL.scenarios(.value(session.$program.id)).path), .text("Scenarios")),
                    .a(.class("button secondary"), .href(SiteURL.classEdit(.value(session.id!)).path), .text("Edit class"))),
                .h2(.text("Trainers")),
                .if(
                    trainers.isEmpty,
                    .p(
                        .text(
                            "No trainer accounts are assigned yet. Assigned trainers take attendance and score role-plays in this class only."
                        ))),
                .ul(.forEach(trainers) { .li(.text("\($0.name) (\($0.email))")) }),
                // Classes made before trainers were accounts kept a free-text line; shown here
                // (never publicly) so the coordinator can assign those people's accounts.
                .if(
                    !session.trainers.isEmpty,
                    .p(
                        .class("hint"),
                        .text(
                            "Named when the class was created: \(session.trainers). The class page shows only the trainer accounts assigned here."
                        ))),
                FormHTML.form(
                    action: SiteURL.classTrainers(.value(session.id!)).path, csrf: req.csrfToken,
                    [
                        TrainerChoice.field(error: trainerError, candidates: candidates),
                        FormHTML.submit("Add trainer", secondary: true),
                    ]),
                .h2(.text("Confirmed (\(confirmed.count))")),
                table(confirmed, name: "Confirmed people", positions: false, cancellable: true),
                .if(session.endsAt > Date() && session.status == .scheduled, addPersonForm(req, session: session, person: person)),
                .h2(.text("Waitlist (\(waiting.count))")), table(waiting, name: "Waitlist", positions: true, cancellable: true),
                .h2(.text("Cancelled (\(cancelled.count))")),
                table(cancelled, name: "Cancelled places", positions: false, cancellable: false),
            ])
        return htmlResponse(page, status: status)
    }

    static func holdsText(_ holds: [Registration], zone: TimeZone) -> String {
        let last = holds.compactMap(\.holdUntil).max().map { ClassFormat.time($0, zone) } ?? ""
        return
            "\(holds.count) more seat\(holds.count == 1 ? " is" : "s are") held for people who registered on the class page and have not yet confirmed their email address (until \(last) at the latest). They join the list above when they confirm; a seat not confirmed in time is free again."
    }

    /// "Add a person": a coordinator registers someone directly, also once the class has
    /// started (public registration closes then), which is how a class entered while it
    /// runs gets its roster. Seats, agency limits and eligibility apply as for everyone;
    /// the person gets the same confirmation mail with their own link.
    static func addPersonForm(_ req: Request, session: ClassSession, person: PersonForm) -> BodyNode {
        let labels = [
            "name": "Name", "email": "Email address", "phone": "Phone", "organization": "Agency or organization", "audience": "Their role",
        ]
        let input = person.input
        let errors = person.errors
        let ordered = ["name", "email", "phone", "organization", "audience"].filter { errors[$0] != nil }
        return .element(
            named: "details",
            nodes: [
                .attribute(named: "class", value: "add-person"), .id("add-person"),
                .if(!errors.isEmpty, .attribute(named: "open", value: "open")),
                .element(named: "summary", text: "Add a person to this class"),
                .p(
                    .class("hint"),
                    .text(
                        "For someone who could not use the registration form, and for a class already under way (public registration closes when it starts). They get the confirmation email with their own link."
                    )),
                .if(
                    !ordered.isEmpty,
                    .div(
                        .class("error-summary"), .id("error-summary"), .attribute(named: "role", value: "alert"),
                        .attribute(named: "tabindex", value: "-1"), .attribute(named: "autofocus"),
                        .h2(.text("Please check the form")),
                        .ul(.forEach(ordered) { key in .li(.a(.href("#field-person_\(key)"), .text("\(labels[key]!): \(errors[key]!)"))) }))
                ),
                FormHTML.form(
                    action: SiteURL.classAddPerson(.value(session.id!)).path, csrf: req.csrfToken,
                    [
                        // Prefixed: the trainer form above has its own "email" field (and id).
                        FormHTML.field(
                            .init(
                                name: "person_name", label: labels["name"]!, value: input.name, error: errors["name"], autocomplete: "off")),
                        FormHTML.field(
                            .init(
                                name: "person_email", label: labels["email"]!, type: "email", value: input.email, error: errors["email"],
                                autocomplete: "off")),
                        FormHTML.field(
                            .init(
                                name: "person_phone", label: labels["phone"]!, type: "tel", value: input.phone, error: errors["phone"],
                                autocomplete: "off")),
                        FormHTML.field(
                            .init(
                                name: "person_organization", label: labels["organization"]!, value: input.organization,
                                error: errors["organization"], autocomplete: "off")),
                        FormHTML.select(
                            name: "person_audience", label: labels["audience"]!,
                            options: [("", "Choose their role")] + Audience.allCases.map { ($0.rawValue, $0.label) },
                            selected: input.audience, error: errors["audience"]),
                        FormHTML.submit("Add to the class", secondary: true),
                    ]),
            ])
    }

    @Sendable static func addPerson(req: Request) async throws -> Response {
        let session = try await managedClass(req)
        var (input, errors, audience) = ClassesPublicController.readRegistration(FormValues(req), prefix: "person_")
        if errors.isEmpty, let audience {
            let catalog = try await Course.query(on: req.db).all().map(\.definition)
            if case .notEligible(let reason, _) = Eligibility.check(course: session.course.definition, audience: audience, catalog: catalog)
            {
                errors["audience"] = reason
            }
        }
        if errors.isEmpty, let audience {
            do {
                _ = try await RegistrationService.register(
                    classID: session.id!,
                    applicant: .init(
                        name: input.name, email: input.email, phone: input.phone, organization: input.organization, audience: audience),
                    request: req, byCoordinator: true)
                req.application.pageCache.invalidate(prefix: SiteURL.classes.path)
                return req.redirect(to: SiteURL.classRoster(.value(session.id!)).path, redirectType: .normal)
            } catch let refusal as RegistrationService.Refusal {
                switch refusal {
                case .alreadyRegistered(let status):
                    errors["email"] =
                        "This email address already has a place in this class (\(status == .confirmed ? "confirmed" : "on the waitlist"))."
                case .closed(let why): errors["name"] = why
                }
            }
        }
        input.email = String(input.email.prefix(200))
        return try await rosterPage(
            req, session: session, trainerError: nil, status: .unprocessableEntity, person: PersonForm(input: input, errors: errors))
    }

    @Sendable static func cancelRegistration(req: Request) async throws -> Response {
        let session = try await managedClass(req)
        guard let id = req.parameters.get("registration").flatMap(UUID.init(uuidString:)),
            let registration = try await Registration.find(id, on: req.db), registration.$classSession.id == session.id
        else { throw Abort(.notFound, reason: "That registration is not in this class.") }
        try await RegistrationService.cancel(registrationID: registration.id!, by: try req.auth.require(User.self).email, request: req)
        req.application.pageCache.invalidate(prefix: SiteURL.classes.path)
        return req.redirect(to: SiteURL.classRoster(.value(session.id!)).path, redirectType: .normal)
    }
}

/// Picking a trainer for a class by name: a text field with the trainer accounts as
/// suggestions (`<datalist>`, filtered by the browser as one types, JavaScript or not).
/// A suggestion reads "Terry Trainer (terry@example.org)"; a bare name or email works too.
enum TrainerChoice {
    /// Active accounts that may teach (trainers, coordinators), not yet on this class.
    static func candidates(excluding assigned: Set<UUID>, on db: any Database) async throws -> [User] {
        try await User.query(on: db).filter(\.$disabledAt == nil).with(\.$roleGrants).sort(\.$name).all()
            .filter { $0.can(.teachOwnClasses) && !assigned.contains($0.id!) }
    }

    static func label(_ user: User) -> String { "\(user.name) (\(user.email))" }

    /// The account the typed text names: "Name (email)", an email, or a name that only one
    /// of the candidates has.
    static func resolve(_ typed: String, among candidates: [User]) -> User? {
        let text = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        var email = text
        if let open = text.lastIndex(of: "("), text.hasSuffix(")") {
            email = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        }
        if email.contains("@") {
            let normalized = User.normalize(email: email)
            return candidates.first { $0.email == normalized }
        }
        let named = candidates.filter { $0.name.compare(text, options: [.caseInsensitive, .diacriticInsensitive]) == .orderedSame }
        return named.count == 1 ? named[0] : nil
    }

    static func field(error: String?, candidates: [User]) -> BodyNode {
        // Named "email" as before: scripts that post an address keep working.
        FormHTML.suggestionField(
            name: "email", label: "Add a trainer", error: error,
            hint: candidates.isEmpty
                ? "No other trainer accounts yet: invite one first (People and roles)."
                : "Start typing their name and pick it from the list of trainers and coordinators (\(candidates.count) account\(candidates.count == 1 ? "" : "s")).",
            suggestions: candidates.map(label), listID: "trainer-choices")
    }
}
