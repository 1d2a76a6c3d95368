import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

/// Every protected route with parameters, filled with real records: one inside the
/// signed-in person's scope and one outside it (issue 14, part 3). `RoleMatrixRouteTests`
/// fills every `:id` with a user's id, so there an allowed role passes with a 404 and the
/// record scope is never reached; here it is.
@Suite("Every parameterised protected route, inside and outside each role's scope")
struct ScopeRouteTests {
    /// What a person outside the record's scope gets: 403 where the record is public
    /// anyway (programs, classes, agencies) or its code is already known (certificates);
    /// 404 where the record's existence is not another scope's business (encounter
    /// reports). `nil`: the route has no record scope at all — only the state
    /// administrator reaches it, and every record is theirs — so only the role check and
    /// the administrator's way through are tested.
    static let covered: [String: HTTPStatus?] = [
        "GET /programs/:id/edit": .forbidden,
        "POST /programs/:id/edit": .forbidden,
        "POST /programs/:id/partners": .forbidden,
        "POST /programs/:id/partners/:partner/remove": .forbidden,
        "POST /programs/:id/partners/:partner/approve": .forbidden,
        "GET /programs/:id/history": .forbidden,
        "POST /programs/:id/verify": .forbidden,
        "POST /programs/:id/merge": .forbidden,
        "GET /programs/:id/classes/new": .forbidden,
        "POST /programs/:id/classes/new": .forbidden,
        "GET /programs/:id/scenarios": .forbidden,
        "POST /programs/:id/scenarios": .forbidden,
        "GET /classes/:id/edit": .forbidden,
        "POST /classes/:id/edit": .forbidden,
        "GET /classes/:id/roster": .forbidden,
        "POST /classes/:id/registrations/:registration/cancel": .forbidden,
        "POST /classes/:id/registrations/new": .forbidden,
        "GET /classes/:id/evaluations": .forbidden,
        "GET /classes/:id/evaluations/:registration/:scenario": .forbidden,
        "POST /classes/:id/evaluations/:registration/:scenario": .forbidden,
        "GET /classes/:id/completion": .forbidden,
        "POST /classes/:id/completion/excuse": .forbidden,
        "POST /classes/:id/certificates": .forbidden,
        "GET /classes/:id/attendance": .forbidden,
        "POST /classes/:id/attendance/mark": .forbidden,
        "POST /classes/:id/attendance/sync": .forbidden,
        "POST /classes/:id/trainers": .forbidden,
        "GET /certificates/:code": .forbidden,
        "POST /certificates/:code/revoke": .forbidden,
        "GET /agencies/:id": .forbidden,
        "POST /agencies/:id": .forbidden,
        "GET /encounters/:id/correct": .notFound,
        "POST /encounters/:id/correct": .notFound,
        "GET /admin/users/:id": nil,
        "POST /admin/users/:id/roles": nil,
        "POST /admin/users/:id/roles/:grant/remove": nil,
        "POST /admin/users/:id/status": nil,
        "GET /admin/outbox/:id": nil,
        "POST /admin/api-tokens/:id/revoke": nil,
    ]

    /// Parameterised protected routes this test cannot fill, each with the reason. Empty
    /// today; a route added here must say why.
    static let exceptions: [String: String] = [:]

    /// The records one person is tested against.
    struct Side {
        var program: UUID, classID: UUID, agency: UUID, report: UUID, certificate: String
    }

    /// The world: programs A (Dane) and B (Green Bay), class A1 of A with the trainer
    /// assigned and class B1 of B without; agencies X and Y with a report each; a
    /// certificate of someone else from each program, and one of every person's own.
    struct World {
        var admin: TestBrowser
        var browsers: [Role: TestBrowser]
        var inside: [Role: Side]
        var outside: [Role: Side]
        var target: User
    }

