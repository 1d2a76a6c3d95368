import Fluent
import Vapor
import SQLKit
import CITDomain

/// Registration and cancellation: the seat rules of `CITDomain` applied under the class's
/// lock, with the mail written in the same transaction.
///
/// Public registration has two steps (issue 13): the form (`requestPlace`) mails a link
/// to the address and, while a seat is free, holds one for `SeatHold.lifetime`; the link's
/// "Confirm my place" (`confirm`) turns that into a place. Until then the address gets no
/// other mail, and the form's answer is the same whether or not the address already has
/// a place. Coordinators adding someone on the roster (`register`) skip the first step.
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

    /// What the public form did. The page shows the same for each; tests and the audit
    /// log tell them apart.
    enum Requested {
        /// A pending registration and the secret of its confirmation link.
        case pending(Registration, confirmToken: String)
        /// The address already had a place: it was mailed a fresh link to it.
        case alreadyPlaced(Registration)
    }

    /// What "Confirm my place" did.
    enum Confirmation {
        case placed(Outcome)
        /// The link was used before (a second click, or an old mail): the place as it is now.
        case alreadyUsed(Registration, ClassSession, position: Int?)
        case expired(ClassSession)
        case closed(ClassSession, String)
        /// No registration has this link (never made, replaced by a newer form, or purged).
        case notFound
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
        return SeatPolicy(
            capacity: session.capacity, agencyLimits: Dictionary(limits.map { ($0.agencyKey, $0.seatLimit) }, uniquingKeysWith: min),
            defaultAgencyLimit: session.defaultAgencyLimit)
    }

    /// Seats taken at `now`: confirmed places and holds that have not run out
    /// (`SeatCounts(claims:at:)`). `excluding`: the registration being decided, whose own
    /// hold must not stand in its way.
    static func counts(classID: UUID, on db: any Database, now: Date = Date(), excluding: UUID? = nil) async throws -> SeatCounts {
        let taking = try await Registration.query(on: db).filter(\.$classSession.$id == classID).filter(
            \.$status ~~ [.confirmed, .pending]
        ).all()
        let claims = taking.filter { $0.id != excluding }.compactMap { registration -> SeatClaim? in
            if registration.status == .confirmed { return SeatClaim(agencyKey: registration.agencyKey) }
            guard let until = registration.holdUntil else { return nil }
            return SeatClaim(agencyKey: registration.agencyKey, heldUntil: until)
        }
        return SeatCounts(claims: claims, at: now)
    }

    /// Seats held right now for people confirming their email address.
    static func activeHolds(classID: UUID, on db: any Database, now: Date = Date()) async throws -> [Registration] {
        try await Registration.query(on: db).filter(\.$classSession.$id == classID).filter(\.$status == .pending)
            .filter(\.$holdUntil > now).sort(\.$holdUntil).all()
    }

    /// When the next seat hold runs out, in any class: a page that counts seats is right
    /// until then.
    static func nextHoldEnd(on db: any Database, now: Date = Date()) async throws -> Date? {
        try await Registration.query(on: db).filter(\.$status == .pending).filter(\.$holdUntil > now).sort(\.$holdUntil).first()?.holdUntil
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

    /// Whether the class takes registrations at `now`; the reason it does not, if not.
    static func closedReason(_ session: ClassSession, now: Date, byCoordinator: Bool) -> String? {
        if session.status == .cancelled { return "This class was cancelled." }
        if byCoordinator { return session.endsAt <= now ? "This class is over." : nil }
        if session.startsAt <= now { return "This class has already started." }
        if let opens = session.registrationOpensAt, now < opens { return "Registration opens on \(ClassFormat.day(opens, session.zone))." }
        if let closes = session.registrationClosesAt, now > closes {
            return "Registration closed on \(ClassFormat.day(closes, session.zone))."
        }
        return nil
    }

    static func fill(_ registration: Registration, classID: UUID, with applicant: Applicant) {
        registration.$classSession.id = classID
        registration.name = applicant.name
        registration.email = applicant.email
        registration.phone = applicant.phone
        registration.organization = applicant.organization
        registration.agencyKey = SeatPolicy.agencyKey(applicant.organization)
        registration.audience = applicant.audience
    }

    // MARK: the public form

    /// The public form: a pending registration with a confirmation link (and a seat held
    /// while one is free), or, for an address that already has a place, a mail saying so
    /// with a fresh link to it. Nothing else is mailed to an address that did not
    /// confirm it, and nothing about the address shows in the answer.
    static func requestPlace(classID: UUID, applicant: Applicant, request: Request, now: Date = Date()) async throws -> Requested {
        let settings = request.application.settings
        return try await request.db.transaction { tx in
            let session = try await lock(classID, on: tx)
            if let why = closedReason(session, now: now, byCoordinator: false) { throw Refusal.closed(why) }
            // Seats whose holds ran out go to the waitlist before anyone new is counted.
            _ = try await promote(session, on: tx, settings: settings, now: now)

            let existing = try await Registration.query(on: tx).filter(\.$classSession.$id == classID).filter(\.$email == applicant.email)
                .first()
            let outbox = Outbox(database: tx, from: settings.mailFrom)
            if let existing, existing.status == .confirmed || existing.status == .waitlisted {
                // Only the hash of the old link is kept, so the mail carries a new one (which
                // replaces it, as a promotion's does). The place itself is untouched.
                let (token, hash) = AccountToken.generate()
                existing.manageTokenHash = hash
                try await existing.save(on: tx)
                let position = try await self.position(of: existing, on: tx)
                try await outbox.enqueue(
                    to: existing.email, subject: "You already have a place: \(session.title)",
                    text: ClassMail.alreadyPlaced(
                        session, registration: existing, position: position,
                        link: settings.publicURL + SiteURL.registration(.value(token)).path, organization: settings.organization.name))
                try await AuditEvent(
                    actorID: nil, actor: "public registration", action: "registration.reminded", entityType: "class",
                    entityID: classID.uuidString,
                    details: "registration \(existing.id!.uuidString)", ip: request.clientAddress
                ).create(on: tx)
                return .alreadyPlaced(existing)
            }

            // New, cancelled before, or pending from an earlier form (whose link this replaces).
            let registration = existing ?? Registration()
            fill(registration, classID: classID, with: applicant)
            registration.status = .pending
            let decision = SeatAllocation.decide(
                policy: try await policy(for: session, on: tx),
                counts: try await counts(classID: classID, on: tx, now: now, excluding: registration.id), agencyKey: registration.agencyKey)
            let linkExpiry = SeatHold.linkExpiry(requestedAt: now, closesAt: session.registrationClosesAt, startsAt: session.startsAt)
            let (token, hash) = AccountToken.generate()
            registration.confirmTokenHash = hash
            registration.confirmExpiresAt = linkExpiry
            registration.holdUntil = decision == .confirmed ? SeatHold.holdExpiry(requestedAt: now, linkExpiry: linkExpiry) : nil
            // No manage link before the address is confirmed: a hash of a secret nobody has.
            registration.manageTokenHash = AccountToken.generate().hash
            registration.sequence = session.registrationSequence
            registration.joinedAt = max(now, Date())
            registration.cancelledAt = nil
            registration.promotedAt = nil
            registration.reminderSentAt = nil
            try await registration.save(on: tx)
            try await outbox.enqueue(
                to: registration.email, subject: "Confirm your place: \(session.title)",
                text: ClassMail.confirmAddress(
                    session, registration: registration, link: settings.publicURL + SiteURL.registrationConfirm(.value(token)).path,
                    organization: settings.organization.name))
            try await AuditEvent(
                actorID: nil, actor: "public registration", action: "registration.requested", entityType: "class",
                entityID: classID.uuidString,
                details: "registration \(registration.id!.uuidString)" + (registration.holdUntil == nil ? "" : ", seat held"),
                ip: request.clientAddress
            ).create(on: tx)
            return .pending(registration, confirmToken: token)
        }
    }

    /// The pending registration a confirmation link belongs to, if any.
    static func pendingRegistration(confirmToken token: String, on db: any Database) async throws -> Registration? {
        guard TokenShape.isToken(token) else { return nil }
        return try await Registration.query(on: db).filter(\.$confirmTokenHash == AccountToken.hash(token)).first()
    }

    /// "Confirm my place": under the class's lock, the pending registration becomes a
    /// place, confirmed if a seat is free for it (its own hold counts as free, other
    /// holds that have not run out do not) and otherwise on the waitlist; then the usual
    /// mail with the manage link. The status check under the lock makes the link single-use
    /// however many clicks arrive at once.
    static func confirm(token: String, request: Request, now: Date = Date()) async throws -> Confirmation {
        guard let found = try await pendingRegistration(confirmToken: token, on: request.db) else { return .notFound }
        let settings = request.application.settings
        return try await request.db.transaction { tx in
            let session = try await lock(found.$classSession.id, on: tx)
            guard let registration = try await Registration.find(found.id, on: tx), registration.confirmTokenHash == found.confirmTokenHash
            else { return .notFound }
            guard registration.status == .pending else {
                return .alreadyUsed(registration, session, position: try await position(of: registration, on: tx))
            }
            guard let expires = registration.confirmExpiresAt, expires > now else { return .expired(session) }
            if let why = closedReason(session, now: now, byCoordinator: false) { return .closed(session, why) }
            // People already waiting get seats that holds gave back before a late confirmer does.
            _ = try await promote(session, on: tx, settings: settings, now: now)
            return .placed(try await place(registration, in: session, on: tx, request: request, now: now, actor: "public registration"))
        }
    }

    // MARK: a place

    /// `byCoordinator`: a coordinator adding someone on the roster. The registration window
    /// does not apply (a class entered while it runs needs its people), the class's end does.
    /// The address needs no confirmation: the coordinator is signed in and vouches for it.
    static func register(classID: UUID, applicant: Applicant, request: Request, now: Date = Date(), byCoordinator: Bool = false)
        async throws -> Outcome
    {
        try await request.db.transaction { tx in
            let session = try await lock(classID, on: tx)
            if let why = closedReason(session, now: now, byCoordinator: byCoordinator) { throw Refusal.closed(why) }
            let existing = try await Registration.query(on: tx).filter(\.$classSession.$id == classID).filter(\.$email == applicant.email)
                .first()
            if let existing, existing.status == .confirmed || existing.status == .waitlisted {
                throw Refusal.alreadyRegistered(existing.status)
            }
            let registration = existing ?? Registration()
            fill(registration, classID: classID, with: applicant)
            return try await place(registration, in: session, on: tx, request: request, now: now, actor: nil)
        }
    }

    /// Gives a registration its place (a seat, or the end of the waitlist), a new manage
    /// link and the mail that carries it. Inside the class's lock.
    static func place(
        _ registration: Registration, in session: ClassSession, on tx: any Database, request: Request, now: Date, actor: String?
    ) async throws -> Outcome {
        let settings = request.application.settings
        let classID = session.id!
        let decision = SeatAllocation.decide(
            policy: try await policy(for: session, on: tx),
            counts: try await counts(classID: classID, on: tx, now: now, excluding: registration.id), agencyKey: registration.agencyKey)
        let (token, hash) = AccountToken.generate()
        registration.status = decision == .confirmed ? .confirmed : .waitlisted
        registration.sequence = session.registrationSequence
        // The time is read under the lock, so join times follow the registration
        // numbers and the waitlist order is the order seats were decided in.
        registration.joinedAt = max(now, Date())
        registration.manageTokenHash = hash
        registration.holdUntil = nil
        registration.confirmExpiresAt = nil
        registration.cancelledAt = nil
        registration.promotedAt = nil
        try await registration.save(on: tx)

        let position = try await self.position(of: registration, on: tx)
        let link = settings.publicURL + SiteURL.registration(.value(token)).path
        let outbox = Outbox(database: tx, from: settings.mailFrom)
        if registration.status == .confirmed {
            try await outbox.enqueue(
                to: registration.email, subject: "Confirmed: \(session.title)",
                text: ClassMail.confirmation(session, registration: registration, link: link, organization: settings.organization.name),
                attachments: [ClassMail.invitation(session, publicURL: settings.publicURL)])
        } else {
            try await outbox.enqueue(
                to: registration.email, subject: "Waitlist: \(session.title)",
                text: ClassMail.waitlisted(session, registration: registration, position: position ?? 0, reason: decision, link: link))
        }
        let user = request.auth.get(User.self)
        try await AuditEvent(
            actorID: user?.id, actor: actor ?? user?.email ?? "public registration",
            action: "registration.\(registration.status.rawValue)", entityType: "class", entityID: classID.uuidString,
            details: "registration \(registration.id!.uuidString)", ip: request.clientAddress
        ).create(on: tx)
        return Outcome(registration: registration, manageToken: token, position: position)
    }

    /// Cancels a place and promotes whoever the waitlist rules say, mailing each. A pending
    /// registration is no place: it is left to run out (and gets no mail).
    @discardableResult
    static func cancel(registrationID: UUID, by actor: String, request: Request, now: Date = Date()) async throws -> [Registration] {
        let settings = request.application.settings
        return try await request.db.transaction { tx in
            guard let classID = try await Registration.find(registrationID, on: tx)?.$classSession.id else { throw Abort(.notFound) }
            let session = try await lock(classID, on: tx)
            guard let registration = try await Registration.find(registrationID, on: tx),
                registration.status == .confirmed || registration.status == .waitlisted
            else { return [] }
            let wasConfirmed = registration.status == .confirmed
            registration.status = .cancelled
            registration.cancelledAt = now
            try await registration.save(on: tx)
            let outbox = Outbox(database: tx, from: settings.mailFrom)
            try await outbox.enqueue(
                to: registration.email, subject: "Cancelled: \(session.title)",
                text: ClassMail.cancelled(session, registration: registration, byCoordinator: actor != "registrant"),
                attachments: wasConfirmed ? [ClassMail.invitation(session, publicURL: settings.publicURL, cancelled: true)] : [])
            try await AuditEvent(
                actorID: request.auth.get(User.self)?.id, actor: actor, action: "registration.cancelled", entityType: "class",
                entityID: classID.uuidString, details: "registration \(registrationID.uuidString)", ip: request.clientAddress
            ).create(on: tx)
            let promoted = try await promote(session, on: tx, settings: settings, now: now)
            return promoted
        }
    }

    /// Fills free seats from the waitlist (after a cancellation, a larger capacity, or a
    /// hold that ran out). Pending registrations are on no waitlist and are never
    /// promoted; their holds, while they last, take seats like confirmed places. Holds that
    /// ran out are released here (their `holdUntil` cleared), so the release pass finds
    /// each class once. Inside the class's lock.
    static func promote(_ session: ClassSession, on tx: any Database, settings: Settings, now: Date) async throws -> [Registration] {
        try await Registration.query(on: tx).filter(\.$classSession.$id == session.id!).filter(\.$status == .pending)
            .filter(\.$holdUntil <= now).set(\.$holdUntil, to: nil).update()
        let waiting = try await waitlist(classID: session.id!, on: tx)
        guard !waiting.isEmpty else { return [] }
        let entries = waiting.map { WaitlistEntry(id: $0.id!, agencyKey: $0.agencyKey, joinedAt: $0.joinedAt, sequence: $0.sequence) }
        let ids = WaitlistPolicy.promotions(
            waitlist: entries, policy: try await policy(for: session, on: tx),
            counts: try await counts(classID: session.id!, on: tx, now: now))
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
                text: ClassMail.promoted(
                    session, registration: registration, link: settings.publicURL + SiteURL.registration(.value(token)).path,
                    organization: settings.organization.name),
                attachments: [ClassMail.invitation(session, publicURL: settings.publicURL)])
            try await AuditEvent(
                actorID: nil, actor: "waitlist", action: "registration.promoted", entityType: "class", entityID: session.id!.uuidString,
                details: "registration \(id.uuidString)", ip: nil
            ).create(on: tx)
            promoted.append(registration)
        }
        return promoted
    }
}
