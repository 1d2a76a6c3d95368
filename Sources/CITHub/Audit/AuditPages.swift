import Vapor
import Fluent
import Plot

/// The audit log page and the table other pages reuse for a record's history.
enum AuditController {
    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get(SiteURL.adminAudit, .readAuditLog, use: list)
    }

    @Sendable static func list(req: Request) async throws -> Response {
        var query = AuditEvent.query(on: req.db).sort(\.$at, .descending).limit(200)
        let action = req.query[String.self, at: "action"].map { String($0.prefix(100)) }
        if let action, !action.isEmpty { query = query.filter(\.$action == action) }
        let events = try await query.all()
        let page = Page(
            title: "Audit log", chrome: req.chrome(),
            main: [
                .h1(.text("Audit log")),
                .p(.text("The newest 200 events: sign-ins (successful and failed), role changes, and every change to records.")),
                table(events),
            ])
        return htmlResponse(page)
    }

    static func table(_ events: [AuditEvent]) -> BodyNode {
        .div(
            .class("table-scroll"), .attribute(named: "tabindex", value: "0"), .attribute(named: "role", value: "region"),
            .attribute(named: "aria-label", value: "Audit events"),
            .table(
                .tr(
                    .th(.text("When (UTC)")), .th(.text("Who")), .th(.text("What")), .th(.text("Record")), .th(.text("Details")),
                    .th(.text("From"))),
                .forEach(events) { event in
                    .tr(
                        .td(.text(event.at.formatted(.iso8601))), .td(.text(event.actor)), .td(.text(event.action)),
                        .td(.text(event.entityType + (event.entityID.map { " " + $0 } ?? ""))), .td(.text(event.details)),
                        .td(.text(event.ip ?? "")))
                }
            ))
    }
}
