import Vapor
import Fluent
import SQLKit
import CITDomain

/// Sends what is in the outbox. Several instances may run it at once: each run claims a
/// batch with one UPDATE (a row can only be claimed by one run until its claim expires),
/// so a message is sent once. A crash between sending and recording "sent" can repeat
/// that one message after the claim expires; that is the price of never losing one.
struct MailDelivery: Sendable {
    let database: any Database
    let smtp: SMTPClient
    let from: String
    let logger: Logger
    var policy = MailRetryPolicy()
    var batchSize = 20
    var claimSeconds: TimeInterval = 120
    /// How long sent (and given-up) mail is kept before a pass deletes it
    /// (CITHUB_MAIL_RETENTION_DAYS, default 30).
    var retention: TimeInterval = 30 * 86400

    struct RunResult: Equatable { var sent = 0; var retried = 0; var failed = 0 }

    /// One pass: claim due messages, send them, record the outcome.
    func runOnce(now: Date = Date()) async throws -> RunResult {
        guard let sql = database as? any SQLDatabase else { return RunResult() }
        try await purge(now: now)
        let token = UUID().uuidString
        // Claim in one statement. The sub-select picks due, unclaimed (or expired) rows.
        try await sql.raw(
            """
            UPDATE outbox_messages SET claim_token = \(bind: token), claimed_until = \(bind: now.addingTimeInterval(claimSeconds))
            WHERE id IN (
                SELECT id FROM outbox_messages
                WHERE status = 'pending' AND next_attempt_at <= \(bind: now)
                  AND (claimed_until IS NULL OR claimed_until < \(bind: now))
                ORDER BY next_attempt_at LIMIT \(unsafeRaw: String(batchSize))
            ) AND (claimed_until IS NULL OR claimed_until < \(bind: now))
            """
        ).run()
        let claimed = try await OutboxMessage.query(on: database).filter(\.$claimToken == token).filter(\.$status == .pending).all()
        guard !claimed.isEmpty else { return RunResult() }

        var result = RunResult()
        let batch = claimed.map { (message: $0.mailMessage(from: from), id: "\($0.id!.uuidString.lowercased())@cithub") }
        let outcomes: [(any Error)?]
        do {
            outcomes = try await smtp.send(batch, date: now)
        } catch {
            // The connection failed: every message in the batch is retried later.
            outcomes = Array(repeating: error, count: claimed.count)
        }
        for (message, outcome) in zip(claimed, outcomes) {
            message.claimToken = nil
            message.claimedUntil = nil
            if let error = outcome {
                message.attempts += 1
                message.lastError = String(describing: error).prefix(500).description
                let permanent = (error as? SMTPClient.SMTPError)?.isPermanent ?? false
                if !permanent, let delay = policy.delay(afterFailedAttempts: message.attempts) {
                    message.nextAttemptAt = now.addingTimeInterval(delay)
                    result.retried += 1
                } else {
                    message.status = .failed
                    result.failed += 1
                }
                logger.warning(
                    "mail not sent",
                    metadata: [
                        "id": .string(message.id!.uuidString), "attempts": .stringConvertible(message.attempts),
                        "error": .string(message.lastError ?? ""),
                    ])
            } else {
                message.status = .sent
                message.sentAt = now
                message.attempts += 1
                // The one-time links went out with the message; the stored copy (which
                // administrators, backups and anyone with the database can read) keeps
                // none that still works.
                message.bodyText = LinkRedaction.redact(message.bodyText)
                result.sent += 1
            }
            try await message.update(on: database)
        }
        if result.sent > 0 { logger.info("mail sent", metadata: ["count": .stringConvertible(result.sent)]) }
        return result
    }

    /// Deletes mail sent more than `retention` ago, and mail given up that long after it
    /// was written. Pending mail stays however old it is. Run at the start of every pass,
    /// so the server's loop and `cithub send-mail` both keep the outbox short; also drops
    /// rate-limit counts whose window is long over.
    func purge(now: Date = Date()) async throws {
        let cutoff = now.addingTimeInterval(-retention)
        try await OutboxMessage.query(on: database).filter(\.$status == .sent).filter(\.$sentAt < cutoff).delete()
        try await OutboxMessage.query(on: database).filter(\.$status == .failed).filter(\.$createdAt < cutoff).delete()
        try await RateLimitStore(database: database).purge(now: now)
    }
}

/// Runs `MailDelivery` every few seconds inside the server while SMTP is configured, and
/// stops cleanly when the server shuts down.
final class MailDeliveryService: LifecycleHandler, @unchecked Sendable {
    // `task` is only touched from the lifecycle callbacks, which Vapor calls one at a time.
    private var task: Task<Void, Never>?
    let interval: Duration

    init(interval: Duration = .seconds(2)) { self.interval = interval }

    func didBootAsync(_ application: Application) async throws {
        guard application.mailDelivery != nil else { return }
        let interval = self.interval
        let settings = application.settings
        task = Task {
            while !Task.isCancelled {
                // Looked up each pass: the database watchdog may have replaced the pool.
                guard let delivery = application.mailDelivery else { return }
                let db = application.db
                // Seat holds that ran out go to the waitlist within seconds, and their mail
                // with this pass. On its own: a failure here must not stop delivery.
                do {
                    // The class list counts seats and waiting people: a release changed them.
                    if try await RegistrationHolds.release(on: db, settings: settings).classes > 0 {
                        application.pageCache.invalidate(prefix: SiteURL.classes.path)
                    }
                } catch {
                    delivery.logger.error("registration hold pass failed", metadata: ["error": .string(String(reflecting: error))])
                }
                // Reminders are queued by their own job (`ReminderService`), SMTP or not.
                do {
                    _ = try await delivery.runOnce()
                } catch {
                    delivery.logger.error("mail delivery pass failed", metadata: ["error": .string(String(reflecting: error))])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        task?.cancel()
        await task?.value
    }
}

extension Application {
    /// Delivery over the configured SMTP server, or nil when `SMTP_URL` is not set (mail
    /// then stays in the outbox, where an administrator can read it).
    var mailDelivery: MailDelivery? {
        guard let url = settings.smtpURL, let smtp = try? SMTPClient(url: url) else { return nil }
        var delivery = MailDelivery(database: db, smtp: smtp, from: settings.mailFrom, logger: logger)
        delivery.retention = TimeInterval(settings.mailRetentionDays) * 86400
        return delivery
    }
}
