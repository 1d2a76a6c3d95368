import Foundation

/// Per-class seat rules.
///
/// A class has a capacity, and a program may cap how many seats one agency takes so
/// that one large department cannot fill a class meant for a whole county.
public struct SeatPolicy: Sendable, Equatable {
    /// Seats in the room; must be more than 0 (the class form checks that).
    public var capacity: Int
    /// Normalized agency key (`agencyKey`) to the most confirmed seats it may hold.
    /// An agency not listed falls back to `defaultAgencyLimit`.
    public var agencyLimits: [String: Int]
    /// The limit for agencies not in `agencyLimits`; nil means no limit.
    public var defaultAgencyLimit: Int?

    public init(capacity: Int, agencyLimits: [String: Int] = [:], defaultAgencyLimit: Int? = nil) {
        self.capacity = capacity
        self.agencyLimits = agencyLimits
        self.defaultAgencyLimit = defaultAgencyLimit
    }

    /// The most confirmed seats the agency may hold, or nil for no limit.
    ///
    /// Both the argument and the keys of `agencyLimits` are compared normalized, so a
    /// limit typed as "Madison Police Dept" still applies to "madison  police dept ".
    /// Someone with no agency (an empty key) is never limited: there is no agency whose
    /// share they could take.
    public func limit(forAgency key: String) -> Int? {
        let normalized = SeatPolicy.agencyKey(key)
        guard !normalized.isEmpty else { return nil }
        if let limit = agencyLimits[normalized] { return limit }
        // Keys set by hand may not be normalized; few agencies have limits, so a scan is cheap.
        let matching = agencyLimits.filter { SeatPolicy.agencyKey($0.key) == normalized }.map(\.value)
        if let strictest = matching.min() { return strictest }
        return defaultAgencyLimit
    }

    /// The key an organization's name is counted under: trimmed, lowercased, inner
    /// whitespace collapsed to one space, so "Madison  Police Dept " and
    /// "madison police dept" are one agency, as a person typing the form would expect.
    public static func agencyKey(_ organizationName: String) -> String {
        organizationName
            .lowercased()
            .split(whereSeparator: { $0.isWhitespace })
            .joined(separator: " ")
    }
}

/// What happens to a new registration.
public enum SeatDecision: Sendable, Equatable {
    case confirmed
    case waitlisted(reason: WaitReason)
}

/// Why someone waits, so the page and the email can say it honestly.
public enum WaitReason: Sendable, Equatable {
    /// Every seat is taken.
    case classFull
    /// Seats remain, but the person's agency already holds `limit` of them.
    case agencyLimitReached(limit: Int)
}

/// Seats taken right now, as the database counts them inside the registering
/// transaction: confirmed places and seats held for people confirming their email
/// address (see `SeatClaim`).
public struct SeatCounts: Sendable, Equatable {
    public var confirmedTotal: Int
    /// Confirmed seats by normalized agency key.
    public var confirmedByAgency: [String: Int]

    public init(confirmedTotal: Int, confirmedByAgency: [String: Int]) {
        self.confirmedTotal = confirmedTotal
        self.confirmedByAgency = confirmedByAgency
    }

    /// Confirmed seats of one agency; the key is normalized first.
    public func confirmed(agencyKey key: String) -> Int {
        let normalized = SeatPolicy.agencyKey(key)
        if let count = confirmedByAgency[normalized] { return count }
        return confirmedByAgency.reduce(0) { SeatPolicy.agencyKey($1.key) == normalized ? $0 + $1.value : $0 }
    }
}

/// One registration as seats are counted: a confirmed place, or a seat held for someone
/// who sent the public form and has not yet opened the link mailed to them.
public struct SeatClaim: Sendable, Equatable {
    public var agencyKey: String
    /// nil for a confirmed place; for a hold, the moment it runs out.
    public var heldUntil: Date?

    public init(agencyKey: String, heldUntil: Date? = nil) {
        self.agencyKey = agencyKey
        self.heldUntil = heldUntil
    }
}

extension SeatCounts {
    /// Seats taken at `now`: every confirmed place, and every hold that has not run out.
    ///
    /// A hold counts like a confirmed seat, for its agency too, so that whoever confirms in
    /// time gets the seat the page showed them, and no page promises one seat twice. A hold
    /// that ran out counts for nothing: the seat is free again without anyone clearing it.
    public init(claims: [SeatClaim], at now: Date) {
        let taken = claims.filter { claim in claim.heldUntil.map { $0 > now } ?? true }
        self.init(
            confirmedTotal: taken.count,
            confirmedByAgency: Dictionary(grouping: taken, by: { SeatPolicy.agencyKey($0.agencyKey) }).mapValues(\.count))
    }
}

