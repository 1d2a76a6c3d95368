import Fluent
import Vapor
import SQLKit
import CITDomain

/// Registration and cancellation: the seat rules of `CITDomain` applied under the class's
/// lock, with the mail written in the same transaction.
enum RegistrationService {
    struct Applicant {
        var name: String
        var email: String
        var phone: String
        var organization: String
        var audience: Audience
    }

    enum Refusal: Error, Equatable {
        case alreadyRegistered(Registration.Status)
        case closed(String)
    }

    struct Outcome {
        var registration: Registration
        var manageToken: String
        var position: Int?
    }

    /// Takes the class's lock: the first write of the transaction, so concurrent
    /// registrations for one class queue here and count seats one after another.
    static func lock(_ classID: UUID, on db: any Database) async throws -> ClassSession {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        try await sql.raw("UPDATE class_sessions SET registration_sequence = registration_sequence + 1 WHERE id = \(bind: classID)").run()
        guard let session = try await ClassSession.query(on: db).filter(\.$id == classID).with(\.$course).with(\.$program).first() else {
            throw Abort(.notFound, reason: "There is no class at this address.")
        }
        return session
    }

    static func policy(for session: ClassSession, on db: any Database) async throws -> SeatPolicy {
        let limits = try await ClassAgencyLimit.query(on: db).filter(\.$classSession.$id == session.id!).all()
        return SeatPolicy(capacity: session.capacity, agencyLimits: Dictionary(limits.map { ($0.agencyKey, $0.seatLimit) }, uniquingKeysWith: min),
                          defaultAgencyLimit: session.defaultAgencyLimit)
    }

    static func counts(classID: UUID, on db: any Database) async throws -> SeatCounts {
        let confirmed = try await Registration.query(on: db).filter(\.$classSession.$id == classID).filter(\.$status == .confirmed).all()
        return SeatCounts(confirmedTotal: confirmed.count, confirmedByAgency: Dictionary(grouping: confirmed, by: \.agencyKey).mapValues(\.count))
    }

    static func waitlist(classID: UUID, on db: any Database) async throws -> [Registration] {
        try await Registration.query(on: db).filter(\.$classSession.$id == classID).filter(\.$status == .waitlisted)
            .sort(\.$joinedAt).sort(\.$sequence).all()
    }

    /// 1 + the people waiting ahead. Registration numbers are handed out under the class
    /// lock together with the join time, so they order the waitlist the way
    /// `WaitlistPolicy.positions` does (a test checks the two agree), and a count is enough:
    /// no need to load a long waitlist for every registration.
    static func position(of registration: Registration, on db: any Database) async throws -> Int? {
        guard registration.status == .waitlisted else { return nil }
        let ahead = try await Registration.query(on: db).filter(\.$classSession.$id == registration.$classSession.id)
            .filter(\.$status == .waitlisted).filter(\.$sequence < registration.sequence).count()
        return ahead + 1
    }

    /// `byCoordinator`: a coordinator adding someone on the roster. The registration window
    /// does not apply (a class entered while it runs needs its people), the class's end does.
    static func register(classID: UUID, applicant: Applicant, request: Request, now: Date = Date(), byCoordinator: Bool = false) async throws -> Outcome {
        let settings = request.application.settings
        return try await request.db.transaction { tx in
            let session = try await lock(classID, on: tx)
            if session.status == .cancelled { throw Refusal.closed("This class was cancelled.") }
            if byCoordinator {
                if session.endsAt <= now { throw Refusal.closed("This class is over.") }
            } else {
                if session.startsAt <= now { throw Refusal.closed("This class has already started.") }
                if let opens = session.registrationOpensAt, now < opens { throw Refusal.closed("Registration opens on \(ClassFormat.day(opens, session.zone)).") }
                if let closes = session.registrationClosesAt, now > closes { throw Refusal.closed("Registration closed on \(ClassFormat.day(closes, session.zone)).") }
            }

            let existing = try await Registration.query(on: tx).filter(\.$classSession.$id == classID).filter(\.$email == applicant.email).first()
            if let existing, existing.status != .cancelled { throw Refusal.alreadyRegistered(existing.status) }

            let agencyKey = SeatPolicy.agencyKey(applicant.organization)
            let decision = SeatAllocation.decide(policy: try await policy(for: session, on: tx), counts: try await counts(classID: classID, on: tx), agencyKey: agencyKey)
            let registration = existing ?? Registration()
            let (token, hash) = AccountToken.generate()
            registration.$classSession.id = classID
            registration.name = applicant.name
            registration.email = applicant.email
            registration.phone = applicant.phone
            registration.organization = applicant.organization
            registration.agencyKey = agencyKey
            registration.audience = applicant.audience
            registration.status = decision == .confirmed ? .confirmed : .waitlisted
            registration.sequence = session.registrationSequence
            // The time is read under the lock, so join times follow the registration
            // numbers and the waitlist order is the order seats were decided in.
            registration.joinedAt = max(now, Date())
            registration.manageTokenHash = hash
            registration.cancelledAt = nil
            registration.promotedAt = nil
            try await registration.save(on: tx)

            let position = try await self.position(of: registration, on: tx)
            let link = settings.publicURL + ClassURL.registration(token)
            let outbox = Outbox(database: tx, from: settings.mailFrom)
            if registration.status == .confirmed {
                try await outbox.enqueue(to: registration.email, subject: "Confirmed: \(session.title)",
                                         text: ClassMail.confirmation(session, registration: registration, link: link, organization: settings.organization.name),
                                         attachments: [ClassMail.invitation(session, publicURL: settings.publicURL)])
            } else {
                try await outbox.enqueue(to: registration.email, subject: "Waitlist: \(session.title)",
                                         text: ClassMail.waitlisted(session, registration: registration, position: position ?? 0, reason: decision, link: link))
            }
            try await AuditEvent(actorID: request.auth.get(User.self)?.id, actor: request.auth.get(User.self)?.email ?? "public registration",
                                 action: "registration.\(registration.status.rawValue)", entityType: "class", entityID: classID.uuidString,
                                 details: "registration \(registration.id!.uuidString)", ip: request.clientAddress).create(on: tx)
            return Outcome(registration: registration, manageToken: token, position: position)
        }
    }

