import Vapor
import Fluent
import Plot
import CITDomain

/// Coordinators' side of classes: create a class with its agenda, see the roster and
/// waitlist, cancel a place.
enum ClassesStaffController {
    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get("/programs/:id/classes/new", .manageOwnClasses, use: newForm)
        protected.post("/programs/:id/classes/new", .manageOwnClasses, use: create)
        protected.get("/classes/:id/roster", .manageOwnClasses, use: roster)
        protected.post("/classes/:id/registrations/:registration/cancel", .manageOwnClasses, use: cancelRegistration)
    }

    /// Administrators run any program's classes; coordinators those of their programs.
    static func mayManage(_ user: User, programID: UUID) -> Bool {
        user.can(.editAllPrograms) || user.holds(.programCoordinator, for: programID)
    }

    static func managedProgram(_ req: Request) async throws -> Program {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let program = try await Program.find(id, on: req.db), program.mergedInto == nil
        else { throw Abort(.notFound, reason: "There is no program at this address.") }
        guard mayManage(try req.auth.require(User.self), programID: id) else { throw Abort(.forbidden, reason: "You can add classes only to the programs you coordinate.") }
        return program
    }

    // MARK: agenda text

    /// One line per block: `2027-03-15 08:00-12:00 Overview of mental illnesses #mental-illness-overview`.
    /// A title starting with "Break" or "Lunch" (or the tag #break) does not count toward hours.
    static func parseAgenda(_ text: String, timeZone: TimeZone) -> ([AgendaBlock], [String]) {
        var blocks: [AgendaBlock] = []
        var problems: [String] = []
        let pattern = #"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s+(.+)$"#
        for (index, raw) in text.components(separatedBy: .newlines).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let regex = try? NSRegularExpression(pattern: pattern),
                  let match = regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)), match.numberOfRanges == 5 else {
                problems.append("Line \(index + 1): write it as 2027-03-15 08:00-12:00 Title")
                continue
            }
            func group(_ i: Int) -> String { String(line[Range(match.range(at: i), in: line)!]) }
            let day = group(1)
            var title = group(4).trimmingCharacters(in: .whitespaces)
            var topic: String?
            if let hash = title.range(of: #"#[a-z0-9-]+$"#, options: .regularExpression) {
                topic = String(title[hash].dropFirst())
                title = title[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            let isBreak = topic == "break" || title.lowercased().hasPrefix("break") || title.lowercased().hasPrefix("lunch")
            if topic == "break" { topic = nil }
            if let code = topic, CourseCatalog.topic(code: code) == nil {
                problems.append("Line \(index + 1): #\(code) is not a topic code (see the list below the agenda).")
                continue
            }
            guard title.count <= 200, !title.contains(where: { $0 == "<" || $0 == ">" }) else {
                problems.append("Line \(index + 1): the title must be plain text of at most 200 characters.")
                continue
            }
            // An end earlier on the clock than the start runs past midnight, in the venue's zone.
            guard let (start, end) = ClassTimes.interval(day: day, start: group(2), end: group(3), timeZone: timeZone) else {
                problems.append("Line \(index + 1): \(day) \(group(2))-\(group(3)) is not a real local time.")
                continue
            }
            blocks.append(AgendaBlock(title: title.isEmpty ? "Session" : title, topicCode: topic, start: start, end: end, isBreak: isBreak))
        }
        return (blocks, problems)
    }

    // MARK: new class

    struct Input {
        var course = "CIT", title = "", venueName = "", venueAddress = "", venueZIP = "", capacity = "30", defaultAgencyLimit = ""
        var agencyLimits = "", closes = "", trainers = "", agenda = ""
    }

    @Sendable static func newForm(req: Request) async throws -> Response {
        let program = try await managedProgram(req)
        return try await formPage(req, program: program, input: Input(), errors: [:], status: .ok)
    }

    static func formPage(_ req: Request, program: Program, input: Input, errors: [String: String], status: HTTPResponseStatus) async throws -> Response {
        let courses = try await Course.query(on: req.db).sort(\.$requiredHours, .descending).all()
        let labels = ["course": "Course", "title": "Title", "venue_name": "Venue", "venue_address": "Venue address", "venue_zip": "Venue ZIP code",
                      "capacity": "Seats", "default_agency_limit": "Seats per agency", "agency_limits": "Limits for particular agencies",
                      "closes": "Registration closes", "trainers": "Trainers", "agenda": "Agenda"]
        let order = ["course", "title", "venue_name", "venue_address", "venue_zip", "capacity", "default_agency_limit", "agency_limits", "closes", "trainers", "agenda"]
        func textarea(_ name: String, _ value: String, hint: String, rows: Int = 6, required: Bool = false) -> BodyNode {
            FormHTML.textarea(name: name, label: labels[name]!, value: value, error: errors[name], hint: hint, rows: rows, required: required)
        }
        let page = Page(title: "New class", chrome: req.chrome(), main: [
            .p(.a(.href(SiteURL.program(program.id!.uuidString)), .text("← \(program.name)"))),
            .h1(.text("New class for \(program.name)")),
            FormHTML.errorSummary(errors, order: order, labels: labels),
            FormHTML.form(action: ClassURL.newClass(programID: program.id!.uuidString), csrf: req.csrfToken, [
                FormHTML.select(name: "course", label: labels["course"]!, options: courses.map { ($0.code, "\($0.title) (\(ClassMail.hours($0.requiredHours)) hours)") }, selected: input.course, error: errors["course"]),
                FormHTML.field(.init(name: "title", label: labels["title"]!, value: input.title, error: errors["title"], hint: "Shown in the class list, e.g. “CIT Academy, spring 2027”. Leave empty to use the course name.", required: false)),
                FormHTML.field(.init(name: "venue_name", label: labels["venue_name"]!, value: input.venueName, error: errors["venue_name"])),
                FormHTML.field(.init(name: "venue_address", label: labels["venue_address"]!, value: input.venueAddress, error: errors["venue_address"])),
                FormHTML.field(.init(name: "venue_zip", label: labels["venue_zip"]!, value: input.venueZIP, error: errors["venue_zip"], hint: "Sets the county and the distance people see.")),
                FormHTML.field(.init(name: "capacity", label: labels["capacity"]!, type: "number", value: input.capacity, error: errors["capacity"])),
                FormHTML.field(.init(name: "default_agency_limit", label: labels["default_agency_limit"]!, type: "number", value: input.defaultAgencyLimit, error: errors["default_agency_limit"], hint: "The most seats one agency may hold. Empty: no limit.", required: false)),
                textarea("agency_limits", input.agencyLimits, hint: "One per line, e.g. “Madison Police Department: 6”.", rows: 3),
                FormHTML.field(.init(name: "closes", label: labels["closes"]!, type: "date", value: input.closes, error: errors["closes"], hint: "Empty: open until the class starts.", required: false)),
                FormHTML.field(.init(name: "trainers", label: labels["trainers"]!, value: input.trainers, error: errors["trainers"], required: false)),
                textarea("agenda", input.agenda, hint: "One block per line, local time: “2027-03-15 08:00-12:00 Overview of mental illnesses #mental-illness-overview”. Lunch and breaks (a title starting with Lunch or Break) do not count. The teaching time must add up to the course's hours.", rows: 14, required: true),
                FormHTML.submit("Create class"),
            ]),
            .h2(.text("Topic codes")),
            .ul(.forEach(CourseCatalog.topics) { .li(.code(.text("#" + $0.code)), .text(" " + $0.title)) }),
        ])
        return htmlResponse(page, status: status)
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let program = try await managedProgram(req)
        let form = FormValues(req)
        let input = Input(course: form["course"], title: form.trimmed("title"), venueName: form.trimmed("venue_name"), venueAddress: form.trimmed("venue_address"),
                          venueZIP: form.trimmed("venue_zip"), capacity: form.trimmed("capacity"), defaultAgencyLimit: form.trimmed("default_agency_limit"),
                          agencyLimits: form["agency_limits"], closes: form.trimmed("closes"), trainers: form.trimmed("trainers"), agenda: form["agenda"])
        var errors: [String: String] = [:]
        let course = try await Course.query(on: req.db).filter(\.$code == input.course).first()
        if course == nil { errors["course"] = "Choose a course." }
        for (key, value, label, max) in [("title", input.title, "title", 200), ("venue_name", input.venueName, "venue", 200), ("venue_address", input.venueAddress, "address", 300), ("trainers", input.trainers, "trainers", 300)] {
            if value.count > max { errors[key] = "At most \(max) characters." }
            else if value.contains(where: { $0 == "<" || $0 == ">" }) { errors[key] = "< and > are not allowed." }
            else if value.isEmpty && (key == "venue_name" || key == "venue_address") { errors[key] = "Enter the \(label)." }
        }
        let index = try await req.application.searchIndex.snapshot(on: req.db)
        var countyFIPS: String?
        if !ZIPCode.isWellFormed(input.venueZIP) { errors["venue_zip"] = "A ZIP code has 5 digits." }
        else if let entry = index.zips[input.venueZIP]?.first(where: \.isPrimary) ?? index.zips[input.venueZIP]?.first { countyFIPS = entry.countyFIPS }
        else { errors["venue_zip"] = "ZIP code \(input.venueZIP) is not in this state's list." }
        let capacity = Int(input.capacity)
        if capacity == nil || capacity! < 1 || capacity! > 1000 { errors["capacity"] = "A number of seats from 1 to 1000." }
        var defaultLimit: Int?
        if !input.defaultAgencyLimit.isEmpty {
            if let value = Int(input.defaultAgencyLimit), value >= 1, value <= (capacity ?? 1000) { defaultLimit = value }
            else { errors["default_agency_limit"] = "A number from 1 to the number of seats." }
        }
        var limits: [(String, Int)] = []
        for line in input.agencyLimits.components(separatedBy: .newlines).map({ $0.trimmingCharacters(in: .whitespaces) }) where !line.isEmpty {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, !parts[0].isEmpty, parts[0].count <= 200, !parts[0].contains(where: { $0 == "<" || $0 == ">" }), let n = Int(parts[1]), n >= 0, n <= (capacity ?? 1000) {
                limits.append((parts[0], n))
            } else {
                errors["agency_limits"] = "Write each limit as “Agency name: number”. This line is not: \(String(line.prefix(60)))"
            }
        }
        let zone = TimeZone(identifier: req.application.settings.timeZone) ?? TimeZone(identifier: "America/Chicago")!
        var closes: Date?
        if !input.closes.isEmpty {
            if let date = ClassTimes.date(day: input.closes, time: "23:59", timeZone: zone) { closes = date } else { errors["closes"] = "A date like 2027-03-01." }
        }
        let (blocks, lineProblems) = parseAgenda(input.agenda, timeZone: zone)
        if !lineProblems.isEmpty {
            errors["agenda"] = lineProblems.prefix(5).joined(separator: " ")
        } else if let course {
            let problems = AgendaValidation.problems(blocks, requiredHours: course.requiredHours, courseName: course.code)
            if !problems.isEmpty { errors["agenda"] = problems.map { $0.description(courseName: course.code) }.joined(separator: " ") }
            else if let first = blocks.map(\.start).min(), first <= Date() { errors["agenda"] = "The class must start in the future." }
        }
        guard errors.isEmpty, let course, let capacity, let countyFIPS,
              let startsAt = blocks.map(\.start).min(), let endsAt = blocks.map(\.end).max()
        else { return try await formPage(req, program: program, input: input, errors: errors, status: .unprocessableEntity) }

        let session = ClassSession()
        session.$program.id = program.id!
        session.$course.id = course.id!
        session.title = input.title.isEmpty ? course.title : input.title
        session.venueName = input.venueName
        session.venueAddress = input.venueAddress
        session.venueZIP = input.venueZIP
        session.countyFIPS = countyFIPS
        session.timeZone = zone.identifier
        session.capacity = capacity
        session.defaultAgencyLimit = defaultLimit
        session.registrationClosesAt = closes
        session.trainers = input.trainers
        session.agendaJSON = String(decoding: try JSONEncoder().encode(blocks.sorted { $0.start < $1.start }), as: UTF8.self)
        session.startsAt = startsAt
        session.endsAt = endsAt
        session.status = .scheduled
        session.registrationSequence = 0
        let agencyLimits = limits
        try await req.db.transaction { tx in
            try await session.create(on: tx)
            for (name, limit) in agencyLimits { try await ClassAgencyLimit(classID: session.id!, agencyName: name, limit: limit).create(on: tx) }
            try await req.audit.record("class.created", entityType: "class", entityID: session.id?.uuidString,
                                       details: "\(course.code) \(session.title), \(capacity) seats, program \(program.name)", on: tx)
        }
        req.application.pageCache.invalidateAll()
        return req.redirect(to: ClassURL.classPage(session.id!), redirectType: .normal)
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

    static func rosterPage(_ req: Request, session: ClassSession, trainerError: String?, status: HTTPResponseStatus) async throws -> Response {
        let trainers = try await ClassTrainer.query(on: req.db).filter(\.$classSession.$id == session.id!).with(\.$user).all().map(\.user)
        let registrations = try await Registration.query(on: req.db).filter(\.$classSession.$id == session.id!).sort(\.$sequence).all()
        let confirmed = registrations.filter { $0.status == .confirmed }
        let waiting = try await RegistrationService.waitlist(classID: session.id!, on: req.db)
        let cancelled = registrations.filter { $0.status == .cancelled }
        func table(_ rows: [Registration], positions: Bool, cancellable: Bool) -> BodyNode {
            .div(.class("table-scroll"), .table(
                .tr(.if(positions, .th(.text("#"))), .th(.text("Name")), .th(.text("Organization")), .th(.text("Role")), .th(.text("Email")), .th(.text("Phone")), .if(cancellable, .th(.text("Action")))),
                .forEach(Array(rows.enumerated())) { index, r in
                    .tr(.if(positions, .td(.text(String(index + 1)))), .td(.text(r.name)), .td(.text(r.organization)), .td(.text(r.audience.label)),
                        .td(.text(r.email)), .td(.text(r.phone)),
                        .if(cancellable, .td(FormHTML.form(action: ClassURL.coordinatorCancel(session.id!, r.id!), csrf: req.csrfToken, [FormHTML.submit("Cancel place", secondary: true)]))))
                }))
        }
        let page = Page(title: "Roster: \(session.title)", chrome: req.chrome(), main: [
            .p(.a(.href(ClassURL.classPage(session.id!)), .text("← \(session.title)"))),
            .h1(.text("Roster: \(session.title)")),
            .p(.text("\(ClassFormat.dates(session)) · \(confirmed.count) of \(session.capacity) seats taken · \(waiting.count) waiting")),
            .p(.class("block-nav"),
               .a(.class("button"), .href(TrainingURL.attendance(session.id!)), .text("Attendance")),
               .a(.class("button secondary"), .href(TrainingURL.evaluations(session.id!)), .text("Role-play scores")),
               .a(.class("button secondary"), .href(TrainingURL.completion(session.id!)), .text("Completion and certificates"))),
            .h2(.text("Trainers")),
            .if(trainers.isEmpty, .p(.text("No trainer accounts are assigned yet. Assigned trainers take attendance and score role-plays in this class only."))),
            .ul(.forEach(trainers) { .li(.text("\($0.name) (\($0.email))")) }),
            FormHTML.form(action: TrainingURL.trainers(session.id!), csrf: req.csrfToken, [
                FormHTML.field(.init(name: "email", label: "Add a trainer by email", type: "email", error: trainerError, hint: "They need a trainer account (People and roles).")),
                FormHTML.submit("Add trainer", secondary: true),
            ]),
            .h2(.text("Confirmed (\(confirmed.count))")), table(confirmed, positions: false, cancellable: true),
            .h2(.text("Waitlist (\(waiting.count))")), table(waiting, positions: true, cancellable: true),
            .h2(.text("Cancelled (\(cancelled.count))")), table(cancelled, positions: false, cancellable: false),
        ])
        return htmlResponse(page, status: status)
    }

    @Sendable static func cancelRegistration(req: Request) async throws -> Response {
        let session = try await managedClass(req)
        guard let id = req.parameters.get("registration").flatMap(UUID.init(uuidString:)),
              let registration = try await Registration.find(id, on: req.db), registration.$classSession.id == session.id
        else { throw Abort(.notFound, reason: "That registration is not in this class.") }
        try await RegistrationService.cancel(registrationID: registration.id!, by: try req.auth.require(User.self).email, request: req)
        req.application.pageCache.invalidate(prefix: SiteURL.classes)
        return req.redirect(to: ClassURL.roster(session.id!), redirectType: .normal)
    }
}
