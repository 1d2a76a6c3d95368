import Foundation

/// How long after filing an encounter report its agency may still correct it.
///
/// Fourteen days: long enough for a supervisor's review of the shift's reports (usually
/// within one or two weeks) to send a wrong answer back to the liaison, short enough that
/// the counts of a quarter settle within its first weeks after it ends, before the state
/// report is read. After the window a report is read-only; a mistake found later is
/// raised with the state administrator, who sees the report's history in the audit log.
public struct CorrectionWindow: Sendable, Equatable {
    public var days: Int

    public init(days: Int) { self.days = days }

    /// The window CIT Hub uses.
    public static let standard = CorrectionWindow(days: 14)

    public func closes(filedAt: Date) -> Date { filedAt.addingTimeInterval(TimeInterval(days) * 24 * 3600) }

    /// Whether a report filed at `filedAt` may be corrected at `now` (the last second of
    /// the window included).
    public func isOpen(filedAt: Date, now: Date) -> Bool { now <= closes(filedAt: filedAt) }

    /// The fields whose value differs, in `order`, each with its value before and after:
    /// what the audit log records for a correction (codes only; reports hold no names).
    public static func changes(before: [String: String], after: [String: String], order: [String]) -> [FieldChange] {
        order.compactMap { field in
            let old = before[field] ?? "", new = after[field] ?? ""
            return old == new ? nil : FieldChange(field: field, before: old, after: new)
        }
    }
}

/// One field changed by a correction.
public struct FieldChange: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var before: String
    public var after: String

    public init(field: String, before: String, after: String) {
        self.field = field
        self.before = before
        self.after = after
    }

    /// "disposition: arrest → referral"
    public var description: String { "\(field): \(before) → \(after)" }
}
