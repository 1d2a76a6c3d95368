import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

enum PickerFixtures {
    static let dane = "NAMI Dane County CIT/CIP"

    static func invite(_ admin: TestBrowser, email: String, role: Role, program: String = "", agency: String = "") async throws
        -> TestingHTTPResponse
    {
        try await admin.post(
            SiteURL.adminInvite.path, ["email": email, "name": "Pat Person", "role": role.rawValue, "program": program, "agency": agency])
    }

    /// Accepts the invitation mailed to `email` and signs in.
    static func accept(_ app: Application, email: String) async throws -> TestBrowser {
        let mail = try #require(try await OutboxMessage.query(on: app.db).filter(\.$toAddress == email).first())
        let link = try #require(Fixtures.link(in: mail.bodyText, path: SiteURL.invitation(.key).parentPath))
        let browser = TestBrowser(app)
        let accepted = try await browser.post(
            link, ["name": "Pat Person", "password": Fixtures.password, "password_confirm": Fixtures.password])
        #expect(accepted.status == .seeOther)
        let signIn = try await browser.post(SiteURL.login.path, ["email": email, "password": Fixtures.password])
        #expect(signIn.status == .seeOther)
        return browser
    }
}

@Suite("Inviting staff: programs and agencies picked by name")
struct ScopePickerTests {
    @Test("the invite form lists the directory's programs and agencies by name, never by id")
    func pickerShowsNames() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            // MUT
            let page = try await admin.get(SiteURL.adminUsers.path)
            // validate
            #expect(page.status == .ok)
            #expect(page.text.contains("<datalist id=\"program-choices\">"))
            #expect(page.text.contains("<option value=\"\(PickerFixtures.dane)\">"))
            #expect(page.text.contains("list=\"agency-choices\""))
            #expect(page.text.contains("<option value=\"Madison Police Department\">"))
            let daneID = try await programID(app, named: PickerFixtures.dane)
            #expect(!page.text.lowercased().contains(daneID.lowercased()), "no ids on the page")
        }
    }

    @Test("a coordinator invited by picking the program's name can open the program's class pages")
    func coordinatorByName() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            let dane = try await programID(app, named: PickerFixtures.dane)
            let (classID, _) = try await ClassFixtures.createClass(app)

            // MUT: typed with other spacing and case, as a person might
            let invited = try await PickerFixtures.invite(
                admin, email: "cora@example.org", role: .programCoordinator, program: "  nami dane county  CIT/CIP ")

            // validate
            #expect(invited.status == .seeOther)
            let grant = try #require(
                try await RoleGrant.query(on: app.db).join(User.self, on: \RoleGrant.$user.$id == \User.$id)
                    .filter(User.self, \.$email == "cora@example.org").first())
            #expect(grant.role == .programCoordinator)
            #expect(grant.scopeID == dane.lowercased())
            let mail = try #require(try await OutboxMessage.query(on: app.db).filter(\.$toAddress == "cora@example.org").first())
            #expect(mail.bodyText.contains("as program coordinator for NAMI Dane County CIT/CIP."))
            let audit = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "invitation.created").first())
            #expect(audit.details.contains("NAMI Dane County CIT/CIP"))
            #expect(audit.details.contains(dane.lowercased()))
            let list = try await admin.get(SiteURL.adminUsers.path)
            #expect(list.text.contains("Program coordinator — NAMI Dane County CIT/CIP"))

            let cora = try await PickerFixtures.accept(app, email: "cora@example.org")
            for path in [
                SiteURL.newClass(.value(dane.lowercased())).path, SiteURL.classRoster(.value(classID)).path,
                SiteURL.attendance(.value(classID)).path,
                SiteURL.completion(.value(classID)).path, SiteURL.scenarios(.value(UUID(uuidString: dane)!)).path,
                SiteURL.programEdit(.value(dane.lowercased())).path,
            ] {
                let response = try await cora.get(path)
                #expect(response.status == .ok, "\(path): \(response.status)")
            }
            let home = try await cora.get(SiteURL.account.path)
            #expect(home.text.contains(PickerFixtures.dane))
            #expect(home.text.contains(SiteURL.classRoster(.value(classID)).path))
        }
    }

    @Test("a typo is refused beside the field with a suggestion; nothing is written")
    func typoRefused() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            let usersBefore = try await User.query(on: app.db).count()
            let outboxBefore = try await OutboxMessage.query(on: app.db).count()

            // MUT
            let response = try await PickerFixtures.invite(
                admin, email: "typo@example.org", role: .programCoordinator, program: "NAMI Dane Cnty CIT/CIP")

            // validate
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("field-program-error"))
            #expect(response.text.contains("No program in the directory is called “NAMI Dane Cnty CIT/CIP”"))
            #expect(response.text.contains("Did you mean “NAMI Dane County CIT/CIP”?"))
            #expect(response.text.contains("value=\"NAMI Dane Cnty CIT/CIP\""), "input kept")
            #expect(response.text.contains("value=\"typo@example.org\""), "input kept")
            #expect(try await User.query(on: app.db).count() == usersBefore)
            #expect(try await OutboxMessage.query(on: app.db).count() == outboxBefore)
        }
    }

    @Test("a coordinator or liaison without a program or agency is refused")
    func emptyScopeRefused() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            let usersBefore = try await User.query(on: app.db).count()
            let coordinator = try await PickerFixtures.invite(admin, email: "nobody@example.org", role: .programCoordinator)
            #expect(coordinator.status == .unprocessableEntity)
            #expect(coordinator.text.contains("A program coordinator needs a program"))
            // a program given to a liaison does not count as an agency
            let liaison = try await PickerFixtures.invite(
                admin, email: "nobody@example.org", role: .agencyLiaison, program: PickerFixtures.dane)
            #expect(liaison.status == .unprocessableEntity)
            #expect(liaison.text.contains("An agency liaison needs an agency"))
            #expect(try await User.query(on: app.db).count() == usersBefore)
            // a trainer needs neither, and a leftover program is not stored for them
            let trainer = try await PickerFixtures.invite(admin, email: "tara@example.org", role: .trainer, program: PickerFixtures.dane)
            #expect(trainer.status == .seeOther)
            let grant = try #require(try await RoleGrant.query(on: app.db).filter(\.$role == .trainer).first())
            #expect(grant.scopeID == nil)
        }
    }

    @Test("a liaison invited by agency name can file for it; a second program can be added to a coordinator; roles read by name")
    func liaisonAndSecondProgram() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            #expect(
                try await PickerFixtures.invite(admin, email: "lee@example.org", role: .agencyLiaison, agency: "Madison Police Department")
                    .status == .seeOther)
            let lee = try await PickerFixtures.accept(app, email: "lee@example.org")
            let form = try await lee.get(SiteURL.encounterNew.path)
            #expect(form.text.contains("Agency: </strong>Madison Police Department") || form.text.contains("Madison Police Department"))
            #expect(!form.text.contains("not linked to an agency"))

            // a coordinator of one program gets a second without losing the first
            #expect(
                try await PickerFixtures.invite(admin, email: "cora@example.org", role: .programCoordinator, program: PickerFixtures.dane)
                    .status == .seeOther)
            let cora = try #require(try await User.query(on: app.db).filter(\.$email == "cora@example.org").first())
            let other = try #require(try await Program.query(on: app.db).filter(\.$name != PickerFixtures.dane).sort(\.$name).first())
            let added = try await admin.post(
                SiteURL.adminUserRoles(.value(cora.id!.uuidString)).path,
                ["role": Role.programCoordinator.rawValue, "program": other.name, "mode": "add"])
            #expect(added.status == .seeOther)
            let grants = try await RoleGrant.query(on: app.db).filter(\.$user.$id == cora.id!).all()
            #expect(
                Set(grants.compactMap(\.scopeID))
                    == Set([try await programID(app, named: PickerFixtures.dane).lowercased(), other.id!.uuidString.lowercased()]))
            // the same one again is refused
            let again = try await admin.post(
                SiteURL.adminUserRoles(.value(cora.id!.uuidString)).path,
                ["role": Role.programCoordinator.rawValue, "program": other.name, "mode": "add"])
            #expect(again.status == .unprocessableEntity)
            #expect(again.text.contains("already hold this role"))

            let page = try await admin.get(SiteURL.adminUser(.value(cora.id!.uuidString)).path)
            #expect(page.text.contains("Program coordinator — NAMI Dane County CIT/CIP"))
            #expect(page.text.contains("Program coordinator — \(other.name)"))
            #expect(!page.text.contains("(" + other.id!.uuidString), "no ids in the role list")

            // removing one leaves the other
            let grant = try #require(grants.first { $0.scopeID == other.id!.uuidString.lowercased() })
            let removed = try await admin.post(
                SiteURL.adminUserRoleRemove(.value(cora.id!.uuidString), .value(grant.id!.uuidString)).path, [:])
            #expect(removed.status == .seeOther)
            #expect(try await RoleGrant.query(on: app.db).filter(\.$user.$id == cora.id!).count() == 1)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "account.role_removed").count() == 1)
        }
    }

    @Test("an administrator adds an agency the directory lacks, then invites its liaison by name")
    func addAgency() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            // refused: no name, no county; an existing agency of the same name and county
            let empty = try await admin.post(
                SiteURL.adminAgencies.path, ["agency_name": "", "agency_county": "", "agency_kind": "law_enforcement"])
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.text.contains("field-agency_name-error"))
            #expect(empty.text.contains("field-agency_county-error"))
            let madison = try #require(try await Organization.query(on: app.db).filter(\.$name == "Madison Police Department").first())
            if let county = madison.countyFIPS {
                let duplicate = try await admin.post(
                    SiteURL.adminAgencies.path,
                    ["agency_name": "madison police department", "agency_county": county, "agency_kind": "law_enforcement"])
                #expect(duplicate.status == .unprocessableEntity)
                #expect(duplicate.text.contains("already in the directory"))
            }
            let organizationsBefore = try await Organization.query(on: app.db).count()

            // MUT
            let added = try await admin.post(
                SiteURL.adminAgencies.path,
                ["agency_name": "Oshkosh  Police Department", "agency_county": "55139", "agency_kind": "law_enforcement"])

            // validate
            #expect(added.status == .seeOther)
            #expect(try await Organization.query(on: app.db).count() == organizationsBefore + 1)
            let agency = try #require(try await Organization.query(on: app.db).filter(\.$name == "Oshkosh Police Department").first())
            #expect(agency.kind == .lawEnforcement)
            #expect(agency.countyFIPS == "55139")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "organization.created").count() == 1)
            let back = try await admin.get(try #require(added.location))
            #expect(back.text.contains("value=\"Oshkosh Police Department\""), "the new agency is filled in")
            #expect(
                try await PickerFixtures.invite(admin, email: "osh@example.org", role: .agencyLiaison, agency: "Oshkosh Police Department")
                    .status == .seeOther)
            let grant = try #require(try await RoleGrant.query(on: app.db).filter(\.$role == .agencyLiaison).first())
            #expect(grant.scopeID == agency.id!.uuidString.lowercased())
        }
    }
}