    /// Cancels a place and promotes whoever the waitlist rules say, mailing each.
    @discardableResult
    static func cancel(registrationID: UUID, by actor: String, request: Request, now: Date = Date()) async throws -> [Registration] {
        let settings = request.application.settings
        return try await request.db.transaction { tx in
            guard let classID = try await Registration.find(registrationID, on: tx)?.$classSession.id else { throw Abort(.notFound) }
            let session = try await lock(classID, on: tx)
            guard let registration = try await Registration.find(registrationID, on: tx), registration.status != .cancelled else { return [] }
            let wasConfirmed = registration.status == .confirmed
            registration.status = .cancelled
            registration.cancelledAt = now
            try await registration.save(on: tx)
            let outbox = Outbox(database: tx, from: settings.mailFrom)
            try await outbox.enqueue(to: registration.email, subject: "Cancelled: \(session.title)",
                                     text: ClassMail.cancelled(session, registration: registration, byCoordinator: actor != "registrant"),
                                     attachments: wasConfirmed ? [ClassMail.invitation(session, publicURL: settings.publicURL, cancelled: true)] : [])
            try await AuditEvent(actorID: request.auth.get(User.self)?.id, actor: actor, action: "registration.cancelled", entityType: "class",
                                 entityID: classID.uuidString, details: "registration \(registrationID.uuidString)", ip: request.clientAddress).create(on: tx)
            let promoted = try await promote(session, on: tx, request: request, now: now)
            return promoted
        }
    }

    /// Fills free seats from the waitlist (after a cancellation or a larger capacity).
    static func promote(_ session: ClassSession, on tx: any Database, request: Request, now: Date) async throws -> [Registration] {
        let settings = request.application.settings
        let waiting = try await waitlist(classID: session.id!, on: tx)
        let entries = waiting.map { WaitlistEntry(id: $0.id!, agencyKey: $0.agencyKey, joinedAt: $0.joinedAt, sequence: $0.sequence) }
        let ids = WaitlistPolicy.promotions(waitlist: entries, policy: try await policy(for: session, on: tx), counts: try await counts(classID: session.id!, on: tx))
        var promoted: [Registration] = []
        for id in ids {
            guard let registration = waiting.first(where: { $0.id == id }) else { continue }
            let (token, hash) = AccountToken.generate()
            registration.status = .confirmed
            registration.promotedAt = now
            registration.manageTokenHash = hash
            try await registration.save(on: tx)
            try await Outbox(database: tx, from: settings.mailFrom).enqueue(
                to: registration.email, subject: "A seat opened: you are confirmed for \(session.title)",
                text: ClassMail.promoted(session, registration: registration, link: settings.publicURL + ClassURL.registration(token), organization: settings.organization.name),
                attachments: [ClassMail.invitation(session, publicURL: settings.publicURL)])
            try await AuditEvent(actorID: nil, actor: "waitlist", action: "registration.promoted", entityType: "class", entityID: session.id!.uuidString,
                                 details: "registration \(id.uuidString)", ip: nil).create(on: tx)
            promoted.append(registration)
        }
        return promoted
    }
}

