import Fluent
import Vapor
import Plot
import CITDomain

/// The trainer's attendance sheet, made for a tablet in a classroom: one agenda block at
/// a time, the roster, a few large buttons per trainee.
///
/// Every tap becomes an `AttendanceEntry` with an id made on the device. With the script,
/// taps are queued in the browser (localStorage) and sent in batches, so a dropped
/// connection loses nothing and a resend doubles nothing; without it, each button is a
/// plain form that records one entry.
enum AttendanceController {
    static func register(on protected: ProtectedRoutesBuilder, app: Application) {
        protected.get(SiteURL.attendance(.key), .teachOwnClasses, use: sheet)
        protected.post(SiteURL.attendanceMark(.key), .teachOwnClasses, use: mark)
        protected.post(SiteURL.attendanceSync(.key), .teachOwnClasses, use: sync)
        protected.get(SiteURL.teaching, .teachOwnClasses, use: teaching)
        let js = HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])
        Assets.serve(AttendanceAssets.script, at: .attendanceScript, type: js, on: app)
        Assets.serve(
            AttendanceAssets.stylesheet, at: .attendanceStylesheet,
            type: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"]), on: app)
    }

    // MARK: recording one entry

    /// What a device sends for one tap.
    struct EntryInput: Content {
        var id: String
        var registration: String
        var block: Int
        var kind: String
        var at: String?
        var minutes: Int?
        var text: String?
    }

    enum Outcome: Equatable {
        case saved, duplicate
        case refused(String)

        var status: String {
            switch self {
            case .saved: "saved";
            case .duplicate: "duplicate";
            case .refused: "refused"
            }
        }
        var message: String? { if case let .refused(why) = self { why } else { nil } }
    }

    /// The kinds a trainer may send; an excused make-up is the coordinator's, with a reason.
    static let trainerKinds: Set<AttendanceEntry.Kind> = [.checkIn, .checkOut, .present, .absent, .minutes, .note]

    static func record(
        _ input: EntryInput, session: ClassSession, confirmed: Set<UUID>, recorder: User, on db: any Database, now: Date = Date()
    ) async throws -> Outcome {
        guard let id = UUID(uuidString: input.id) else { return .refused("The entry has no valid id.") }
        if try await AttendanceEntry.find(id, on: db) != nil { return .duplicate }
        guard let registrationID = UUID(uuidString: input.registration), confirmed.contains(registrationID) else {
            return .refused("That person is not on this class's confirmed roster.")
        }
        let agenda = session.agenda
        guard agenda.indices.contains(input.block) else { return .refused("That block is not on the agenda.") }
        let block = agenda[input.block]
        if block.isBreak { return .refused("“\(block.title)” is a break; breaks are not counted.") }
        guard let kind = AttendanceEntry.Kind(rawValue: input.kind), trainerKinds.contains(kind) else {
            return .refused("Unknown kind of entry.")
        }
        var happenedAt = now
        if let at = input.at, !at.isEmpty {
            guard let parsed = try? Date(at, strategy: .iso8601) else {
                return .refused("The time of the entry is not a valid date and time.")
            }
            happenedAt = parsed
        }
        // A device clock off by days would put entries outside the class; a week either
        // side allows for entering attendance after the fact, from paper.
        let week: TimeInterval = 7 * 86_400
        guard happenedAt >= session.startsAt.addingTimeInterval(-week), happenedAt <= session.endsAt.addingTimeInterval(week) else {
            return .refused("The time of the entry is not near this class's dates. Check the device's clock.")
        }
        var minutes: Int?
        var text: String?
        switch kind {
        case .minutes:
            guard let value = input.minutes else { return .refused("Enter the minutes attended.") }
            do { try AttendanceHours.validate(minutes: value, block: block) } catch { return .refused(String(describing: error)) }
            minutes = value
        case .note:
            let value = (input.text ?? "").replacingOccurrences(of: "\0", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
            if let problem = TrainingFormat.plainText(value, limit: 500) { return .refused("Note: \(problem)") }
            text = value
        case .checkOut:
            let existing = try await AttendanceEntry.query(on: db).filter(\.$classSession.$id == session.id!)
                .filter(\.$registration.$id == registrationID).filter(\.$blockIndex == input.block).all()
            let state = ClassAttendance(entries: existing, agenda: agenda)
            guard let open = state.openCheckIns[registrationID]?[input.block] else {
                return .refused("There is no check-in to close. Check the person in first.")
            }
            do { try AttendanceHours.validate(AttendanceSpan(checkIn: open, checkOut: happenedAt)) } catch {
                return .refused(
                    "Check-out at \(ClassFormat.time(happenedAt, session.zone)) is not after the check-in at \(ClassFormat.time(open, session.zone))."
                )
            }
        default:
            break
        }
        let entry = AttendanceEntry()
        entry.id = id
        entry.$classSession.id = session.id!
        entry.$registration.id = registrationID
        entry.blockIndex = input.block
        entry.kind = kind
        entry.happenedAt = happenedAt
        entry.minutes = minutes
        entry.text = text
        entry.recordedBy = recorder.email
        do {
            try await entry.create(on: db)
        } catch {
            // Two sends of the same entry raced; the unique id kept one.
            if try await AttendanceEntry.find(id, on: db) != nil { return .duplicate }
            throw error
        }
        return .saved
    }

    static func confirmedRoster(_ session: ClassSession, on db: any Database) async throws -> [Registration] {
        try await Registration.query(on: db).filter(\.$classSession.$id == session.id!).filter(\.$status == .confirmed).sort(\.$name).all()
    }

    /// Attendance is a record about a person: each stored tap is in the audit log, who
    /// recorded what for whom (issue 13). Resends of a stored tap are not taps.
    static func auditTap(_ req: Request, _ input: EntryInput, session: ClassSession) async throws {
        try await req.audit.record(
            "attendance.recorded", entityType: "class", entityID: session.id!.uuidString,
            details: "registration \(input.registration), block \(input.block), \(input.kind)"
                + (input.minutes.map { ", \($0) minutes" } ?? ""))
    }

    // MARK: JSON sync

    struct SyncRequest: Content { var entries: [EntryInput] }
    /// Per entry: what became of it, and the person's block as the server now has it
    /// (`state` in words, `mark` the button to show pressed), so the sheet shows what
    /// was stored, not what the device guessed.
    struct SyncResult: Content {
        var id: String; var status: String; var message: String?; var state: String? = nil; var mark: String? = nil
    }
    struct SyncResponse: Content { var results: [SyncResult] }

    @Sendable static func sync(req: Request) async throws -> Response {
        let session = try await TrainingAccess.taughtClass(req)
        guard let body = try? req.content.decode(SyncRequest.self) else {
            throw Abort(.badRequest, reason: "Send {\"entries\": [...]} as JSON.")
        }
        guard body.entries.count <= 500 else { throw Abort(.payloadTooLarge, reason: "Send at most 500 entries at a time.") }
        let user = try req.auth.require(User.self)
        let confirmed = Set(try await confirmedRoster(session, on: req.db).compactMap(\.id))
        var results: [SyncResult] = []
        // In the order they were tapped: a check-out needs its check-in stored first.
        for input in body.entries {
            let outcome = try await record(input, session: session, confirmed: confirmed, recorder: user, on: req.db)
            if outcome == .saved { try await auditTap(req, input, session: session) }
            results.append(SyncResult(id: input.id, status: outcome.status, message: outcome.message))
        }
        let agenda = session.agenda
        let attendance = ClassAttendance(entries: try await ClassAttendance.load(classID: session.id!, on: req.db), agenda: agenda)
        for (i, input) in body.entries.enumerated() {
            guard let registration = UUID(uuidString: input.registration), confirmed.contains(registration),
                agenda.indices.contains(input.block), !agenda[input.block].isBreak
            else { continue }
            results[i].state = stateText(
                of: attendance.block(input.block, for: registration), open: attendance.openCheckIns[registration]?[input.block],
                block: agenda[input.block], zone: session.zone)
            results[i].mark = attendance.lastMark[registration]?[input.block]?.rawValue ?? ""
        }
        let response = try await SyncResponse(results: results).encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    // MARK: plain form (no script)

    @Sendable static func mark(req: Request) async throws -> Response {
        let session = try await TrainingAccess.taughtClass(req)
        let form = FormValues(req)
        let block = Int(form.trimmed("block")) ?? -1
        let input = EntryInput(
            id: UUID(uuidString: form.trimmed("entry_id"))?.uuidString ?? UUID().uuidString,
            registration: form.trimmed("registration"), block: block, kind: form.trimmed("kind"),
            at: nil, minutes: Int(form.trimmed("minutes")), text: form["text"])
        if input.kind == AttendanceEntry.Kind.minutes.rawValue, input.minutes == nil, !form.trimmed("minutes").isEmpty {
            return try await sheetPage(
                req, session: session, block: block, rowError: (input.registration, "Minutes must be a whole number."),
                status: .unprocessableEntity)
        }
        let confirmed = Set(try await confirmedRoster(session, on: req.db).compactMap(\.id))
        let outcome = try await record(input, session: session, confirmed: confirmed, recorder: try req.auth.require(User.self), on: req.db)
        if case let .refused(why) = outcome {
            return try await sheetPage(
                req, session: session, block: block, rowError: (input.registration, why), status: .unprocessableEntity)
        }
        if outcome == .saved { try await auditTap(req, input, session: session) }
        return req.redirect(
            to: SiteURL.attendancePath(session.id!, block: block) + "#row-\(input.registration.lowercased())", redirectType: .normal)
    }

    // MARK: the sheet

    @Sendable static func sheet(req: Request) async throws -> Response {
        let session = try await TrainingAccess.taughtClass(req)
        let block = req.query[Int.self, at: "block"] ?? defaultBlock(session.agenda)
        return try await sheetPage(req, session: session, block: block, rowError: nil, status: .ok)
    }

    /// The block happening now, else the next one, else the first teaching block.
    static func defaultBlock(_ agenda: [AgendaBlock], now: Date = Date()) -> Int {
        let teaching = agenda.indices.filter { !agenda[$0].isBreak }
        if let current = teaching.first(where: { agenda[$0].start <= now && now < agenda[$0].end }) { return current }
        if let next = teaching.first(where: { agenda[$0].start > now }) { return next }
        return teaching.first ?? 0
    }

    static func stateText(of attendance: BlockAttendance?, open: Date?, block: AgendaBlock, zone: TimeZone) -> String {
        var parts: [String] = []
        if let reason = attendance?.excusedMakeUp {
            parts.append("Excused make-up: \(reason)")
        } else if let minutes = attendance?.minutes {
            let whole = Int(block.end.timeIntervalSince(block.start) / 60)
            parts.append(minutes == 0 ? "Absent" : minutes >= whole ? "Present, whole block" : "\(minutes) of \(whole) minutes")
        }
        for span in attendance?.spans ?? [] where !(open != nil && span.checkOut == block.end) {
            parts.append("In \(ClassFormat.time(span.checkIn, zone)), out \(ClassFormat.time(span.checkOut, zone))")
        }
        if let open { parts.append("In since \(ClassFormat.time(open, zone))") }
        return parts.isEmpty ? "Not recorded yet" : parts.joined(separator: "; ")
    }

    static func sheetPage(
        _ req: Request, session: ClassSession, block requested: Int, rowError: (String, String)?, status: HTTPResponseStatus
    ) async throws -> Response {
        let agenda = session.agenda
        guard !agenda.isEmpty else { throw Abort(.notFound, reason: "This class has no agenda.") }
        let index = agenda.indices.contains(requested) ? requested : defaultBlock(agenda)
        let block = agenda[index]
        let zone = session.zone
        let roster = try await confirmedRoster(session, on: req.db)
        let attendance = ClassAttendance(entries: try await ClassAttendance.load(classID: session.id!, on: req.db), agenda: agenda)
        let blockMinutes = Int(block.end.timeIntervalSince(block.start) / 60)
        let csrf = req.csrfToken
        let action = SiteURL.attendanceMark(.value(session.id!)).path
        // The button tapped last is pressed (aria-pressed, a tick and a filled style), and
        // the state line says the same in words: never colour alone.
        func button(_ registration: UUID, _ kind: AttendanceEntry.Kind, _ title: String, pressed: Bool) -> BodyNode {
            FormHTML.form(
                action: action, csrf: csrf,
                [
                    .input(.type(.hidden), .name("registration"), .value(registration.uuidString.lowercased())),
                    .input(.type(.hidden), .name("block"), .value(String(index))),
                    .input(.type(.hidden), .name("kind"), .value(kind.rawValue)),
                    .button(
                        .type(.submit), .class("button secondary mark"), .attribute(named: "data-kind", value: kind.rawValue),
                        .attribute(named: "aria-pressed", value: pressed ? "true" : "false"), .text(title)),
                ])
        }
        let rows: [Node<HTML.ListContext>] = roster.map { registration in
            let rid = registration.id!
            let key = rid.uuidString.lowercased()
            let open = attendance.openCheckIns[rid]?[index]
            let error = rowError.flatMap { $0.0.lowercased() == key ? $0.1 : nil }
            let note = attendance.notes[rid]?[index]
            let mark = attendance.lastMark[rid]?[index]
            let typedMinutes = mark == .minutes ? attendance.block(index, for: rid)?.minutes : nil
            return .li(
                .class(error == nil ? "trainee" : "trainee has-error"), .id("row-\(key)"),
                .attribute(named: "data-registration", value: key),
                .div(
                    .class("who"),
                    .h2(.text(registration.name)),
                    .p(.class("org"), .text(registration.organization)),
                    .p(
                        .class("state"), .id("state-\(key)"),
                        .span(.class("state-label"), .text("This block: ")),
                        .span(
                            .class("state-text"),
                            .text(stateText(of: attendance.block(index, for: rid), open: open, block: block, zone: zone))),
                        .text(" "),
                        .span(.class("sync-mark saved"), .text(mark == nil && note == nil ? "" : "Saved"))),
                    .unwrap(note) { .p(.class("note-text"), .text("Note: \($0)")) },
                    .unwrap(error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) }),
                .div(
                    .class("actions"),
                    button(rid, .checkIn, "Check in", pressed: mark == .checkIn),
                    button(rid, .checkOut, "Check out", pressed: mark == .checkOut),
                    button(rid, .present, "Present, whole block", pressed: mark == .present),
                    button(rid, .absent, "Absent", pressed: mark == .absent)),
                .div(
                    .class("inline-forms"),
                    FormHTML.form(
                        action: action, csrf: csrf,
                        [
                            .input(.type(.hidden), .name("registration"), .value(key)),
                            .input(.type(.hidden), .name("block"), .value(String(index))),
                            .input(.type(.hidden), .name("kind"), .value("minutes")),
                            .label(.for("minutes-\(key)"), .text("Minutes attended (of \(blockMinutes))")),
                            .input(
                                .type(.number), .id("minutes-\(key)"), .name("minutes"), .attribute(named: "min", value: "0"),
                                .attribute(named: "max", value: String(blockMinutes)), .attribute(named: "inputmode", value: "numeric"),
                                .value(typedMinutes.map(String.init) ?? "")),
                            .button(
                                .type(.submit), .class("button secondary"), .attribute(named: "data-kind", value: "minutes"),
                                .text("Save minutes")),
                        ]),
                    FormHTML.form(
                        action: action, csrf: csrf,
                        [
                            .input(.type(.hidden), .name("registration"), .value(key)),
                            .input(.type(.hidden), .name("block"), .value(String(index))),
                            .input(.type(.hidden), .name("kind"), .value("note")),
                            .label(.for("note-\(key)"), .text("Note")),
                            .input(.type(.text), .id("note-\(key)"), .name("text"), .attribute(named: "maxlength", value: "500")),
                            .button(
                                .type(.submit), .class("button secondary"), .attribute(named: "data-kind", value: "note"),
                                .text("Save note")),
                        ])))
        }
        let teaching = agenda.indices.filter { !agenda[$0].isBreak }
        let position = teaching.firstIndex(of: index)
        let previous = position.flatMap { $0 > 0 ? teaching[$0 - 1] : nil }
        let next = position.flatMap { $0 + 1 < teaching.count ? teaching[$0 + 1] : nil }
        let page = Page(
            title: "Attendance: \(session.title)", chrome: req.chrome(),
            main: [
                .p(.a(.href(SiteURL.classPage(.value(session.id!)).path), .text("← \(session.title)"))),
                .h1(.text("Attendance")),
                .p(
                    .class("block-now"), .strong(.text(TrainingFormat.blockLabel(block, zone: zone))),
                    .text(" · \(TrainingFormat.hours(block.hours)) hours")),
                .element(
                    named: "form",
                    nodes: [
                        .attribute(named: "method", value: "get"),
                        .attribute(named: "action", value: SiteURL.attendance(.value(session.id!)).path), .class("block-picker"),
                        .label(.for("block"), .text("Agenda block")),
                        .element(
                            named: "select",
                            nodes: [
                                .id("block"), .attribute(named: "name", value: "block"),
                                .forEach(teaching) { i in
                                    .element(
                                        named: "option",
                                        nodes: [
                                            .attribute(named: "value", value: String(i)),
                                            .if(i == index, .attribute(named: "selected", value: "selected")),
                                            .text(TrainingFormat.blockLabel(agenda[i], zone: zone)),
                                        ])
                                },
                            ]),
                        .button(.type(.submit), .class("button secondary"), .text("Show")),
                    ]),
                .p(
                    .class("block-nav"),
                    .unwrap(previous) {
                        .a(.class("button secondary"), .href(SiteURL.attendancePath(session.id!, block: $0)), .text("← Previous block"))
                    },
                    .unwrap(next) {
                        .a(.class("button secondary"), .href(SiteURL.attendancePath(session.id!, block: $0)), .text("Next block →"))
                    }),
                .p(
                    .id("sync-status"), .class("sync-status"), .attribute(named: "role", value: "status"),
                    .attribute(named: "aria-live", value: "polite"),
                    .text("Each tap is saved on the server.")),
                .if(roster.isEmpty, .p(.text("No one is confirmed in this class yet."))),
                .ul(
                    .class("attendance"), .id("attendance"),
                    .attribute(named: "data-class", value: session.id!.uuidString.lowercased()),
                    .attribute(named: "data-sync", value: SiteURL.attendanceSync(.value(session.id!)).path),
                    .attribute(named: "data-csrf", value: csrf.attributeEscaped),
                    .attribute(named: "data-block", value: String(index)),
                    .attribute(named: "data-block-minutes", value: String(blockMinutes)),
                    .group(rows)),
            ], scripts: [AttendanceAssets.scriptPath], stylesheets: [AttendanceAssets.stylesheetPath], bodyClass: "tablet")
        return htmlResponse(page, status: status)
    }

    // MARK: trainers' classes and assignment

    @Sendable static func teaching(req: Request) async throws -> Response {
        let user = try req.auth.require(User.self)
        let assigned = try await ClassTrainer.query(on: req.db).filter(\.$user.$id == user.id!).all().map { $0.$classSession.id }
        var query = ClassSession.query(on: req.db).with(\.$course).sort(\.$startsAt)
        if case .only(let coordinated) = CITDomain.Scope.programs(user.accessHolder, for: .manage) {
            query = query.group(.or) { group in
                group.filter(\.$id ~~ assigned)
                group.filter(\.$program.$id ~~ Array(coordinated))
            }
        }
        let classes = try await query.all()
        let page = Page(
            title: "Classes you teach", chrome: req.chrome(),
            main: [
                .h1(.text("Classes you teach")),
                .if(
                    classes.isEmpty,
                    .p(.text("You are not assigned to any class yet. A program coordinator adds trainers on the class roster page."))),
                .ul(
                    .class("class-list"),
                    .forEach(classes) { session in
                        .li(
                            .h2(.a(.href(SiteURL.classPage(.value(session.id!)).path), .text(session.title))),
                            .p(.text("\(ClassFormat.dates(session)) · \(session.venueName)")),
                            .p(
                                .a(.class("button"), .href(SiteURL.attendance(.value(session.id!)).path), .text("Attendance")), .text(" "),
                                .a(
                                    .class("button secondary"), .href(SiteURL.evaluations(.value(session.id!)).path),
                                    .text("Role-play scores"))))
                    }),
            ])
        return htmlResponse(page)
    }
}
