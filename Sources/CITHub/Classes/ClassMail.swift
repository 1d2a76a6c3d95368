import Fluent
import Vapor
import SQLKit
import CITDomain

/// The messages a registration sends.
enum ClassMail {
    static func schedule(_ session: ClassSession) -> String {
        ClassFormat.days(session.agenda, session.zone).map {
            "  \(ClassFormat.day($0.start, session.zone)): \(ClassFormat.time($0.start, session.zone)) – \(ClassFormat.time($0.end, session.zone))"
        }.joined(separator: "\n")
    }

    static func confirmation(_ session: ClassSession, registration: Registration, link: String, organization: String) -> String {
        """
        Hello \(registration.name),

        You are confirmed for \(session.title) (\(session.course.title), \(hours(session.course.requiredHours)) hours).

        When:
        \(schedule(session))
        Where: \(session.venueName), \(session.venueAddress)
        Host: \(session.program.name)

        The attached calendar file adds the class to your calendar.

        If you cannot come, cancel here so someone on the waitlist gets your seat:
        \(link)

        \(organization)
        """
    }

    /// The first mail of a public registration, the only one an address gets before it
    /// is confirmed. It says who asked and what happens if nobody answers.
    static func confirmAddress(_ session: ClassSession, registration: Registration, link: String, organization: String) -> String {
        let zone = session.zone
        let seat: String =
            if let until = registration.holdUntil {
                "A seat is held for you until \(ClassFormat.time(until, zone)) (\(zone.identifier) time) on \(ClassFormat.day(until, zone)). After that the link still works, but you get a seat only if one is free, otherwise a place on the waitlist."
            } else {
                "The class is full right now: when you confirm, you join the waitlist, unless a seat has opened by then."
            }
        let expires =
            registration.confirmExpiresAt.map { " The link works until \(ClassFormat.time($0, zone)) on \(ClassFormat.day($0, zone))." }
            ?? ""
        return """
            Hello \(registration.name),

            Someone, we hope you, asked for a place for this email address in \(session.title) (\(session.course.title), \(ClassFormat.dates(session)), \(session.venueName)).

            To confirm your place, open this link and press "Confirm my place":
            \(link)

            \(seat)\(expires)

            If you did not ask for this, ignore this email: nothing is booked, and we will not write to you about it again.

            \(organization)
            """
    }

    /// To an address that already has a place, when the public form is sent for it again.
    static func alreadyPlaced(_ session: ClassSession, registration: Registration, position: Int?, link: String, organization: String)
        -> String
    {
        let place = registration.status == .confirmed ? "You are confirmed." : "You are number \(position ?? 0) on the waitlist."
        return """
            Hello \(registration.name),

            Someone, we hope you, sent the registration form for \(session.title) (\(ClassFormat.dates(session))) with this email address. This address already has a place, so nothing was changed. \(place)

            To see or cancel your place:
            \(link)
            (This link replaces the one in earlier emails.)

            If you did not send the form, you can ignore this email: your place stays as it is.

            \(organization)
            """
    }

    static func waitlisted(_ session: ClassSession, registration: Registration, position: Int, reason: SeatDecision, link: String) -> String
    {
        let why: String
        if case .waitlisted(.agencyLimitReached(let limit)) = reason {
            why = "Your agency has reached its limit of \(limit) seat\(limit == 1 ? "" : "s") in this class."
        } else {
            why = "The class is full."
        }
        return """
            Hello \(registration.name),

            \(why) You are number \(position) on the waitlist for \(session.title) (\(ClassFormat.dates(session))).

            If a seat opens for you, we will confirm you automatically and email you.
            To leave the waitlist: \(link)
            """
    }

    static func promoted(_ session: ClassSession, registration: Registration, link: String, organization: String) -> String {
        "A seat opened and you moved off the waitlist.\n\n"
            + confirmation(session, registration: registration, link: link, organization: organization)
            + "\n\n(This link replaces the one in your waitlist email.)"
    }

    static func cancelled(_ session: ClassSession, registration: Registration, byCoordinator: Bool) -> String {
        """
        Hello \(registration.name),

        Your place in \(session.title) (\(ClassFormat.dates(session))) is cancelled\(byCoordinator ? " by the class coordinator" : "").
        If this is a mistake, register again on the class page while seats remain.
        """
    }

    /// After a coordinator changed the times or the place. No calendar file: the old one's
    /// days may not match the new ones, so people are asked to update their calendar.
    static func changed(_ session: ClassSession, registration: Registration, classURL: String) -> String {
        """
        Hello \(registration.name),

        The schedule or place of \(session.title) has changed. It is now:

        When:
        \(schedule(session))
        Where: \(session.venueName), \(session.venueAddress)

        Your place is unchanged (\(registration.status == .confirmed ? "confirmed" : "on the waitlist")). Please update your calendar; the class page has the full agenda:
        \(classURL)

        If you can no longer come, cancel with the link in your confirmation email so someone on the waitlist gets your seat.
        """
    }

    static func reminder(_ session: ClassSession, registration: Registration) -> String {
        """
        Hello \(registration.name),

        A reminder: \(session.title) starts soon.

        When:
        \(schedule(session))
        Where: \(session.venueName), \(session.venueAddress)
        """
    }

    static func hours(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func events(_ session: ClassSession, publicURL: String, cancelled: Bool = false) -> [CalendarEvent] {
        ClassFormat.days(session.agenda, session.zone).map { day in
            CalendarEvent(
                uid: "\(session.id!.uuidString.lowercased())-\(day.day)@cithub", summary: session.title,
                description: "\(session.course.title), hosted by \(session.program.name).",
                location: "\(session.venueName), \(session.venueAddress)",
                start: day.start, end: day.end, url: publicURL + SiteURL.classPage(.value(session.id!)).path,
                status: cancelled ? .cancelled : .confirmed, sequence: cancelled ? 1 : 0)
        }
    }

    static func invitation(_ session: ClassSession, publicURL: String, cancelled: Bool = false) -> MailMessage.Attachment {
        let text = ICalendar.calendar(
            events: events(session, publicURL: publicURL, cancelled: cancelled), timeZone: session.zone, method: "PUBLISH")
        return MailMessage.Attachment(
            filename: "class.ics", contentType: "text/calendar; charset=utf-8; method=PUBLISH", data: Data(text.utf8))
    }
}
