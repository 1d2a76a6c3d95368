import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITTestSupport
import CITDomain

/// Checks every API answer against the OpenAPI document the server publishes, and
/// records which documented operations the tests exercised.
final class APIChecker: @unchecked Sendable {
    let document: [String: Any]
    private(set) var exercised: Set<String> = []

    init(_ app: Application) async throws {
        let response = try await TestBrowser(app).get("/api/openapi.json")
        document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @discardableResult
    func call(
        _ app: Application, _ method: HTTPMethod, _ path: String, token: String? = nil, body: Any? = nil,
        rawBody: String? = nil, expect status: HTTPStatus, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Any? {
        var headers = HTTPHeaders()
        if let token { headers.replaceOrAdd(name: .authorization, value: "Bearer \(token)") }
        var buffer: ByteBuffer?
        if let body { buffer = ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)); headers.contentType = .json }
        if let rawBody { buffer = ByteBuffer(string: rawBody); headers.contentType = .json }
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: buffer)
        #expect(
            response.status == status, "\(method) \(path): \(response.status) \(String(buffer: response.body).prefix(300))",
            sourceLocation: sourceLocation)
        let pathOnly = String(path.split(separator: "?", maxSplits: 1)[0])
        let template = try #require(
            JSONSchemaCheck.template(for: pathOnly, in: document), "\(pathOnly) is not in the document", sourceLocation: sourceLocation)
        exercised.insert("\(method.rawValue.lowercased()) \(template)")
        let contentType = response.headers.contentType.map { "\($0.type)/\($0.subType)" } ?? ""
        let schema = try #require(
            JSONSchemaCheck.responseSchema(
                in: document, path: template, method: method.rawValue.lowercased(), status: Int(response.status.code),
                contentType: contentType),
            "no schema for \(method) \(template) \(response.status.code) \(contentType)", sourceLocation: sourceLocation)
        let value = try JSONSerialization.jsonObject(with: Data(buffer: response.body), options: [.fragmentsAllowed])
        let problems = JSONSchemaCheck.problems(value, schema: schema, document: document)
        #expect(
            problems.isEmpty, "\(method) \(path) \(response.status.code) does not match the document: \(problems.prefix(5))",
            sourceLocation: sourceLocation)
        return value
    }
}

@Suite("JSON API: public resources, tokens, encounters, rosters, problems, rate limits")
struct APIRouteTests {
    static func token(_ app: Application, for user: User) async throws -> String {
        let (token, secret) = APIToken.make(userID: user.id!, name: "test", createdBy: "test")
        try await token.create(on: app.db)
        return secret
    }

    @Test("every documented operation answers as the document says")
    func everyOperation() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (classID, _) = try await ClassFixtures.createClass(app)
            _ = try await ClassFixtures.register(app, classID, ClassFixtures.registrant(1))
            let api = try await APIChecker(app)

            // public resources
            let counties = try await api.call(app, .GET, "/api/v1/counties?per_page=10&page=2", expect: .ok) as? [String: Any]
            #expect((counties?["data"] as? [Any])?.count == 10)
            #expect((counties?["page"] as? [String: Any])?["total_items"] as? Int == 72)
            try await api.call(app, .GET, "/api/v1/counties?coverage=cit", expect: .ok)
            try await api.call(app, .GET, "/api/v1/counties?coverage=lots", expect: .badRequest)
            try await api.call(app, .GET, "/api/v1/counties?per_page=1000", expect: .badRequest)
            let dane = try await api.call(app, .GET, "/api/v1/counties/55025", expect: .ok) as? [String: Any]
            #expect(dane?["name"] as? String == "Dane")
            try await api.call(app, .GET, "/api/v1/counties/99999", expect: .notFound)
            let programs = try await api.call(app, .GET, "/api/v1/programs?county=55025&kind=CIT", expect: .ok) as? [String: Any]
            let first = try #require((programs?["data"] as? [[String: Any]])?.first)
            try await api.call(app, .GET, "/api/v1/programs?status=maybe", expect: .badRequest)
            try await api.call(app, .GET, "/api/v1/programs/\(first["id"] as! String)", expect: .ok)
            try await api.call(app, .GET, "/api/v1/programs/\(UUID().uuidString)", expect: .notFound)
            try await api.call(app, .GET, "/api/v1/programs/not-a-uuid", expect: .notFound)
            let classes = try await api.call(app, .GET, "/api/v1/classes?course=CIT", expect: .ok) as? [String: Any]
            let listed = try #require((classes?["data"] as? [[String: Any]])?.first)
            #expect(listed["seats_left"] as? Int == 29)
            try await api.call(app, .GET, "/api/v1/classes?county=5502", expect: .badRequest)
            try await api.call(app, .GET, "/api/openapi.json", expect: .ok)

            // staff resources need a token, the right role and the right scope
            let dane1 = try await programID(app, named: "NAMI Dane County CIT/CIP")
            let coordinator = try await Fixtures.user(app, email: "api-coord@example.org", role: .programCoordinator, scope: dane1)
            let coordinatorToken = try await Self.token(app, for: coordinator)
            let roster =
                try await api.call(app, .GET, "/api/v1/classes/\(classID.uuidString)/roster", token: coordinatorToken, expect: .ok)
                as? [String: Any]
            #expect((roster?["confirmed"] as? [Any])?.count == 1)
            try await api.call(app, .GET, "/api/v1/classes/\(classID.uuidString)/roster", expect: .unauthorized)
            try await api.call(app, .GET, "/api/v1/classes/\(classID.uuidString)/roster", token: "cithub_forged", expect: .unauthorized)
            try await api.call(app, .GET, "/api/v1/classes/\(UUID().uuidString)/roster", token: coordinatorToken, expect: .notFound)
            let trainee = try await Fixtures.user(app, email: "api-trainee@example.org", role: .trainee)
            let traineeToken = try await Self.token(app, for: trainee)
            try await api.call(app, .GET, "/api/v1/classes/\(classID.uuidString)/roster", token: traineeToken, expect: .forbidden)

