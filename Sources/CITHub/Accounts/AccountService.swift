import Vapor
import Fluent
import SQLKit
import CITDomain

/// The account rules that more than one page needs: creating the first administrator,
/// checking a new password, issuing and redeeming single-use links.
enum AccountService {
    static let firstAdministratorLinkLifetime: TimeInterval = 24 * 3600
    static let invitationLifetime: TimeInterval = 7 * 24 * 3600
    static let passwordResetLifetime: TimeInterval = 3600

    static func hasActiveAdministrator(on db: any Database) async throws -> Bool {
        try await RoleGrant.query(on: db)
            .filter(\.$role == .stateAdministrator)
            .join(User.self, on: \RoleGrant.$user.$id == \User.$id)
            .filter(User.self, \.$disabledAt == nil)
            .count() > 0
    }

    /// A new first-administrator link, or nil when an administrator already exists.
    static func issueFirstAdministratorLink(on db: any Database, publicURL: String, now: Date = Date()) async throws -> String? {
        guard try await !hasActiveAdministrator(on: db) else { return nil }
        let (token, hash) = AccountToken.generate()
        try await AccountToken(
            purpose: .firstAdministrator, tokenHash: hash, userID: nil, expiresAt: now.addingTimeInterval(firstAdministratorLinkLifetime)
        ).create(on: db)
        return publicURL + SiteURL.setup(.value(token)).path
    }

    /// The token's record if it exists, has this purpose, and is unused and unexpired.
    static func usableToken(_ token: String, purpose: AccountToken.Purpose, on db: any Database, now: Date = Date()) async throws
        -> AccountToken?
    {
        guard token.count >= 20, token.count <= 100 else { return nil }
        guard
            let record = try await AccountToken.query(on: db)
                .filter(\.$tokenHash == AccountToken.hash(token))
                .filter(\.$purpose == purpose)
                .first(), record.isUsable(now: now)
        else { return nil }
        return record
    }

    /// Marks a token used, but only if nobody used it first (two tabs, two instances):
    /// the UPDATE's condition makes the single use hold under concurrency.
    static func consume(_ token: AccountToken, on db: any Database, now: Date = Date()) async throws -> Bool {
        // One statement that marks the link used only if it was not, and says whether it
        // did: two requests with the same link (even on two instances) cannot both win.
        guard let sql = db as? any SQLDatabase else { return false }
        let rows = try await sql.update(AccountToken.schema)
            .set("used_at", to: now)
            .where("id", .equal, token.id!)
            .where("used_at", .is, SQLLiteral.null)
            .returning("id")
            .all()
        return rows.count == 1
    }

    /// Problems with a new password, keyed by form field.
    static func passwordErrors(password: String, confirmation: String, email: String?, name: String?) -> [String: String] {
        var errors: [String: String] = [:]
        let problems = PasswordPolicy.bundled().problems(password: password, email: email, name: name)
        if let first = problems.first { errors["password"] = problems.count == 1 ? first : problems.joined(separator: " ") }
        if password != confirmation { errors["password_confirm"] = "The two passwords are not the same." }
        if first(errors["password"]) == nil && confirmation.isEmpty { errors["password_confirm"] = "Type the password again." }
        return errors
    }

    private static func first(_ s: String?) -> String? { s }

    static func emailError(_ email: String) -> String? {
        let trimmed = email.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return "Enter an email address." }
        if trimmed.count > 254 { return "An email address has at most 254 characters." }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !trimmed.contains(where: {
                $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" || $0 == "," || $0.asciiValue.map { $0 < 32 } ?? false
            })
        else { return "Enter an email address like name@example.org." }
        return nil
    }

    static func nameError(_ name: String) -> String? {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return "Enter your name." }
        if trimmed.count > 120 { return "A name has at most 120 characters." }
        if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "A name cannot contain control characters."
        }
        return nil
    }

    static func hash(password: String, on request: Request) async throws -> String {
        try await request.password.async.hash(password)
    }
}