    static func makeClass(_ app: Application, admin: TestBrowser, program: UUID) async throws -> UUID {
        let form = ClassFixtures.form(agenda: ClassFixtures.agenda(startDay: ClassFixtures.daysFromNow(60), days: 5))
        let response = try await admin.post(SiteURL.newClass(.value(program.uuidString.lowercased())).path, form)
        #expect(response.status == .seeOther, "class not created: \(response.status)")
        return try #require(response.location.flatMap { UUID(uuidString: $0.components(separatedBy: "/").last ?? "") })
    }

    /// A certificate issued to `email` by `program`, straight into the database (issuing
    /// one through the pages needs a finished class with attendance); each has a
    /// registration of its own, as issued ones do.
    static func certificate(_ app: Application, email: String, classID: UUID, program: UUID, registrant n: Int) async throws -> String {
        #expect(try await ClassFixtures.register(app, classID, ClassFixtures.registrant(n)).status == .seeOther)
        let registration = try #require(
            try await Registration.query(on: app.db).filter(\.$classSession.$id == classID).filter(\.$email == "officer\(n)@example.org")
                .first())
        let certificate = Certificate()
        certificate.code = VerificationCode.generate()
        certificate.$registration.id = registration.id!
        certificate.$classSession.id = classID
        certificate.programID = program
        certificate.personName = "Fixture Person"; certificate.email = email; certificate.organization = "Madison Police Department"
        certificate.courseCode = "CIT"; certificate.courseTitle = "CIT"; certificate.category = "CIT"; certificate.hours = 40
        certificate.startDate = "2026-01-05"; certificate.endDate = "2026-01-09"; certificate.provider = "Fixture program"
        certificate.issuedAt = Date(); certificate.issuedBy = "fixture@example.org"
        certificate.refresherDueAt = Date().addingTimeInterval(2 * 365 * 86_400); certificate.refresherRemindersSent = ""
        try await certificate.create(on: app.db)
        return certificate.code
    }

    static func world(_ app: Application) async throws -> World {
        try await loadDirectory(app)
        let programA = try #require(UUID(uuidString: try await programID(app, named: "NAMI Dane County CIT/CIP")))
        let programB = try #require(UUID(uuidString: try await programID(app, named: "Green Bay Police Department CIT")))
        let agencies = try await Organization.query(on: app.db).filter(\.$kind == .lawEnforcement).sort(\.$name).limit(2).all()
        let (agencyX, agencyY) = (agencies[0], agencies[1])
        let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator, email: "admin-scope@example.org")

        // classes, one confirmed registration each, a scenario per program
        let classA = try await makeClass(app, admin: admin, program: programA)
        let classB = try await makeClass(app, admin: admin, program: programB)
        #expect(try await ClassFixtures.register(app, classA, ClassFixtures.registrant(1)).status == .seeOther)
        #expect(try await ClassFixtures.register(app, classB, ClassFixtures.registrant(2)).status == .seeOther)
        for program in [programA, programB] {
            #expect(
                try await admin.post(
                    SiteURL.scenarios(.value(program)).path, ["course": "CIT", "title": "Bridge", "details": "A man on a bridge railing."]
                ).status == .seeOther)
        }

        // the people
        let coordinator = try await Fixtures.user(
            app, email: "coordinator-scope@example.org", role: .programCoordinator, scope: programA.uuidString)
        let trainer = try await Fixtures.user(app, email: "trainer-scope@example.org", role: .trainer)
        #expect(try await admin.post(SiteURL.classTrainers(.value(classA)).path, ["email": trainer.email]).status == .seeOther)
        let liaison = try await Fixtures.user(
            app, email: "liaison-scope@example.org", role: .agencyLiaison, scope: agencyX.id!.uuidString.lowercased())
        let trainee = try await Fixtures.user(app, email: "trainee-scope@example.org", role: .trainee)
        var browsers: [Role: TestBrowser] = [.stateAdministrator: admin]
        for (role, user) in [(Role.programCoordinator, coordinator), (.trainer, trainer), (.agencyLiaison, liaison), (.trainee, trainee)] {
            let browser = TestBrowser(app)
            #expect(try await browser.post(SiteURL.login.path, ["email": user.email, "password": Fixtures.password]).status == .seeOther)
            browsers[role] = browser
        }

        // a report for each agency: the liaison files X's, the administrator Y's
        #expect(
            try await browsers[.agencyLiaison]!.post(SiteURL.encounterNew.path, OutcomeFixtures.report(agency: agencyX)).status == .seeOther
        )
        #expect(try await admin.post(SiteURL.encounterNew.path, OutcomeFixtures.report(agency: agencyY)).status == .seeOther)
        let reportX = try #require(try await EncounterReport.query(on: app.db).filter(\.$agencyID == agencyX.id!).first()?.id)
        let reportY = try #require(try await EncounterReport.query(on: app.db).filter(\.$agencyID == agencyY.id!).first()?.id)

        // certificates: someone else's from each program, and each person's own (from B)
        let otherA = try await certificate(app, email: "someone-a@example.org", classID: classA, program: programA, registrant: 11)
        let otherB = try await certificate(app, email: "someone-b@example.org", classID: classB, program: programB, registrant: 12)
        var own: [Role: String] = [:]
        for (n, (role, user)) in [(Role.trainer, trainer), (.agencyLiaison, liaison), (.trainee, trainee)].enumerated() {
            own[role] = try await certificate(app, email: user.email, classID: classB, program: programB, registrant: 13 + n)
        }

        // a throwaway account for the administrator-only account routes, and an API token
        let target = try await Fixtures.user(app, email: "target-scope@example.org", role: .trainee)
        let a = { (certificate: String) in
            Side(program: programA, classID: classA, agency: agencyX.id!, report: reportX, certificate: certificate)
        }
        let b = Side(program: programB, classID: classB, agency: agencyY.id!, report: reportY, certificate: otherB)
        // What "inside" means per role: the coordinator's program A (and its certificates),
        // the trainer's assigned class A1, the liaison's agency X, each person's own certificate.
        let inside: [Role: Side] = [
            .stateAdministrator: a(otherA), .programCoordinator: a(otherA),
            .trainer: a(own[.trainer]!), .agencyLiaison: a(own[.agencyLiaison]!), .trainee: a(own[.trainee]!),
        ]
        let outside = Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0, b) })
        return World(admin: admin, browsers: browsers, inside: inside, outside: outside, target: target)
    }

    /// The path with every parameter filled from `side`. Records a request may use up
    /// (a partner link removed, a registration cancelled, a role grant removed, a token
    /// revoked) are put back first, so each request finds them as the world made them.
    static func fill(_ path: String, _ side: Side, world: World, app: Application) async throws -> String {
        var filled = path
        func put(_ name: String, _ value: String) { filled = filled.replacingOccurrences(of: ":\(name)", with: value) }
        let id: (UUID) -> String = { $0.uuidString.lowercased() }
        if path.hasPrefix("/programs/") {
            var link = try await ProgramPartner.query(on: app.db).filter(\.$program.$id == side.program).first()
            if link == nil {
                link = ProgramPartner(programID: side.program, organizationID: side.agency, role: .partner)
                try await link!.create(on: app.db)
            }
            put("partner", id(link!.id!))
            put("id", id(side.program))
        } else if path.hasPrefix("/classes/") {
            let registration = try #require(try await Registration.query(on: app.db).filter(\.$classSession.$id == side.classID).first())
            if registration.status != .confirmed {
                registration.status = .confirmed; registration.cancelledAt = nil; try await registration.update(on: app.db)
            }
            let scenario = try #require(try await Scenario.query(on: app.db).filter(\.$program.$id == side.program).first())
            put("registration", id(registration.id!)); put("scenario", id(scenario.id!)); put("id", id(side.classID))
        } else if path.hasPrefix("/agencies/") {
            put("id", id(side.agency))
        } else if path.hasPrefix("/encounters/") {
            put("id", id(side.report))
        } else if path.hasPrefix("/certificates/") {
            put("code", side.certificate)
        } else if path.hasPrefix("/admin/users/") {
            var grant = try await RoleGrant.query(on: app.db).filter(\.$user.$id == world.target.id!).first()
            if grant == nil {
                grant = RoleGrant(userID: world.target.id!, role: .trainee, scopeID: nil)
                try await grant!.create(on: app.db)
            }
            put("grant", id(grant!.id!)); put("id", id(world.target.id!))
        } else if path.hasPrefix("/admin/outbox/") {
            put("id", id(try #require(try await OutboxMessage.query(on: app.db).first()?.id)))
        } else if path.hasPrefix("/admin/api-tokens/") {
            let (token, _) = APIToken.make(userID: world.target.id!, name: "scope test", createdBy: "test")
            try await token.create(on: app.db)
            put("id", id(token.id!))
        }
        return filled
    }

    /// "Through the scope check": the handler went past the record's owner check and
    /// answered as it does to that person — 200 for a page, 303 for a form that did its
    /// work, and also 400 or 422, because these requests post an empty form and the
    /// handler then refuses the form itself (it checks scope first, so the refusal comes
    /// only after the person was let through). Never 401, 403 or 404, never a sign-in
    /// redirect, never a server error.
    static func passedScope(_ response: TestingHTTPResponse) -> Bool {
        response.status.code < 500 && ![401, 403, 404].contains(response.status.code)
            && !(response.location?.hasPrefix(SiteURL.login.path) ?? false)
    }

    @Test("inside the scope gets through, outside gets 403 (404 for encounter reports), roles without the permission get 403")
    func everyParameterisedRoute() async throws {
        try await withCITHub { app in
            // setup
            let world = try await Self.world(app)
            let routes = app.protectedRoutes.all.filter { $0.path.contains(":") }
            let keys = Set(routes.map { "\($0.method.rawValue) \($0.path)" })

            // Every parameterised route is covered or listed with a reason; nothing stale.
            for key in keys.sorted() {
                #expect(
                    Self.covered.keys.contains(key) || Self.exceptions.keys.contains(key),
                    "\(key) is a new parameterised protected route: add it to ScopeRouteTests.covered (with its out-of-scope answer) or to exceptions with the reason"
                )
            }
            for key in Set(Self.covered.keys).union(Self.exceptions.keys).subtracting(keys).sorted() {
                #expect(Bool(false), "\(key) is listed but no longer registered")
            }

            var checks = 0
            for route in routes {
                let key = "\(route.method.rawValue) \(route.path)"
                guard let entry = Self.covered[key] else { continue }
                for role in Role.allCases {
                    let browser = try #require(world.browsers[role])
                    let sides: [(String, Side)] =
                        entry == nil && role == .stateAdministrator
                        ? [("inside", world.inside[role]!)]
                        : [("inside", world.inside[role]!), ("outside", world.outside[role]!)]
                    for (name, side) in sides {
                        // MUT
                        let path = try await Self.fill(route.path, side, world: world, app: app)
                        let response = route.method == .GET ? try await browser.get(path) : try await browser.post(path, [:])
                        checks += 1
                        // validate
                        let what = "\(role.rawValue) \(name) \(key) (\(path)): \(response.status)"
                        if !RoleMatrix.allows([role], route.permission) {
                            #expect(response.status == .forbidden, "role without the permission: \(what)")
                        } else if role == .stateAdministrator || name == "inside" {
                            #expect(Self.passedScope(response), "should get through: \(what)")
                        } else if let out = entry {
                            #expect(response.status == out, "outside the scope should get \(out.code): \(what)")
                        }
                    }
                }
            }
            #expect(checks >= Self.covered.count * 2 * (Role.allCases.count - 1))
        }
    }
}
