import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

/// Issue 13, part 5: API tokens expire (default one year, shown when made) and are refused
/// at once when their owner could not sign in (disabled, or invitation never accepted).
@Suite("API tokens expire and follow their owner's account")
struct APITokenExpiryTests {
    /// A class with one registrant, and a coordinator who may read its roster.
    static func rosterSetup(_ app: Application) async throws -> (path: String, coordinator: User) {
        try await loadDirectory(app)
        let (classID, _) = try await ClassFixtures.createClass(app)
        _ = try await ClassFixtures.register(app, classID, ClassFixtures.registrant(1))
        let program = try await programID(app, named: "NAMI Dane County CIT/CIP")
        let coordinator = try await Fixtures.user(app, email: "expiry-coord@example.org", role: .programCoordinator, scope: program)
        return ("/api/v1/classes/\(classID.uuidString)/roster", coordinator)
    }

    static func get(_ app: Application, _ path: String, token: String) async throws -> (status: HTTPStatus, body: [String: Any]) {
        let response = try await app.testing().sendRequest(.GET, path, headers: ["Authorization": "Bearer \(token)"])
        let body = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
        #expect(response.status != .ok || response.headers.contentType == .json)
        if response.status == .unauthorized {
            #expect(response.headers.contentType.map { "\($0.type)/\($0.subType)" } == "application/problem+json")
            #expect(body["status"] as? Int == 401)
            #expect(response.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
        }
        return (response.status, body)
    }

    @Test("a token made on the page says when it stops working; the default is one year, 30 and 90 days can be chosen")
    func madeTokenShowsExpiry() async throws {
        try await withCITHub { app in
            // setup
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            let owner = try await Fixtures.user(app, email: "expiry-owner@example.org", role: .agencyLiaison)
            let form = try await admin.get(APITokensController.path)
            #expect(form.text.contains(#"name="expires_in""#))
            #expect(form.text.contains("30 days") && form.text.contains("90 days") && form.text.contains("1 year"))
            // MUT
            let made = try await admin.post(APITokensController.path, ["email": owner.email, "name": "Nightly import"])
            let short = try await admin.post(APITokensController.path, ["email": owner.email, "name": "Trial", "expires_in": "30"])
            let odd = try await admin.post(APITokensController.path, ["email": owner.email, "name": "Odd", "expires_in": "5000"])
            // validate
            #expect(made.status == .created)
            #expect(made.text.contains("This token works until"))
            let yearToken = try #require(try await APIToken.query(on: app.db).filter(\.$name == "Nightly import").first())
            let yearExpiry = try #require(yearToken.expiresAt)
            #expect(abs(yearExpiry.timeIntervalSinceNow - 365 * 86_400) < 120)
            #expect(made.text.contains("This token works until \(APIToken.day(yearExpiry, app))"))
            #expect(short.status == .created)
            let monthToken = try #require(try await APIToken.query(on: app.db).filter(\.$name == "Trial").first())
            #expect(abs(try #require(monthToken.expiresAt).timeIntervalSinceNow - 30 * 86_400) < 120)
            #expect(short.text.contains("This token works until \(APIToken.day(monthToken.expiresAt!, app))"))
            #expect(odd.status == .unprocessableEntity)
            #expect(odd.text.contains("Choose how long the token works"))
            let list = try await admin.get(APITokensController.path)
            #expect(list.text.contains("Works until"))
            #expect(list.text.contains(APIToken.day(yearExpiry, app)) && list.text.contains(APIToken.day(monthToken.expiresAt!, app)))
        }
    }

    @Test("a fresh token reads a roster; once expired it gets 401 saying it expired")
    func expiredToken() async throws {
        try await withCITHub { app in
            // setup
            let (path, coordinator) = try await Self.rosterSetup(app)
            let secret = try await APIRouteTests.token(app, for: coordinator)
            // MUT + validate: fresh works
            let fresh = try await Self.get(app, path, token: secret)
            #expect(fresh.status == .ok)
            // MUT: the token's expiry passes
            let stored = try #require(try await APIToken.query(on: app.db).filter(\.$tokenHash == APIToken.hash(secret)).first())
            stored.expiresAt = Date().addingTimeInterval(-60)
            try await stored.update(on: app.db)
            let expired = try await Self.get(app, path, token: secret)
            // validate
            #expect(expired.status == .unauthorized)
            #expect((expired.body["detail"] as? String)?.contains("expired") == true)
        }
    }

