import Fluent
import Vapor
import CITDomain

/// A message waiting to be sent, or sent. Mail is written here in the same transaction as
/// the change that causes it (an invitation, a confirmation), so a crash cannot send a
/// message for a change that did not happen, nor lose one for a change that did.
final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox_messages"

    enum Status: String, Codable { case pending, sent, failed }

    @ID(key: .id) var id: UUID?
    @Field(key: "to_address") var toAddress: String
    @Field(key: "subject") var subject: String
    @Field(key: "body_text") var bodyText: String
    /// Attachments as JSON (`[StoredAttachment]`), nil when there are none.
    @OptionalField(key: "attachments_json") var attachmentsJSON: String?
    @Field(key: "status") var status: Status
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "sent_at") var sentAt: Date?
    /// Which delivery run holds the message; a claim expires so a crashed instance's
    /// messages are picked up again.
    @OptionalField(key: "claim_token") var claimToken: String?
    @OptionalField(key: "claimed_until") var claimedUntil: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(message: MailMessage, now: Date = Date()) {
        self.toAddress = message.to
        self.subject = message.subject
        self.bodyText = message.text
        if !message.attachments.isEmpty {
            let stored = message.attachments.map {
                StoredAttachment(filename: $0.filename, contentType: $0.contentType, base64: $0.data.base64EncodedString())
            }
            self.attachmentsJSON = String(data: try! JSONEncoder().encode(stored), encoding: .utf8)
        }
        self.status = .pending
        self.attempts = 0
        self.nextAttemptAt = now
    }

    struct StoredAttachment: Codable {
        var filename: String
        var contentType: String
        var base64: String
    }

    func mailMessage(from: String) -> MailMessage {
        let stored = attachmentsJSON.flatMap { try? JSONDecoder().decode([StoredAttachment].self, from: Data($0.utf8)) } ?? []
        return MailMessage(
            from: from, to: toAddress, subject: subject, text: bodyText,
            attachments: stored.map {
                .init(filename: $0.filename, contentType: $0.contentType, data: Data(base64Encoded: $0.base64) ?? Data())
            })
    }
}

/// Puts mail in the outbox. The delivery loop (or `cithub send-mail`) sends it.
struct Outbox {
    let database: any Database
    let from: String

    @discardableResult
    func enqueue(to: String, subject: String, text: String, attachments: [MailMessage.Attachment] = []) async throws -> OutboxMessage {
        let message = OutboxMessage(message: MailMessage(from: from, to: to, subject: subject, text: text, attachments: attachments))
        try await message.create(on: database)
        return message
    }
}