enum ClassURL {
    static func classPage(_ id: UUID) -> String { "/classes/\(id.uuidString.lowercased())" }
    static func register(_ id: UUID) -> String { "/classes/\(id.uuidString.lowercased())/register" }
    static func roster(_ id: UUID) -> String { "/classes/\(id.uuidString.lowercased())/roster" }
    static func registration(_ token: String) -> String { "/registrations/\(token)" }
    static func registrationCancel(_ token: String) -> String { "/registrations/\(token)/cancel" }
    /// The link in the first mail of a public registration: it confirms the email address.
    static let confirmPrefix = "/registrations/confirm"
    static func confirmRegistration(_ token: String) -> String { "\(confirmPrefix)/\(token)" }
    static func registrationSent(_ id: UUID) -> String { "/classes/\(id.uuidString.lowercased())/register/sent" }
    static func coordinatorCancel(_ classID: UUID, _ registrationID: UUID) -> String { "/classes/\(classID.uuidString.lowercased())/registrations/\(registrationID.uuidString.lowercased())/cancel" }
    static func newClass(programID: String) -> String { "/programs/\(programID)/classes/new" }
    static let feed = "/classes.ics"
}

/// How classes read in pages and mail.
enum ClassFormat {
    static func day(_ date: Date, _ zone: TimeZone) -> String {
        date.formatted(Date.FormatStyle(date: .complete, time: .omitted, timeZone: zone).locale(Locale(identifier: "en_US")))
    }

    static func time(_ date: Date, _ zone: TimeZone) -> String {
        date.formatted(Date.FormatStyle(date: .omitted, time: .shortened, timeZone: zone).locale(Locale(identifier: "en_US")))
    }

    static func shortDay(_ date: Date, _ zone: TimeZone) -> String {
        date.formatted(Date.FormatStyle(timeZone: zone).locale(Locale(identifier: "en_US")).weekday(.abbreviated).month(.abbreviated).day().year())
    }

    /// "Mon, Mar 15, 2027 – Fri, Mar 19, 2027"
    static func dates(_ session: ClassSession) -> String {
        let first = shortDay(session.startsAt, session.zone), last = shortDay(session.endsAt.addingTimeInterval(-1), session.zone)
        return first == last ? first : "\(first) – \(last)"
    }

    /// Agenda blocks grouped by local day: each day's first start and last end.
    static func days(_ blocks: [AgendaBlock], _ zone: TimeZone) -> [(day: String, start: Date, end: Date, blocks: [AgendaBlock])] {
        let sorted = blocks.sorted { $0.start < $1.start }
        var result: [(String, Date, Date, [AgendaBlock])] = []
        for block in sorted {
            let key = ClassTimes.dayAndTime(block.start, timeZone: zone).day
            if let last = result.last, last.0 == key {
                result[result.count - 1] = (key, last.1, max(last.2, block.end), last.3 + [block])
            } else {
                result.append((key, block.start, block.end, [block]))
            }
        }
        return result.map { (day: $0.0, start: $0.1, end: $0.2, blocks: $0.3) }
    }
}

/// The messages a registration sends.
enum ClassMail {
    static func schedule(_ session: ClassSession) -> String {
        ClassFormat.days(session.agenda, session.zone).map { "  \(ClassFormat.day($0.start, session.zone)): \(ClassFormat.time($0.start, session.zone)) – \(ClassFormat.time($0.end, session.zone))" }.joined(separator: "\n")
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

    static func waitlisted(_ session: ClassSession, registration: Registration, position: Int, reason: SeatDecision, link: String) -> String {
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
        "A seat opened and you moved off the waitlist.\n\n" + confirmation(session, registration: registration, link: link, organization: organization)
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
            CalendarEvent(uid: "\(session.id!.uuidString.lowercased())-\(day.day)@cithub", summary: session.title,
                          description: "\(session.course.title), hosted by \(session.program.name).", location: "\(session.venueName), \(session.venueAddress)",
                          start: day.start, end: day.end, url: publicURL + ClassURL.classPage(session.id!),
                          status: cancelled ? .cancelled : .confirmed, sequence: cancelled ? 1 : 0)
        }
    }

    static func invitation(_ session: ClassSession, publicURL: String, cancelled: Bool = false) -> MailMessage.Attachment {
        let text = ICalendar.calendar(events: events(session, publicURL: publicURL, cancelled: cancelled), timeZone: session.zone, method: "PUBLISH")
        return MailMessage.Attachment(filename: "class.ics", contentType: "text/calendar; charset=utf-8; method=PUBLISH", data: Data(text.utf8))
    }
}
