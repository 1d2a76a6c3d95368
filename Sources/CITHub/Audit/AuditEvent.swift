import Fluent
import Vapor

/// One line of the audit log: who did what to which record, when, from where.
/// Written in the same transaction as the change it describes, so the log and the
/// data never disagree.
final class AuditEvent: Model, @unchecked Sendable {
    static let schema = "audit_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @OptionalField(key: "actor_id") var actorID: UUID?
    /// The actor as shown later, even if the account is gone: an email or "system".
    @Field(key: "actor") var actor: String
    @Field(key: "action") var action: String
    @Field(key: "entity_type") var entityType: String
    @OptionalField(key: "entity_id") var entityID: String?
    @Field(key: "details") var details: String
    @OptionalField(key: "ip") var ip: String?

    init() {}

    init(
        actorID: UUID?, actor: String, action: String, entityType: String, entityID: String?, details: String, ip: String?,
        at: Date = Date()
    ) {
        self.at = at
        self.actorID = actorID
        self.actor = actor
        self.action = action
        self.entityType = entityType
        self.entityID = entityID
        self.details = details
        self.ip = ip
    }
}

/// Writes audit events for a request: the actor and address come from the request, so
/// controllers only say what happened.
struct AuditTrail {
    let request: Request

    func record(
        _ action: String, entityType: String, entityID: String?, details: String = "",
        actor: User? = nil, on database: (any Database)? = nil
    ) async throws {
        let who = actor ?? request.auth.get(User.self)
        let event = AuditEvent(
            actorID: who?.id,
            actor: who?.email ?? "anonymous",
            action: action,
            entityType: entityType,
            entityID: entityID,
            details: String(details.prefix(2000)),
            ip: request.clientAddress
        )
        try await event.create(on: database ?? request.db)
    }
}

extension Request {
    var audit: AuditTrail { AuditTrail(request: self) }
}
