import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

enum HomeFixtures {
    /// A signed-in browser for a user holding the role, with a realistic scope: the Dane
    /// County program for a coordinator, a law enforcement agency for a liaison.
    static func signedIn(_ app: Application, role: Role) async throws -> (TestBrowser, User) {
        var scope: String?
        switch role.scopeKind {
        case .program?: scope = try await programID(app, named: "NAMI Dane County CIT/CIP").lowercased()
        case .agency?:
            scope = try #require(try await Organization.query(on: app.db).filter(\.$kind == .lawEnforcement).sort(\.$name).first()).id!
                .uuidString.lowercased()
        case nil: scope = nil
        }
        let user = try await Fixtures.user(app, email: "\(role.rawValue)-home@example.org", role: role, scope: scope)
        let browser = TestBrowser(app)
        #expect(try await browser.post(SiteURL.login.path, ["email": user.email, "password": Fixtures.password]).status == .seeOther)
        return (browser, user)
    }

    /// The site-relative paths of the links on a page, without query or fragment.
    static func links(_ html: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: #"href="(/[^"/][^"]*|/)""#)
        let range = NSRange(html.startIndex..., in: html)
        return Set(
            pattern.matches(in: html, range: range).compactMap { match in
                Range(match.range(at: 1), in: html).map { String(html[$0]) }
            }.map { $0.replacingOccurrences(of: "&amp;", with: "&").components(separatedBy: CharacterSet(charactersIn: "?#"))[0] })
    }
}

@Suite("Account home: each role's work, every staff page reachable")
struct AccountHomeTests {
    @Test("for each role, every protected page without an id in its path is linked from /account or a page linked from it")
    func everyPageReachableFromHome() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let pages = app.protectedRoutes.all.filter { $0.method == .GET && !$0.path.contains(":") }
            #expect(pages.count >= 10)
            for role in Role.allCases {
                // setup
                let (browser, _) = try await HomeFixtures.signedIn(app, role: role)
                // MUT: the home, then every page it links to
                let home = try await browser.get(SiteURL.account.path)
                #expect(home.status == .ok)
                var reached = HomeFixtures.links(home.text)
                for path in reached.sorted() where path != SiteURL.home.path {
                    let page = try await browser.get(path)
                    if page.status == .ok, page.headers.contentType?.subType == "html" { reached.formUnion(HomeFixtures.links(page.text)) }
                }
                // validate
                for route in pages where RoleMatrix.allows([role], route.permission) && route.path != SiteURL.account.path {
                    #expect(reached.contains(route.path), "\(role.title) cannot reach \(route.path) by clicking from /account")
                }
            }
        }
    }

    @Test("a coordinator's home: their program, its classes with roster, attendance, scores and completion")
    func coordinatorHome() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (classID, _) = try await ClassFixtures.createClass(app, startInDays: 10)
            let (browser, _) = try await HomeFixtures.signedIn(app, role: .programCoordinator)
            let dane = try await programID(app, named: "NAMI Dane County CIT/CIP").lowercased()
            // MUT
            let home = try await browser.get(SiteURL.account.path)
            // validate
            #expect(home.text.contains("Program coordinator — NAMI Dane County CIT/CIP"))
            for link in [
                SiteURL.program(.value(dane)).path, SiteURL.programEdit(.value(dane)).path, SiteURL.newClass(.value(dane)).path,
                SiteURL.scenarios(.value(UUID(uuidString: dane)!)).path,
                SiteURL.classPage(.value(classID)).path, SiteURL.classRoster(.value(classID)).path,
                SiteURL.attendance(.value(classID)).path, SiteURL.evaluations(.value(classID)).path,
                SiteURL.completion(.value(classID)).path, SiteURL.trainingRecords.path,
            ] {
                #expect(home.text.contains("href=\"\(link)\""), "coordinator home lacks \(link)")
            }
            #expect(!home.text.contains(SiteURL.adminUsers.path), "no administration for a coordinator")
        }
    }

    @Test("a trainer's home: today's and upcoming classes they teach; a liaison's: file, list, officer counts; a trainee's: their record")
    func otherHomes() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (classID, _) = try await ClassFixtures.createClass(app, startInDays: 3)
            let (trainer, trainerUser) = try await HomeFixtures.signedIn(app, role: .trainer)
            let before = try await trainer.get(SiteURL.account.path)
            #expect(before.text.contains("You are not assigned to a class"))
            try await ClassTrainer(classID: classID, userID: trainerUser.id!).create(on: app.db)
            let home = try await trainer.get(SiteURL.account.path)
            #expect(home.text.contains("href=\"\(SiteURL.attendance(.value(classID)).path)\""))
            #expect(home.text.contains("href=\"\(SiteURL.evaluations(.value(classID)).path)\""))
            #expect(!home.text.contains("href=\"\(SiteURL.classRoster(.value(classID)).path)\""), "the roster is the coordinator's")

            let (liaison, _) = try await HomeFixtures.signedIn(app, role: .agencyLiaison)
            let agency = try #require(try await Organization.query(on: app.db).filter(\.$kind == .lawEnforcement).sort(\.$name).first())
            _ = try await liaison.post(SiteURL.encounterNew.path, OutcomeFixtures.report(agency: agency))
            let liaisonHome = try await liaison.get(SiteURL.account.path)
            #expect(liaisonHome.text.contains(agency.name))
            #expect(liaisonHome.text.contains("1 report filed"))
            #expect(liaisonHome.text.contains("Officer counts not entered yet"))
            // The CSV's agency column: the liaison reads their agency's value on the import page.
            let importPage = try await liaison.get(SiteURL.encounterImport.path)
            #expect(importPage.text.contains("<li>\(agency.name): <code>\(agency.id!.uuidString.lowercased())</code></li>"))
            _ = try await liaison.post(
                SiteURL.agency(.value(agency.id!.uuidString.lowercased())).path,
                [
                    "sworn_officers": "120", "patrol_officers": "80",
                    "shift_0_name": "Days", "shift_0_patrol": "40", "shift_0_trained": "1", "shift_1_name": "Nights",
                    "shift_1_patrol": "40", "shift_1_trained": "2",
                ])
            #expect(try await liaison.get(SiteURL.account.path).text.contains("120 sworn officers; 80 on patrol, 3 of them CIT-trained."))
            for link in [
                SiteURL.encounterNew.path, SiteURL.encounters.path, SiteURL.agency(.value(agency.id!.uuidString.lowercased())).path,
            ] {
                #expect(liaisonHome.text.contains("href=\"\(link)\""), "liaison home lacks \(link)")
            }

            let (trainee, _) = try await HomeFixtures.signedIn(app, role: .trainee)
            let traineeHome = try await trainee.get(SiteURL.account.path)
            #expect(traineeHome.text.contains("href=\"\(SiteURL.myTraining.path)\""))
            #expect(!traineeHome.text.contains("Administration"))
            #expect(!traineeHome.text.contains("File a report"))
        }
    }
}
