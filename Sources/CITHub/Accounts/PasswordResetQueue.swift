import Vapor
import Fluent
import NIOConcurrencyHelpers
import CITDomain

/// "Forgot your password" answers before it looks anything up. Looking up the account,
/// making a token and writing the mail took several milliseconds more for an address with
/// an account than for one without, so the answer's timing told who has an account. Now
/// the request does the same work for every address (check the form, count the rate
/// limits, hand the address to this queue) and the account work runs after the answer.
///
/// The queue lives in the process: a crash between the answer and the work loses that one
/// request (the person asks again). Shutdown waits for the work in hand.
final class PasswordResetQueue: Sendable {
    private let tasks = NIOLockedValueBox<[UUID: Task<Void, Never>]>([:])

    /// Starts the account work for `email`; returns at once.
    func enqueue(email: String, application: Application, clientAddress: String?) {
        let id = UUID()
        let task = Task {
            await Self.process(email: email, application: application, clientAddress: clientAddress)
            _ = self.tasks.withLockedValue { $0.removeValue(forKey: id) }
        }
        tasks.withLockedValue { $0[id] = task }
    }

    /// Waits until the work queued so far is done (shutdown, tests).
    func settle() async {
        while true {
            // A task that finished before `enqueue` stored it removed nothing, so its
            // entry would stay for ever and this loop would spin: each awaited task's
            // entry is removed here too.
            let pending = tasks.withLockedValue { Array($0) }
            if pending.isEmpty { return }
            for (id, task) in pending {
                await task.value
                _ = tasks.withLockedValue { $0.removeValue(forKey: id) }
            }
        }
    }

    static func settle(_ app: Application) async throws { await app.passwordResetQueue.settle() }

    /// The work that used to run in the request: a token and a mail for an account that
    /// may reset its password, nothing for any other address.
    static func process(email: String, application: Application, clientAddress: String?) async {
        let db = application.db
        let settings = application.settings
        do {
            guard let user = try await User.query(on: db).filter(\.$email == email).first(), !user.isDisabled, user.hasAcceptedInvitation
            else { return }
            let (token, hash) = AccountToken.generate()
            try await db.transaction { tx in
                try await AccountToken(
                    purpose: .passwordReset, tokenHash: hash, userID: user.id,
                    expiresAt: Date().addingTimeInterval(AccountService.passwordResetLifetime)
                ).create(on: tx)
                try await Outbox(database: tx, from: settings.mailFrom).enqueue(
                    to: user.email, subject: "Choose a new CIT Hub password",
                    text: """
                        Hello \(user.name),

                        Someone (we hope you) asked to reset the password of your CIT Hub account.
                        Open this link within one hour to choose a new password. It works once.

                        \(settings.publicURL + SiteURL.resetPassword(.value(token)).path)

                        If you did not ask for this, ignore this message: your password stays as it is.

                        \(settings.organization.name)
                        """)
                try await AuditEvent(
                    actorID: user.id, actor: user.email, action: "password_reset.requested", entityType: "user",
                    entityID: user.id?.uuidString, details: "", ip: clientAddress
                ).create(on: tx)
            }
        } catch {
            application.logger.error("password reset request failed", metadata: ["error": .string(String(reflecting: error))])
        }
    }

    /// Waits for queued work when the server stops, before the database closes.
    struct Drain: LifecycleHandler {
        func shutdownAsync(_ application: Application) async { await application.passwordResetQueue.settle() }
    }
}

extension Application {
    private struct PasswordResetQueueKey: StorageKey { typealias Value = PasswordResetQueue }
    private static let passwordResetQueueLock = NIOLock()

    var passwordResetQueue: PasswordResetQueue {
        Self.passwordResetQueueLock.withLock {
            if let queue = storage[PasswordResetQueueKey.self] { return queue }
            let queue = PasswordResetQueue()
            storage[PasswordResetQueueKey.self] = queue
            return queue
        }
    }
}
