import Foundation

/// When a trained officer is due for refresher training, and when to remind them.
///
/// Skills learned in a 40-hour week fade; CIT International advises in-service
/// refresher training, so CIT Hub reminds graduates (and their coordinator) before it
/// is due instead of leaving it to someone's spreadsheet.
public enum RefresherSchedule {

    /// CIT International advises in-service refresher training at least every 2 years.
    public static let interval = DateComponents(year: 2)
    public static let source = "CIT International: in-service refresher at least every 2 years"

    /// Two calendar years after completion, in `calendar` (pass one in the program's
    /// time zone). Completion on Feb 29 is due on Feb 28: "at least every 2 years"
    /// means never later, so the earlier day is the right one.
    public static func dueDate(completedOn: Date, calendar: Calendar) -> Date {
        if let due = calendar.date(byAdding: interval, to: completedOn) { return due }
        // Only a calendar that cannot add years gets here; two 365-day years plus one
        // is close enough and still never later than the true date by more than a day.
        return completedOn.addingTimeInterval(730 * 86_400)
    }

    /// Days before the due date a reminder goes out: [60, 14]. Sixty leaves time to
    /// find a class and get a shift covered; fourteen is the last call.
    public static let reminderDaysBefore: [Int] = [60, 14]

    /// Which reminder (days-before value) is due now given the ones already sent, or nil.
    ///
    /// The reminder due is the latest whose day has come (counted in calendar days in
    /// `calendar`, so a daylight-saving change does not move it). If it, or a later
    /// one, was already sent, nothing is due. An earlier one never sent (the server was
    /// down, the person was added late) is skipped, not sent after the later one.
    /// Nothing is sent from the due date on: "due in 14 days" would then be wrong, and
    /// an overdue notice is a different message.
    public static func reminderDue(dueDate: Date, now: Date, alreadySent: Set<Int>, calendar: Calendar) -> Int? {
        guard now < dueDate else { return nil }
        let opened = reminderDaysBefore.filter { days in
            guard let sendOn = calendar.date(byAdding: .day, value: -days, to: dueDate) else { return false }
            return now >= sendOn
        }
        guard let latest = opened.min() else { return nil }
        // A reminder this late or later already went out: sending an earlier one now
        // would repeat the message with a wrong count of days.
        if alreadySent.contains(where: { $0 <= latest }) { return nil }
        return latest
    }
}