            let agency = try #require(try await Organization.query(on: app.db).filter(\.$kind == .lawEnforcement).sort(\.$name).first())
            let liaison = try await Fixtures.user(
                app, email: "api-liaison@example.org", role: .agencyLiaison, scope: agency.id!.uuidString.lowercased())
            let liaisonToken = try await Self.token(app, for: liaison)
            var report: [String: Any] = [:]
            let threeWay: Set<String> = ["weapon_involved", "veteran", "substance_use", "repeat_contact"]
            for (key, value) in OutcomeFixtures.report(agency: agency) {
                if !threeWay.contains(key) && (value == "yes" || value == "no") {
                    report[key] = (value == "yes") as Bool
                } else {
                    report[key] = value
                }
            }
            let created =
                try await api.call(app, .POST, "/api/v1/encounters", token: liaisonToken, body: report, expect: .created) as? [String: Any]
            #expect(created?["quarter"] as? String == "2026Q3")
            var bad = report
            bad["cit_dispatched"] = false
            bad["subject_name"] = "Jane Doe"
            let refused =
                try await api.call(app, .POST, "/api/v1/encounters", token: liaisonToken, body: bad, expect: .unprocessableEntity)
                as? [String: Any]
            let errors = refused?["errors"] as? [String: String]
            #expect(errors?["subject_name"] != nil)
            #expect(errors?["cit_arrived"] != nil)
            var numeric = report
            numeric["cit_requested"] = 1
            try await api.call(app, .POST, "/api/v1/encounters", token: liaisonToken, body: numeric, expect: .unprocessableEntity)
            try await api.call(app, .POST, "/api/v1/encounters", token: liaisonToken, rawBody: "{not json", expect: .badRequest)
            try await api.call(app, .POST, "/api/v1/encounters", body: report, expect: .unauthorized)
            try await api.call(app, .POST, "/api/v1/encounters", token: coordinatorToken, body: report, expect: .forbidden)
            #expect(try await EncounterReport.query(on: app.db).count() == 1)

            // a revoked token stops working at once
            try await APIToken.query(on: app.db).set(\.$revokedAt, to: Date()).filter(\.$tokenHash == APIToken.hash(liaisonToken)).update()
            try await api.call(app, .POST, "/api/v1/encounters", token: liaisonToken, body: report, expect: .unauthorized)
            #expect(try await EncounterReport.query(on: app.db).count() == 1)

            let documented = Set(JSONSchemaCheck.operations(in: api.document).map { "\($0.method) \($0.path)" })
            #expect(documented.subtracting(api.exercised).isEmpty, "not exercised: \(documented.subtracting(api.exercised))")
        }
    }

    @Test("too many requests get 429 with Retry-After, per address and per token")
    func rateLimits() async throws {
        try await withCITHub(configure: { $0.apiRatePerMinute = 5 }) { app in
            try await loadDirectory(app)
            let api = try await APIChecker(app)
            // The token is made first: a bucket of 5 a minute gets one back every 12 s, so
            // the requests below follow one another without anything slow between them.
            let user = try await Fixtures.user(app, email: "api-rate@example.org", role: .trainee)
            let token = try await APIRouteTests.token(app, for: user)
            for _ in 0..<5 { try await api.call(app, .GET, "/api/v1/counties?per_page=1", expect: .ok) }
            try await api.call(app, .GET, "/api/v1/counties?per_page=1", expect: .tooManyRequests)
            let response = try await app.testing().sendRequest(.GET, "/api/v1/counties?per_page=1")
            #expect(response.status == .tooManyRequests)
            #expect(Int(response.headers.first(name: "Retry-After") ?? "") ?? 0 >= 1)
            // a token has its own bucket; the check of the token costs the address
            try await api.call(app, .GET, "/api/v1/counties?per_page=1", token: token, expect: .tooManyRequests)
        }
    }

    @Test("an administrator creates a token (shown once) and revokes it")
    func tokenPages() async throws {
        try await withCITHub { app in
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            let owner = try await Fixtures.user(app, email: "tool-owner@example.org", role: .agencyLiaison)
            #expect(
                try await admin.post(APITokensController.path, ["email": "nobody@example.org", "name": "x"]).status == .unprocessableEntity)
            let created = try await admin.post(APITokensController.path, ["email": owner.email, "name": "Nightly import"])
            #expect(created.status == .created)
            let secret = try #require(
                created.text.range(of: #"cithub_[A-Za-z0-9_-]{30,}"#, options: .regularExpression).map { String(created.text[$0]) })
            let stored = try #require(try await APIToken.query(on: app.db).first())
            #expect(stored.tokenHash == APIToken.hash(secret))
            #expect(!(try await admin.get(APITokensController.path).text.contains(secret)))
            #expect(
                try await app.testing().sendRequest(.GET, "/api/v1/counties", headers: ["Authorization": "Bearer \(secret)"]).status == .ok)
            #expect(try await admin.post("/admin/api-tokens/\(stored.id!.uuidString.lowercased())/revoke", [:]).status == .seeOther)
            #expect(
                try await app.testing().sendRequest(.GET, "/api/v1/counties", headers: ["Authorization": "Bearer \(secret)"]).status
                    == .unauthorized)
        }
    }
}
