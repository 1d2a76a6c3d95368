import Fluent
import Vapor
import CITDomain

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
