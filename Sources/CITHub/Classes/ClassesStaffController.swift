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
        protected.post(SiteURL.classTrainers(.key), .manageOwnClasses, use: assignTrainer)
        protected.post(SiteURL.classAddPerson(.key), .manageOwnClasses, use: addPerson)
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
        let program = try await ClassQueries.managedProgram(req)
        return formResponse(req, try await formModel(req, mode: .create, program: program, input: ClassInput()), status: .ok)
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let program = try await ClassQueries.managedProgram(req)
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
        let session = try await ClassQueries.managedClass(req)
        let limits = try await ClassAgencyLimit.query(on: req.db).filter(\.$classSession.$id == session.id!).all()
        return formResponse(req, try await editModel(req, session: session, input: input(from: session, limits: limits)), status: .ok)
    }

    @Sendable static func update(req: Request) async throws -> Response {
        let session = try await ClassQueries.managedClass(req)
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

    /// "Assign a trainer" on the roster: a trainer or coordinator account, picked by name.
    @Sendable static func assignTrainer(req: Request) async throws -> Response {
        let session = try await ClassQueries.managedClass(req)
        let typed = FormValues(req)["email"]
        let candidates = try await TrainerChoice.candidates(excluding: [], on: req.db)
        guard let trainer = TrainerChoice.resolve(typed, among: candidates) else {
            let problem =
                typed.trimmingCharacters(in: .whitespaces).isEmpty
                ? "Type a trainer's name and pick it from the list."
                : "No active trainer or coordinator account has that name or email (or two do: pick from the list). Invite them first (People and roles)."
            return try await rosterPage(req, session: session, trainerError: problem, status: .unprocessableEntity)
        }
        let already =
            try await ClassTrainer.query(on: req.db).filter(\.$classSession.$id == session.id!).filter(\.$user.$id == trainer.id!).count()
            > 0
        if !already {
            try await req.db.transaction { tx in
                try await ClassTrainer(classID: session.id!, userID: trainer.id!).create(on: tx)
                try await req.audit.record(
                    "class.trainer_added", entityType: "class", entityID: session.id?.uuidString, details: trainer.email, on: tx)
            }
        }
        return req.redirect(to: SiteURL.classRoster(.value(session.id!)).path, redirectType: .normal)
    }

    @Sendable static func roster(req: Request) async throws -> Response {
        try await rosterPage(req, session: try await ClassQueries.managedClass(req), trainerError: nil, status: .ok)
    }

    /// What was typed into "Add a person" and what is wrong with it, for a refused form.
    struct PersonForm {
        var input = ClassesPublicController.RegistrationInput()
        var errors: [String: String] = [:]
    }

    static func rosterPage(
        _ req: Request, session: ClassSession, trainerError: String?, status: HTTPResponseStatus, person: PersonForm = PersonForm()
    ) async throws -> Response {
        let model = try await RosterModel.query(
            session: session, on: req.db, trainerError: trainerError, person: person, csrf: req.csrfToken)
        return htmlResponse(RosterView.page(model, chrome: req.chrome()), status: status)
    }

    /// "Add a person": a coordinator registers someone directly, also once the class has
    /// started (public registration closes then), which is how a class entered while it
    /// runs gets its roster. Seats, agency limits and eligibility apply as for everyone;
    /// the person gets the same confirmation mail with their own link.

    @Sendable static func addPerson(req: Request) async throws -> Response {
        let session = try await ClassQueries.managedClass(req)
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
        let session = try await ClassQueries.managedClass(req)
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
        field(error: error, choices: candidates.map(label))
    }

    /// The field from the candidates' labels ("Name (email)").
    static func field(error: String?, choices: [String]) -> BodyNode {
        // Named "email" as before: scripts that post an address keep working.
        FormHTML.suggestionField(
            name: "email", label: "Add a trainer", error: error,
            hint: choices.isEmpty
                ? "No other trainer accounts yet: invite one first (People and roles)."
                : "Start typing their name and pick it from the list of trainers and coordinators (\(choices.count) account\(choices.count == 1 ? "" : "s")).",
            suggestions: choices, listID: "trainer-choices")
    }
}