    @Test("a token whose owner is disabled is refused at once")
    func disabledOwner() async throws {
        try await withCITHub { app in
            // setup
            let (path, coordinator) = try await Self.rosterSetup(app)
            let secret = try await APIRouteTests.token(app, for: coordinator)
            #expect(try await Self.get(app, path, token: secret).status == .ok)
            // MUT
            coordinator.disabledAt = Date()
            try await coordinator.update(on: app.db)
            let refused = try await Self.get(app, path, token: secret)
            // validate
            #expect(refused.status == .unauthorized)
        }
    }

    @Test("a token whose owner never accepted the invitation is refused")
    func neverAcceptedOwner() async throws {
        try await withCITHub { app in
            // setup
            let (path, coordinator) = try await Self.rosterSetup(app)
            let invited = User(email: "expiry-invited@example.org", name: "Invited")
            try await invited.create(on: app.db)
            let grant = try #require(try await RoleGrant.query(on: app.db).filter(\.$user.$id == coordinator.id!).first())
            try await RoleGrant(userID: invited.id!, role: grant.role, scopeID: grant.scopeID).create(on: app.db)
            let secret = try await APIRouteTests.token(app, for: invited)
            // MUT
            let refused = try await Self.get(app, path, token: secret)
            // validate
            #expect(refused.status == .unauthorized)
            #expect((refused.body["detail"] as? String)?.contains("expired") != true)
        }
    }

    @Test("tokens made before expiry existed get one year from the migration's run")
    func migrationBackfill() async throws {
        try await withCITHub { app in
            // setup: a token as it was stored before the column existed
            let owner = try await Fixtures.user(app, email: "expiry-old@example.org", role: .agencyLiaison)
            let secret = try await APIRouteTests.token(app, for: owner)
            // MUT (on one connection: SQLite's other pooled connections may still hold the old schema)
            try await app.db.transaction { tx in
                try await M017_AddAPITokenExpiry().revert(on: tx)
                try await M017_AddAPITokenExpiry().prepare(on: tx)
            }
            // validate
            let stored = try #require(try await APIToken.query(on: app.db).filter(\.$tokenHash == APIToken.hash(secret)).first())
            #expect(abs(try #require(stored.expiresAt).timeIntervalSinceNow - 365 * 86_400) < 120)
            let response = try await app.testing().sendRequest(.GET, "/api/v1/counties", headers: ["Authorization": "Bearer \(secret)"])
            #expect(response.status == .ok)
        }
    }

    @Test("the page refuses to make a token for someone who has not accepted their invitation")
    func pageRefusesUnacceptedOwner() async throws {
        try await withCITHub { app in
            // setup
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            let invited = User(email: "expiry-pending@example.org", name: "Pending")
            try await invited.create(on: app.db)
            // MUT
            let refused = try await admin.post(APITokensController.path, ["email": invited.email, "name": "Import", "expires_in": "90"])
            // validate
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("has not accepted their invitation"))
            #expect(refused.text.contains(#"<option value="90" selected="selected">"#))
            #expect(try await APIToken.query(on: app.db).count() == 0)
        }
    }
    @Test("the OpenAPI document still describes 401 for the token-protected operations")
    func documentDescribes401() async throws {
        try await withCITHub { app in
            let response = try await TestBrowser(app).get("/api/openapi.json")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: Any])
            let roster = try #require((paths["/api/v1/classes/{id}/roster"] as? [String: Any])?["get"] as? [String: Any])
            #expect((roster["responses"] as? [String: Any])?["401"] != nil)
            let encounters = try #require((paths["/api/v1/encounters"] as? [String: Any])?["post"] as? [String: Any])
            #expect((encounters["responses"] as? [String: Any])?["401"] != nil)
        }
    }
}
