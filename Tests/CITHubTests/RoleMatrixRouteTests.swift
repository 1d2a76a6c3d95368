import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

@Suite("Every protected route against every role")
struct RoleMatrixRouteTests {
    @Test("allowed roles get through, the rest get 403, signed-out people are sent to sign in, and nothing leaks")
    func everyRouteEveryRole() async throws {
        try await withCITHub { app in
            // setup: one signed-in browser per role, and a record for routes with an :id
            var browsers: [Role: TestBrowser] = [:]
            for role in Role.allCases {
                browsers[role] = try await Fixtures.signedIn(app, role: role, email: "\(role.rawValue)@example.org").0
            }
            let target = try await Fixtures.user(app, email: "secret-target@example.org", role: .trainee)
            let routes = app.protectedRoutes.all
            #expect(routes.count >= 7)
            #expect(
                Set(routes.map(\.path)).isSuperset(of: [
                    SiteURL.account.path, SiteURL.adminUsers.path, SiteURL.adminOutbox.path, SiteURL.adminAudit.path,
                ]))

            for route in routes {
                let path = route.path.replacingOccurrences(of: ":id", with: target.id!.uuidString)
                // MUT + validate: signed out
                let anonymous = TestBrowser(app)
                let out = route.method == .GET ? try await anonymous.get(path) : try await anonymous.post(path, [:])
                #expect(out.status == .seeOther, "\(route.method) \(route.path) signed out: \(out.status)")
                #expect(out.location?.hasPrefix(SiteURL.login.path) == true, "\(route.method) \(route.path) signed out goes to sign-in")

                for role in Role.allCases {
                    let browser = browsers[role]!
                    // An empty form: allowed handlers refuse it with 422 and change nothing.
                    let response = route.method == .GET ? try await browser.get(path) : try await browser.post(path, [:])
                    let allowed = RoleMatrix.allows([role], route.permission)
                    if allowed {
                        #expect(
                            ![.forbidden, .unauthorized].contains(response.status)
                                && !(response.location?.hasPrefix(SiteURL.login.path) ?? false),
                            "\(role) should reach \(route.method) \(route.path), got \(response.status)")
                    } else {
                        #expect(
                            response.status == .forbidden, "\(role) must not reach \(route.method) \(route.path), got \(response.status)")
                        #expect(!response.text.contains("secret-target@example.org"), "403 page leaks data")
                    }
                }
            }
            // The empty POSTs changed nothing about the target.
            let after = try await User.query(on: app.db).filter(\.$id == target.id!).with(\.$roleGrants).first()
            #expect(after?.isDisabled == false)
            #expect(after?.roles == [.trainee])
        }
    }

    @Test("the matrix: administrators can do everything, trainees only their own things")
    func matrixShape() {
        for permission in Permission.allCases { #expect(RoleMatrix.allows([.stateAdministrator], permission)) }
        #expect(RoleMatrix.grants[.trainee] == [.useOwnAccount, .readOwnTraining])
        #expect(!RoleMatrix.allows([.programCoordinator, .trainer, .agencyLiaison, .trainee], .manageAccounts))
        #expect(!RoleMatrix.allows([], .useOwnAccount))
    }
}
