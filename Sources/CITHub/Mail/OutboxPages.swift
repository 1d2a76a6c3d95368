import Vapor
import Fluent
import Plot
import CITDomain

/// The outbox page: what mail is waiting, sent or failed. Without SMTP configured, this is
/// where a newcomer reads an invitation or a reset link: the list never shows a live
/// one-time link; an administrator opens the one message they need, and each such opening
/// is written to the audit log. With SMTP configured the links are never shown (mail goes
/// to its owner; one administrator must not be able to reset another's password from here),
/// and once a message is delivered its stored copy no longer holds them at all.
enum OutboxController {
    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get(SiteURL.adminOutbox, .readOutbox, use: list)
        protected.get(SiteURL.adminOutboxMessage(.key), .readOutbox, use: show)
    }

    @Sendable static func list(req: Request) async throws -> Response {
        let messages = try await OutboxMessage.query(on: req.db).sort(\.$createdAt, .descending).limit(100).all()
        let configured = req.application.settings.smtpURL != nil
        let page = Page(
            title: "Mail outbox", chrome: req.chrome(),
            main: [
                .h1(.text("Mail outbox")),
                .p(
                    .text(
                        configured
                            ? "Mail is delivered over SMTP every few seconds. Failed deliveries are retried with growing delays. One-time links (invitations, password resets, registrations) are not shown here: they go only to the person they were sent to."
                            : "SMTP_URL is not set, so mail is not sent: it waits here. To finish an invitation or a password reset, open that message to see its link (each opening is recorded in the audit log), or set SMTP_URL and restart."
                    )),
                .forEach(messages) { message in
                    let hasLink = LinkRedaction.containsSecretLink(message.bodyText)
                    return .element(
                        named: "article",
                        nodes: [
                            .attribute(named: "class", value: "card"),
                            .h2(.text(message.subject)),
                            .p(
                                .text("To \(message.toAddress) · created \(message.createdAt?.formatted(.iso8601) ?? "") · "),
                                .span(.class("status-\(message.status.rawValue)"), .text(message.status.rawValue)),
                                .text(message.attempts > 0 ? " · \(message.attempts) attempt(s)" : ""),
                                .unwrap(message.lastError) { .text(" · last error: \($0)") }),
                            .element(
                                named: "pre",
                                nodes: [
                                    .attribute(named: "class", value: "mail"),
                                    .text(LinkRedaction.redact(message.bodyText, with: LinkRedaction.hidden)),
                                ]),
                            .if(
                                hasLink && !configured,
                                .p(
                                    .a(
                                        .href(SiteURL.adminOutboxMessage(.value(message.id!.uuidString.lowercased())).path),
                                        .text("Open this message to see its link")))),
                        ])
                },
                .if(messages.isEmpty, .p(.text("No mail yet."))),
            ])
        return htmlResponse(page)
    }

    /// One message. Its links are shown only while SMTP is not configured, and then the
    /// opening is audited; otherwise they read as hidden, as in the list.
    @Sendable static func show(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let message = try await OutboxMessage.find(id, on: req.db)
        else {
            throw Abort(
                .notFound,
                reason:
                    "There is no such message in the outbox. Sent mail is deleted after \(req.application.settings.mailRetentionDays) days."
            )
        }
        let configured = req.application.settings.smtpURL != nil
        let showLinks = !configured && LinkRedaction.containsSecretLink(message.bodyText)
        if showLinks {
            try await req.audit.record(
                "outbox.link_viewed", entityType: "outbox_message", entityID: message.id!.uuidString,
                details: "one-time link in \"\(message.subject)\" to \(message.toAddress)")
        }
        let page = Page(
            title: message.subject, chrome: req.chrome(),
            main: [
                .p(.a(.href(SiteURL.adminOutbox.path), .text("← Mail outbox"))),
                .h1(.text(message.subject)),
                .p(.text("To \(message.toAddress) · created \(message.createdAt?.formatted(.iso8601) ?? "") · \(message.status.rawValue)")),
                .if(
                    showLinks,
                    .p(
                        .text(
                            "This message holds a one-time link. Your opening of it is recorded in the audit log. Pass the link only to \(message.toAddress)."
                        ))),
                .element(
                    named: "pre",
                    nodes: [
                        .attribute(named: "class", value: "mail"),
                        .text(showLinks ? message.bodyText : LinkRedaction.redact(message.bodyText, with: LinkRedaction.hidden)),
                    ]),
            ])
        let response = htmlResponse(page)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return response
    }
}
