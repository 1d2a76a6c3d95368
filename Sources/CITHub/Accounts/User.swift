import Fluent
import Vapor
import CITDomain

/// A person with an account. Invited people exist before they set a password
/// (`passwordHash == nil`); disabled people keep their history but cannot sign in.
// Fluent models are reference types mutated by the ORM; they are confined to one
// request's task at a time, which is why `@unchecked Sendable` is sound here.
final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @OptionalField(key: "password_hash") var passwordHash: String?
    @OptionalField(key: "disabled_at") var disabledAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Children(for: \.$user) var roleGrants: [RoleGrant]

    init() {}

    init(id: UUID? = nil, email: String, name: String, passwordHash: String? = nil) {
        self.id = id
        self.email = User.normalize(email: email)
        self.name = name
        self.passwordHash = passwordHash
    }

    static func normalize(email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    var isDisabled: Bool { disabledAt != nil }
    var hasAcceptedInvitation: Bool { passwordHash != nil }
}

/// One role a person holds, with its scope (a program or an agency id) where the role
/// needs one. A coordinator of two programs has two grants.
final class RoleGrant: Model, @unchecked Sendable {
    static let schema = "role_grants"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "role") var role: Role
    @OptionalField(key: "scope_id") var scopeID: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(userID: UUID, role: Role, scopeID: String? = nil) {
        self.$user.id = userID
        self.role = role
        self.scopeID = scopeID
    }
}

/// A single-use link sent by mail or printed at first start. Only the SHA-256 of the
/// token is stored, so a copy of the database does not hand out working links.
final class AccountToken: Model, @unchecked Sendable {
    static let schema = "account_tokens"

    enum Purpose: String, Codable {
        case firstAdministrator = "first_administrator"
        case invitation
        case passwordReset = "password_reset"
        case signInLink = "sign_in_link"
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "purpose") var purpose: Purpose
    @Field(key: "token_hash") var tokenHash: String
    @OptionalParent(key: "user_id") var user: User?
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(purpose: Purpose, tokenHash: String, userID: UUID?, expiresAt: Date) {
        self.purpose = purpose
        self.tokenHash = tokenHash
        self.$user.id = userID
        self.expiresAt = expiresAt
    }

    /// A fresh random token (256 bits, URL-safe) and the hash to store for it.
    static func generate() -> (token: String, hash: String) {
        let token = [UInt8].random(count: 32).base64URLEncoded
        return (token, hash(token))
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hex
    }

    func isUsable(now: Date = Date()) -> Bool { usedAt == nil && expiresAt > now }
}

/// A failed sign-in, keyed by account ("email:…") and by client ("ip:…"). Kept in the
/// database rather than in memory so that every instance sees the same count.
final class SignInFailure: Model, @unchecked Sendable {
    static let schema = "sign_in_failures"

    @ID(key: .id) var id: UUID?
    @Field(key: "key") var key: String
    @Field(key: "failed_at") var failedAt: Date

    init() {}

    init(key: String, failedAt: Date) {
        self.key = key
        self.failedAt = failedAt
    }
}

extension Array where Element == UInt8 {
    static func random(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    var base64URLEncoded: String {
        Data(self).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
