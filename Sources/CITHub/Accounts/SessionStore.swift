import Vapor
import Fluent
import SQLKit
import CITDomain

/// A signed-in session. The cookie carries a random key; the table keeps only its
/// SHA-256, so a copy of the database (a backup, a read replica, a leaked dump) holds
/// no session anyone can use. The owner's id is a column of its own, so that a password
/// reset, a disabled account or a role change can end every session of that person.
// Fluent models are reference types mutated by the ORM and confined to one request's
// task at a time, which is why `@unchecked Sendable` is sound here.
final class AccountSession: Model, @unchecked Sendable {
    static let schema = "account_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "key_hash") var keyHash: String
    @OptionalField(key: "user_id") var userID: UUID?
    /// The session's values as a JSON object of strings (Vapor's `SessionData`).
    @Field(key: "data") var data: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date

    init() {}

    init(keyHash: String, userID: UUID?, data: String, createdAt: Date) {
        self.keyHash = keyHash
        self.userID = userID
        self.data = data
        self.createdAt = createdAt
        self.lastSeenAt = createdAt
    }
}

/// Vapor's session driver over `AccountSession`: hashed keys, an idle timeout and an
/// absolute lifetime checked on every read (`SessionPolicy`).
struct HashedSessionDriver: AsyncSessionDriver {
    let policy: SessionPolicy

    /// Where Vapor's `SessionAuthenticatable` keeps the signed-in user's id.
    static let userKey = "_UserSession"

    /// 32 random bytes, base64url without padding: 43 characters.
    static func newKey() -> String { [UInt8].random(count: 32).base64URLEncoded }

    /// A cookie value of any other shape is not looked up at all.
    static func isWellFormed(_ key: String) -> Bool {
        key.utf8.count == 43
            && key.utf8.allSatisfy { b in
                (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F
            }
    }

    static func hash(_ key: String) -> String { SHA256.hash(data: Data(key.utf8)).hex }

    static func encode(_ data: SessionData) -> String {
        (try? JSONEncoder().encode(data.snapshot)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func decode(_ text: String) -> SessionData {
        SessionData(initialData: (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:])
    }

    static func userID(in data: SessionData) -> UUID? { data[userKey].flatMap(UUID.init(uuidString:)) }

    /// The row read for this request, so that an unchanged session within the touch
    /// interval costs no write.
    private struct ReadKey: StorageKey { typealias Value = AccountSession }

    func createSession(_ data: SessionData, for request: Request) async throws -> SessionID {
        let key = Self.newKey()
        // An empty session (a stale cookie, a signed-out visitor) is not stored: it would
        // add a row per request and hold nothing.
        guard !data.snapshot.isEmpty else { return SessionID(string: key) }
        let now = Date()
        try await AccountSession(keyHash: Self.hash(key), userID: Self.userID(in: data), data: Self.encode(data), createdAt: now)
            .create(on: request.db)
        // Expired rows are removed now and then, by whichever sign-in comes along.
        if Int.random(in: 0..<50) == 0 { try? await Self.deleteExpired(policy: policy, on: request.db, now: now) }
        return SessionID(string: key)
    }

    func readSession(_ sessionID: SessionID, for request: Request) async throws -> SessionData? {
        guard Self.isWellFormed(sessionID.string),
            let record = try await AccountSession.query(on: request.db).filter(\.$keyHash == Self.hash(sessionID.string)).first()
        else { return nil }
        guard policy.isUsable(createdAt: record.createdAt, lastSeenAt: record.lastSeenAt, now: Date()) else {
            try await record.delete(on: request.db)
            return nil
        }
        request.storage[ReadKey.self] = record
        return Self.decode(record.data)
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) async throws -> SessionID {
        let keyHash = Self.hash(sessionID.string)
        if data.snapshot.isEmpty {
            try await AccountSession.query(on: request.db).filter(\.$keyHash == keyHash).delete()
            return sessionID
        }
        let now = Date()
        let encoded = Self.encode(data)
        if let read = request.storage[ReadKey.self], read.keyHash == keyHash, read.data == encoded,
            !policy.needsTouch(lastSeenAt: read.lastSeenAt, now: now)
        {
            return sessionID
        }
        // An UPDATE, never an insert: a session ended meanwhile (a password reset in
        // another tab) must not come back when this request finishes.
        try await AccountSession.query(on: request.db).filter(\.$keyHash == keyHash)
            .set(\.$data, to: encoded)
            .set(\.$userID, to: Self.userID(in: data))
            .set(\.$lastSeenAt, to: now)
            .update()
        return sessionID
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) async throws {
        try await AccountSession.query(on: request.db).filter(\.$keyHash == Self.hash(sessionID.string)).delete()
    }

    static func deleteExpired(policy: SessionPolicy, on db: any Database, now: Date = Date()) async throws {
        try await AccountSession.query(on: db).group(.or) { group in
            group.filter(\.$lastSeenAt <= now.addingTimeInterval(-policy.idleTimeout))
                .filter(\.$createdAt <= now.addingTimeInterval(-policy.absoluteLifetime))
        }.delete()
    }
}

enum AccountSessions {
    /// Ends every session of `userID` except, when `request` is one of that person's
    /// own sessions and `keepingCurrent` is true, the one making the request.
    static func end(for userID: UUID, on db: any Database, request: Request? = nil, keepingCurrent: Bool = false) async throws {
        var query = AccountSession.query(on: db).filter(\.$userID == userID)
        if keepingCurrent, let request, request.hasSession, let current = request.session.id {
            query = query.filter(\.$keyHash != HashedSessionDriver.hash(current.string))
        }
        try await query.delete()
    }
}