/// How long an unconfirmed public registration holds a seat, and how long its link works.
public enum SeatHold {
    /// Long enough to find the mail and open it; short enough that a flood of forms for
    /// addresses nobody confirms keeps seats away from real people only briefly.
    public static let lifetime: TimeInterval = 30 * 60
    /// The link works longer than the hold: opening it proves the address whenever that
    /// happens, and after the hold the person gets a free seat or the waitlist, as anyone
    /// registering then would.
    public static let linkLifetime: TimeInterval = 24 * 3600

    /// When the link stops working: a day on, but never after registration closes or the
    /// class starts.
    public static func linkExpiry(requestedAt now: Date, closesAt: Date?, startsAt: Date) -> Date {
        min(now.addingTimeInterval(linkLifetime), closesAt ?? .distantFuture, startsAt)
    }

    /// When a new hold runs out: 30 minutes on, never after its link.
    public static func holdExpiry(requestedAt now: Date, linkExpiry: Date) -> Date {
        min(now.addingTimeInterval(lifetime), linkExpiry)
    }
}

/// Seat decisions for new registrations. Pure: the caller reads the counts and writes
/// the result in one transaction, which is what keeps capacity from being exceeded.
public enum SeatAllocation {

    /// Whether a new registration for `agencyKey` gets a seat now.
    ///
    /// A full class is reported before an agency limit: when no seat is left at all,
    /// "the class is full" is the true reason.
    public static func decide(policy: SeatPolicy, counts: SeatCounts, agencyKey: String) -> SeatDecision {
        if counts.confirmedTotal >= policy.capacity {
            return .waitlisted(reason: .classFull)
        }
        if let limit = policy.limit(forAgency: agencyKey), counts.confirmed(agencyKey: agencyKey) >= limit {
            return .waitlisted(reason: .agencyLimitReached(limit: limit))
        }
        return .confirmed
    }

    /// Seats still open; never negative, also when a coordinator lowered the capacity
    /// below the people already confirmed.
    public static func seatsLeft(policy: SeatPolicy, counts: SeatCounts) -> Int {
        max(0, policy.capacity - counts.confirmedTotal)
    }
}

/// Someone waiting, in the order they joined.
public struct WaitlistEntry: Sendable, Equatable {
    public var id: UUID
    public var agencyKey: String
    public var joinedAt: Date
    /// Tie-breaker: strictly increasing registration number, because two registrations
    /// can share a timestamp.
    public var sequence: Int

    public init(id: UUID, agencyKey: String, joinedAt: Date, sequence: Int) {
        self.id = id
        self.agencyKey = agencyKey
        self.joinedAt = joinedAt
        self.sequence = sequence
    }
}

/// Who moves up from the waitlist, and where everyone stands on it.
public enum WaitlistPolicy {

    /// Who gets freed seats, in order: the earliest entries whose agency is below its limit; as many as there are seats
    /// (counting seats they take as they are promoted, including per-agency). Skipped entries keep their place.
    public static func promotions(waitlist: [WaitlistEntry], policy: SeatPolicy, counts: SeatCounts) -> [UUID] {
        var total = counts.confirmedTotal
        var byAgency: [String: Int] = [:]
        var promoted: [UUID] = []
        for entry in ordered(waitlist) {
            guard total < policy.capacity else { break }
            let key = SeatPolicy.agencyKey(entry.agencyKey)
            let held = byAgency[key] ?? counts.confirmed(agencyKey: key)
            if let limit = policy.limit(forAgency: key), held >= limit {
                // Skipped, not removed: when their agency frees a seat they are next.
                continue
            }
            promoted.append(entry.id)
            total += 1
            byAgency[key] = held + 1
        }
        return promoted
    }

    /// 1-based positions of the waiting entries, by (joinedAt, sequence).
    public static func positions(_ waitlist: [WaitlistEntry]) -> [UUID: Int] {
        var positions: [UUID: Int] = [:]
        for (offset, entry) in ordered(waitlist).enumerated() {
            positions[entry.id] = offset + 1
        }
        return positions
    }

    /// Waiting order: join time, then registration number; the id only makes the order
    /// total so that it never depends on how the database returned the rows.
    public static func ordered(_ waitlist: [WaitlistEntry]) -> [WaitlistEntry] {
        waitlist.sorted {
            if $0.joinedAt != $1.joinedAt { return $0.joinedAt < $1.joinedAt }
            if $0.sequence != $1.sequence { return $0.sequence < $1.sequence }
            return $0.id.uuidString < $1.id.uuidString
        }
    }
}
