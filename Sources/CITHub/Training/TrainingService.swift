import Fluent
import Vapor
import CITDomain

/// Who may do what in one class. The role matrix lets a trainer into the attendance
/// pages at all; this decides which classes.
enum TrainingAccess {
    /// Coordinators of the class's program (and administrators) run it; trainers assigned
    /// to it teach it.
    static func mayTeach(_ user: User, session: ClassSession, on db: any Database) async throws -> Bool {
        let trainers = try await ClassTrainer.query(on: db).filter(\.$classSession.$id == session.id!).all().map { $0.$user.id }
        return user.may(.teach, .classSession(programID: session.$program.id, trainerIDs: Set(trainers))).isAllowed
    }

    /// The class at `:id`, or 404; then 403 unless the user teaches it.
    static func taughtClass(_ req: Request) async throws -> ClassSession {
        let session = try await ClassesPublicController.findClass(req)
        guard try await mayTeach(try req.auth.require(User.self), session: session, on: req.db) else {
            throw Abort(.forbidden, reason: "You can take attendance and score role-plays only in the classes you teach.")
        }
        return session
    }
}

/// A trainee's attendance in one class, block by block, from the entries in the order
/// they happened.
struct ClassAttendance {
    /// Registration id → the per-block attendance the domain rules read.
    var byRegistration: [UUID: [BlockAttendance]] = [:]
    /// Registration id → block index → the latest note.
    var notes: [UUID: [Int: String]] = [:]
    /// Registration id → block index → check-in still open (no check-out yet).
    var openCheckIns: [UUID: [Int: Date]] = [:]
    /// Registration id → block index → the button the trainer tapped last (check in,
    /// check out, present, absent, or minutes typed): what the sheet shows as pressed.
    var lastMark: [UUID: [Int: AttendanceEntry.Kind]] = [:]

    static func load(classID: UUID, on db: any Database) async throws -> [AttendanceEntry] {
        try await AttendanceEntry.query(on: db).filter(\.$classSession.$id == classID).all()
    }

    init(entries: [AttendanceEntry], agenda: [AgendaBlock]) {
        let ordered = entries.sorted {
            ($0.happenedAt, $0.recordedAt ?? .distantPast) < ($1.happenedAt, $1.recordedAt ?? .distantPast)
        }
        var state: [UUID: [Int: BlockAttendance]] = [:]
        for entry in ordered where agenda.indices.contains(entry.blockIndex) {
            let registration = entry.$registration.id
            let index = entry.blockIndex
            let block = agenda[index]
            var attendance = state[registration]?[index] ?? BlockAttendance(blockIndex: index)
            if [.checkIn, .checkOut, .present, .absent, .minutes].contains(entry.kind) {
                lastMark[registration, default: [:]][index] = entry.kind
            }
            switch entry.kind {
            case .checkIn:
                // A second check-in without a check-out keeps the first: the trainee was
                // already in the room.
                if openCheckIns[registration]?[index] == nil { openCheckIns[registration, default: [:]][index] = entry.happenedAt }
            case .checkOut:
                if let open = openCheckIns[registration]?[index], entry.happenedAt > open {
                    attendance.spans.append(AttendanceSpan(checkIn: open, checkOut: entry.happenedAt))
                    openCheckIns[registration]?[index] = nil
                }
            case .present:
                attendance.minutes = Int((block.end.timeIntervalSince(block.start) / 60).rounded(.down))
            case .absent:
                attendance.minutes = 0
                attendance.spans = []
                openCheckIns[registration]?[index] = nil
            case .minutes:
                attendance.minutes = entry.minutes
            case .note:
                notes[registration, default: [:]][index] = entry.text
            case .excused:
                attendance.excusedMakeUp = entry.text ?? "excused"
            }
            state[registration, default: [:]][index] = attendance
        }
        // A trainee checked in and never checked out stayed to the end of the block:
        // that is what a trainer who forgot to tap "out" means.
        for (registration, open) in openCheckIns {
            for (index, checkIn) in open where agenda[index].end > checkIn {
                var attendance = state[registration]?[index] ?? BlockAttendance(blockIndex: index)
                attendance.spans.append(AttendanceSpan(checkIn: checkIn, checkOut: agenda[index].end))
                state[registration, default: [:]][index] = attendance
            }
        }
        byRegistration = state.mapValues { Array($0.values).sorted { $0.blockIndex < $1.blockIndex } }
    }

    func blocks(for registrationID: UUID) -> [BlockAttendance] { byRegistration[registrationID] ?? [] }

    func block(_ index: Int, for registrationID: UUID) -> BlockAttendance? {
        byRegistration[registrationID]?.first { $0.blockIndex == index }
    }
}

/// Completion of every confirmed trainee of a class, computed from attendance and the
/// course's rule; nobody ticks it by hand.
struct ClassCompletion {
    var session: ClassSession
    var course: Course
    var policy: CompletionPolicy
    var attendance: ClassAttendance
    var rows: [(registration: Registration, result: CompletionResult)]

    static func load(_ session: ClassSession, on db: any Database) async throws -> ClassCompletion {
        let course = try await session.$course.get(on: db)
        let policy = CompletionPolicy.standard(courseCode: course.code, requiredHours: course.requiredHours)
        let entries = try await ClassAttendance.load(classID: session.id!, on: db)
        let agenda = session.agenda
        let attendance = ClassAttendance(entries: entries, agenda: agenda)
        let confirmed = try await Registration.query(on: db).filter(\.$classSession.$id == session.id!)
            .filter(\.$status == .confirmed).sort(\.$name).all()
        let rows = confirmed.map { registration in
            (
                registration,
                CompletionRules.evaluate(
                    policy: policy, agenda: agenda, attendance: attendance.blocks(for: registration.id!), timeZone: session.zone)
            )
        }
        return ClassCompletion(session: session, course: course, policy: policy, attendance: attendance, rows: rows)
    }
}

enum TrainingFormat {
    /// "39.5", "40": the same number style as agenda messages, whatever the locale.
    static func hours(_ value: Double) -> String { ClassMail.hours(value) }

    static func day(_ date: Date, _ zone: TimeZone) -> String {
        ClassTimes.dayAndTime(date, timeZone: zone).day
    }

    static func blockLabel(_ block: AgendaBlock, zone: TimeZone) -> String {
        "\(ClassFormat.shortDay(block.start, zone)) \(ClassFormat.time(block.start, zone))–\(ClassFormat.time(block.end, zone)) · \(block.title)"
    }

    /// Plain text of at most `limit` characters with no markup, or nil with why not.
    static func plainText(_ value: String, limit: Int) -> String? {
        if value.count > limit { return "At most \(limit) characters." }
        if value.contains(where: { $0 == "<" || $0 == ">" }) { return "< and > are not allowed." }
        return nil
    }
}
