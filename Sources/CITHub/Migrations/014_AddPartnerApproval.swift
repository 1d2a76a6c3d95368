import Fluent
import CITDomain

/// Adds `approved_at` / `approved_by` to program partners (issue 13, part 2).
///
/// Existing rows are approved only where the audit log shows that someone who is a state
/// administrator added them; that event's time and actor become the approval. Every other
/// row waits for an administrator's approval:
/// - the starter partners were copied from public web pages at first start by the
///   system, and nobody in this installation has reviewed them;
/// - a row a coordinator added is exactly how a coordinator could have named another
///   agency as a partner, so it must not carry access over;
/// - rows a merge moved have no "added" event for their new program.
/// Before this change no one's exact access came from partners (it came from counties),
/// so waiting rows take away nothing the new rule would have given; an administrator
/// approves each with one button on the program's edit page.
struct M014_AddPartnerApproval: AsyncMigration {
    /// The name it shipped under (its type name then); installations have it recorded as applied.
    var name: String { "CITHub.DirectoryMigrations.AddPartnerApproval" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        try await database.schema(ProgramPartner.schema).field("approved_at", .datetime).update()
        try await database.schema(ProgramPartner.schema).field("approved_by", .string).update()

        let added = try await AuditEvent.query(on: database).filter(\.$action == "program.partner_added").sort(\.$at).all()
        guard !added.isEmpty else { return }
        let administrators = Set(try await RoleGrant.query(on: database).filter(\.$role == .stateAdministrator).all().map(\.$user.id))
        for link in try await ProgramPartner.query(on: database).with(\.$organization).all() {
            let program = link.$program.id.uuidString.lowercased()
            let name = ProgramPartner.auditName(organization: link.organization, role: link.role)
            // The latest time it was added: a partner removed and added again counts as the second adding.
            guard let event = added.last(where: { $0.entityID?.lowercased() == program && $0.details == name }),
                  let actor = event.actorID, administrators.contains(actor) else { continue }
            link.approvedAt = event.at
            link.approvedBy = event.actor
            try await link.save(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ProgramPartner.schema).deleteField("approved_by").update()
        try await database.schema(ProgramPartner.schema).deleteField("approved_at").update()
    }
}
