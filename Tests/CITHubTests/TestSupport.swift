import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import CITHub
import CITDomain

/// Runs `body` against a fresh application: an in-memory SQLite database, or, when
/// DATABASE_URL points at PostgreSQL, a schema of its own that is dropped afterwards, so
/// tests run side by side on either database.
func withCITHub(
    configure adjust: (inout Settings) -> Void = { _ in },
    _ body: (Application) async throws -> Void
) async throws {
    var settings = Settings.forTesting()
    var schema: String?
    if case .postgres = settings.storage {
        schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        settings.postgresSchema = schema
        // Swift Testing starts every test at once; each application holds a connection
        // per event loop, and PostgreSQL allows 100 by default. So at most a few at a time.
        await TestGate.postgres.enter()
    }
    defer { if schema != nil { Task { await TestGate.postgres.leave() } } }
    // Each test gets its own SQLite file, configured as a server's is (write-ahead log,
    // a sleeping busy timeout, its own blocking threads). In-memory databases lock
    // differently: sqlite-nio's busy handler spins on NIO's shared two-thread pool, which
    // every test shares, so one test's waiting writers stalled other tests' sign-ins for
    // the 30 s request deadline.
    var scratch: URL?
    if case .sqliteMemory = settings.storage {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cithub-test-\(UUID().uuidString)")
        scratch = directory
        settings.storage = .sqliteFile(path: directory.appendingPathComponent("test.sqlite").path)
    }
    defer { if let scratch { try? FileManager.default.removeItem(at: scratch) } }
    adjust(&settings)
    let app = try await Application.make(.testing)
    do {
        try await configure(app, settings: settings, bcryptCost: 4)
        try await prepareSQLite(app)
        if let schema {
            try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA \(ident: schema)").run()
        }
        try await app.autoMigrate()
        try await body(app)
        if let schema {
            try await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(ident: schema) CASCADE").run()
        }
    } catch {
        if let schema { try? await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

/// A browser for tests: keeps cookies, reads the CSRF token from forms, follows nothing
/// by itself (tests look at every redirect).
final class TestBrowser: @unchecked Sendable {
    let app: Application
    var cookies: [String: String] = [:]

    init(_ app: Application) { self.app = app }

    @discardableResult
    func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        try await send(.GET, path, headers: headers)
    }

    /// Posts a form with the browser's CSRF token (fetched from `tokenFrom` first if the
    /// browser has none yet).
    @discardableResult
    func post(_ path: String, _ form: [String: String], csrf: Bool = true) async throws -> TestingHTTPResponse {
        var fields = form
        if csrf {
            if cookies[CSRF.cookieName] == nil { try await get(SiteURL.login.path) }
            fields[CSRF.fieldName] = cookies[CSRF.cookieName]
        }
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        let body = fields.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil) async throws -> TestingHTTPResponse
    {
        var headers = headers
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: body)
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";", maxSplits: 1)[0]
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if header.lowercased().contains("expires=thu, 01 jan 1970") || parts[1].isEmpty {
                cookies[parts[0]] = nil
            } else {
                cookies[parts[0]] = parts[1]
            }
        }
        return response
    }

    static func encode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? s
    }
}

extension TestingHTTPResponse {
    var text: String { String(buffer: body) }
    var location: String? { headers.first(name: .location) }
}

enum Fixtures {
    static let password = "lantern orchard pebble 42"

    /// A user with a password and the given role, straight into the database.
    @discardableResult
    static func user(_ app: Application, email: String, role: Role?, scope: String? = nil, disabled: Bool = false) async throws -> User {
        let user = User(
            email: email, name: email.components(separatedBy: "@")[0].capitalized,
            passwordHash: try app.password.hash(password))
        if disabled { user.disabledAt = Date() }
        try await user.create(on: app.db)
        if let role { try await RoleGrant(userID: user.id!, role: role, scopeID: scope).create(on: app.db) }
        return user
    }

    /// A browser signed in as a new user with the role.
    static func signedIn(_ app: Application, role: Role, email: String? = nil) async throws -> (TestBrowser, User) {
        let user = try await self.user(app, email: email ?? "\(role.rawValue)-\(UUID().uuidString.prefix(6))@example.org", role: role)
        let browser = TestBrowser(app)
        let response = try await browser.post(SiteURL.login.path, ["email": user.email, "password": password])
        #expect(response.status == .seeOther, "sign-in as \(role) failed: \(response.status)")
        return (browser, user)
    }

    /// The first link to this site in a text.
    static func link(in text: String, path: String) -> String? {
        guard let range = text.range(of: #"http://127\.0\.0\.1:8080\#(path)/[A-Za-z0-9_-]+"#, options: .regularExpression) else {
            return nil
        }
        return String(text[range]).replacingOccurrences(of: "http://127.0.0.1:8080", with: "")
    }
}

/// A counting semaphore for async tests.
actor TestGate {
    static let postgres = TestGate(limit: 6)

    private let limit: Int
    private var inside = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    func enter() async {
        if inside < limit { inside += 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { inside -= 1 } else { waiting.removeFirst().resume() }
    }
}
