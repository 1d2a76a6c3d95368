import Fluent
import Vapor
import SQLKit
import CITDomain

/// A scheduled class of a course, run by a program: its agenda, venue and seats.
final class ClassSession: Model, @unchecked Sendable {
    static let schema = "class_sessions"

    enum Status: String, Codable { case scheduled, cancelled }

    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    @Parent(key: "course_id") var course: Course
    @Field(key: "title") var title: String
    @Field(key: "venue_name") var venueName: String
    @Field(key: "venue_address") var venueAddress: String
    @Field(key: "venue_zip") var venueZIP: String
    @Field(key: "county_fips") var countyFIPS: String
    /// IANA zone of the venue; times are entered and shown in it.
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "capacity") var capacity: Int
    @OptionalField(key: "default_agency_limit") var defaultAgencyLimit: Int?
    @OptionalField(key: "registration_opens_at") var registrationOpensAt: Date?
    @OptionalField(key: "registration_closes_at") var registrationClosesAt: Date?
    @Field(key: "trainers") var trainers: String
    @Field(key: "agenda_json") var agendaJSON: String
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @Field(key: "status") var status: Status
    /// Bumped by every registration and cancellation inside its transaction: the first
    /// write of the transaction, so it takes the class's lock (row lock on PostgreSQL,
    /// the write lock on SQLite) before seats are counted. Also numbers registrations.
    @Field(key: "registration_sequence") var registrationSequence: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var agenda: [AgendaBlock] {
        (try? JSONDecoder().decode([AgendaBlock].self, from: Data(agendaJSON.utf8))) ?? []
    }

    var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "America/Chicago")! }
}

/// A seat limit for one agency in one class.
final class ClassAgencyLimit: Model, @unchecked Sendable {
    static let schema = "class_agency_limits"
    @ID(key: .id) var id: UUID?
    @Parent(key: "class_id") var classSession: ClassSession
    @Field(key: "agency_key") var agencyKey: String
    @Field(key: "agency_name") var agencyName: String
    @Field(key: "seat_limit") var seatLimit: Int
    init() {}
    init(classID: UUID, agencyName: String, limit: Int) {
        $classSession.id = classID; self.agencyName = agencyName; agencyKey = SeatPolicy.agencyKey(agencyName); seatLimit = limit
    }
}

/// A person's place in a class: confirmed, waiting, or cancelled; or, after the public
/// form and before the email address is confirmed, pending.
final class Registration: Model, @unchecked Sendable {
    static let schema = "registrations"

    /// `pending`: the public form was sent, the link mailed to the address was not used
    /// yet. A pending registration is nobody's place: it is on no roster and no waitlist,
    /// gets no mail but the confirmation link, and takes a seat only while `holdUntil`
    /// lies ahead.
    enum Status: String, Codable { case pending, confirmed, waitlisted, cancelled }

    @ID(key: .id) var id: UUID?
    @Parent(key: "class_id") var classSession: ClassSession
    @Field(key: "name") var name: String
    @Field(key: "email") var email: String
    @Field(key: "phone") var phone: String
    @Field(key: "organization") var organization: String
    @Field(key: "agency_key") var agencyKey: String
    @Field(key: "audience") var audience: Audience
    @Field(key: "status") var status: Status
    @Field(key: "sequence") var sequence: Int
    @Field(key: "joined_at") var joinedAt: Date
    /// SHA-256 of the secret in the person's cancel link.
    @Field(key: "manage_token_hash") var manageTokenHash: String
    @OptionalField(key: "promoted_at") var promotedAt: Date?
    @OptionalField(key: "cancelled_at") var cancelledAt: Date?
    @OptionalField(key: "reminder_sent_at") var reminderSentAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    /// SHA-256 of the secret in the link that confirms the email address. Kept after use,
    /// so a second use can be told "already used" rather than "not valid".
    @OptionalField(key: "confirm_token_hash") var confirmTokenHash: String?
    /// When the confirmation link stops working (pending registrations only).
    @OptionalField(key: "confirm_expires_at") var confirmExpiresAt: Date?
    /// A pending registration holds a seat until then; nil when it holds none (the class
    /// was full when the form was sent, or the hold ran out and was released).
    @OptionalField(key: "hold_until") var holdUntil: Date?

    init() {}

    /// Whether this pending registration holds a seat at `now`.
    func holdsSeat(at now: Date) -> Bool { status == .pending && (holdUntil.map { $0 > now } ?? false) }
}
