import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
@testable import CITHub
import CITDomain

/// Exact outcome counts only for agencies a person is really scoped to (issue 13, part 2).
@Suite("Outcome scope: exact counts follow approved partners, never counties")
struct OutcomeScopeTests {
    static func organization(_ app: Application, _ name: String) async throws -> UUID {
        try #require(try await Organization.query(on: app.db).filter(\.$name == name).first()?.id)
    }

    static func partner(_ app: Application, program: String, organization: UUID) async throws -> ProgramPartner {
        try #require(
            try await ProgramPartner.query(on: app.db).filter(\.$program.$id == UUID(uuidString: program)!)
                .filter(\.$organization.$id == organization).first())
    }

    static func signIn(_ app: Application, _ user: User) async throws -> TestBrowser {
        let browser = TestBrowser(app)
        #expect(try await browser.post(SiteURL.login.path, ["email": user.email, "password": Fixtures.password]).status == .seeOther)
        return browser
    }

    @Test("the attack: a coordinator who sets their program's counties to all 72 reads no other agency exactly")
    func countiesConferNothing() async throws {
        try await withCITHub { app in
            // setup: the Dane program's coordinator, and an agency far away that is no partner of it
            try await loadDirectory(app)
            let dane = try await programID(app, named: "NAMI Dane County CIT/CIP")
            let coordinator = try await Fixtures.user(app, email: "coord@example.org", role: .programCoordinator, scope: dane)
            let madison = try await Self.organization(app, "Madison Police Department")
            let greenBay = try await Self.organization(app, "Green Bay Police Department")
            let greenBayProgram = try await programID(app, named: "Green Bay Police Department CIT")
            let browser = try await Self.signIn(app, coordinator)

            // MUT: the coordinator says the program serves every county of the state
            let everyCounty = try await County.query(on: app.db).filter(\.$stateCode == "WI").all().map(\.name)
            #expect(everyCounty.count == 72)
            let saved = try await browser.post(
                SiteURL.programEdit(.value(dane)).path,
                [
                    "name": "NAMI Dane County CIT/CIP", "kind_cit": "on", "kind_cip": "on",
                    "status": "active", "counties": everyCounty.joined(separator: ", "),
                ])
            #expect(saved.status == .seeOther)
            #expect(try await ProgramCounty.query(on: app.db).filter(\.$program.$id == UUID(uuidString: dane)!).count() == 72)

            // validate: the starter partners wait for approval, so the coordinator reads nothing exactly
            #expect(try await OutcomeScope.exactAgencies(for: coordinator, on: app.db) == .none)
            #expect(try await OutcomeScope.access(for: coordinator, county: nil, agency: greenBay, program: nil, on: app.db) == .publicView)
            #expect(
                try await OutcomeScope.access(for: coordinator, county: nil, agency: nil, program: UUID(uuidString: dane), on: app.db)
                    == .publicView,
                "the program filter does not become 'every county'")
            #expect(try await OutcomeScope.access(for: coordinator, county: "55009", agency: nil, program: nil, on: app.db) == .publicView)

            // MUT: an administrator approves one partner (Madison PD)
            let link = try await Self.partner(app, program: dane, organization: madison)
            link.approvedAt = Date(); link.approvedBy = "admin@example.org"
            try await link.save(on: app.db)

            // validate: exactly that agency, nothing through the 72 counties
            #expect(try await OutcomeScope.exactAgencies(for: coordinator, on: app.db) == .agencies([madison]))
            #expect(
                try await OutcomeScope.access(for: coordinator, county: nil, agency: nil, program: UUID(uuidString: dane), on: app.db)
                    == .exactAgencies([madison]),
                "the program filter covers the approved partner only")
            #expect(
                try await OutcomeScope.access(for: coordinator, county: "55009", agency: madison, program: nil, on: app.db)
                    == .exactAgencies([madison]),
                "a county narrows an agency in scope")
            #expect(try await OutcomeScope.access(for: coordinator, county: nil, agency: greenBay, program: nil, on: app.db) == .publicView)
            #expect(try await OutcomeScope.access(for: coordinator, county: "55009", agency: nil, program: nil, on: app.db) == .publicView)
            #expect(
                try await OutcomeScope.access(
                    for: coordinator, county: nil, agency: nil, program: UUID(uuidString: greenBayProgram), on: app.db) == .publicView)
            #expect(try await OutcomeScope.access(for: coordinator, county: nil, agency: nil, program: nil, on: app.db) == .publicView)

            // MUT: the coordinator names Green Bay PD as a partner of their program
            let added = try await browser.post(
                SiteURL.programPartners(.value(dane)).path,
                ["partner_name": "Green Bay Police Department", "partner_kind": "law_enforcement", "partner_role": "partner"])
            #expect(added.status == .seeOther)
            #expect(try await Self.partner(app, program: dane, organization: greenBay).isApproved == false)
            // validate: naming an agency opens nothing until an administrator approves
            #expect(try await OutcomeScope.access(for: coordinator, county: nil, agency: greenBay, program: nil, on: app.db) == .publicView)
            #expect(
                try await OutcomeScope.access(for: coordinator, county: nil, agency: nil, program: UUID(uuidString: dane), on: app.db)
                    == .exactAgencies([madison]))
        }
    }

    @Test("liaisons reach their own agency, administrators everything, trainers and the signed-out nothing")
    func otherRoles() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let madison = try await Self.organization(app, "Madison Police Department")
            let greenBay = try await Self.organization(app, "Green Bay Police Department")
            let liaison = try await Fixtures.user(
                app, email: "liaison@example.org", role: .agencyLiaison, scope: madison.uuidString.lowercased())
            let admin = try await Fixtures.user(app, email: "admin@example.org", role: .stateAdministrator)
            let trainer = try await Fixtures.user(app, email: "trainer@example.org", role: .trainer)
            let disabled = try await Fixtures.user(
                app, email: "gone@example.org", role: .agencyLiaison, scope: madison.uuidString, disabled: true)

            #expect(try await OutcomeScope.exactAgencies(for: liaison, on: app.db) == .agencies([madison]))
            #expect(
                try await OutcomeScope.access(for: liaison, county: nil, agency: madison, program: nil, on: app.db)
                    == .exactAgencies([madison]))
            #expect(try await OutcomeScope.access(for: liaison, county: nil, agency: greenBay, program: nil, on: app.db) == .publicView)
            #expect(try await OutcomeScope.exactAgencies(for: admin, on: app.db) == .all)
            #expect(try await OutcomeScope.access(for: admin, county: "55025", agency: nil, program: nil, on: app.db) == .exactAll)
            #expect(
                try await OutcomeScope.access(for: admin, county: nil, agency: greenBay, program: nil, on: app.db)
                    == .exactAgencies([greenBay]))
            #expect(try await OutcomeScope.exactAgencies(for: trainer, on: app.db) == .none)
            #expect(try await OutcomeScope.exactAgencies(for: nil, on: app.db) == .none)
            #expect(try await OutcomeScope.access(for: nil, county: nil, agency: madison, program: nil, on: app.db) == .publicView)
            #expect(try await OutcomeScope.exactAgencies(for: disabled, on: app.db) == .none)
        }
    }

    @Test(
        "a coordinator's partner waits; the administrator approves it with a button (CSRF, audited); an administrator's partner is approved at once"
    )
    func approvalFlow() async throws {
        try await withCITHub { app in
            // setup
            try await loadDirectory(app)
            let dane = try await programID(app, named: "NAMI Dane County CIT/CIP")
            let kenoshaProgram = try await programID(app, named: "NAMI Kenosha CIT/CIP")
            let coordinatorUser = try await Fixtures.user(app, email: "coord@example.org", role: .programCoordinator, scope: dane)
            let coordinator = try await Self.signIn(app, coordinatorUser)
            let (admin, adminUser) = try await Fixtures.signedIn(app, role: .stateAdministrator, email: "admin@example.org")
            let kenoshaPD = try await Self.organization(app, "Kenosha Police Department")

            // MUT: the coordinator adds an existing agency as a partner
            let added = try await coordinator.post(
                SiteURL.programPartners(.value(dane)).path,
                ["partner_name": "Kenosha Police Department", "partner_kind": "law_enforcement", "partner_role": "partner"])
            #expect(added.status == .seeOther)
            #expect(added.location == SiteURL.programEdit(.value(dane)).path)

            // validate: waiting, said so on the edit page, no Approve button for the coordinator
            let pending = try await Self.partner(app, program: dane, organization: kenoshaPD)
            #expect(pending.approvedAt == nil && pending.approvedBy == nil)
            let addedEvent = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "program.partner_added").first())
            #expect(addedEvent.details.contains("Kenosha Police Department") && addedEvent.details.contains("waiting for approval"))
            let coordinatorPage = try await coordinator.get(SiteURL.programEdit(.value(dane)).path).text
            #expect(coordinatorPage.contains("Kenosha Police Department"))
            #expect(coordinatorPage.contains("Waiting for the state administrator"))
            #expect(!coordinatorPage.contains(SiteURL.programPartnerApprove(.value(dane), .value(pending.id!.uuidString)).path))
            #expect(
                try await coordinator.post(SiteURL.programPartnerApprove(.value(dane), .value(pending.id!.uuidString)).path, [:]).status
                    == .forbidden,
                "a coordinator cannot approve their own partner")
            #expect(
                try await OutcomeScope.access(for: coordinatorUser, county: nil, agency: kenoshaPD, program: nil, on: app.db) == .publicView
            )

            // the administrator sees an Approve button; a forged POST (no CSRF token) changes nothing
            let adminPage = try await admin.get(SiteURL.programEdit(.value(dane)).path).text
            #expect(adminPage.contains(SiteURL.programPartnerApprove(.value(dane), .value(pending.id!.uuidString)).path))
            #expect(
                adminPage.contains("Approve<span class=\"visually-hidden\"> Kenosha Police Department</span>"),
                "the button's name says whom it approves")
            let nami = try await Self.partner(app, program: dane, organization: try await Self.organization(app, "NAMI Dane County"))
            #expect(
                !adminPage.contains(SiteURL.programPartnerApprove(.value(dane), .value(nami.id!.uuidString)).path),
                "a NAMI affiliate files no encounter reports, so there is nothing to approve")
            let forged = try await admin.post(
                SiteURL.programPartnerApprove(.value(dane), .value(pending.id!.uuidString)).path, [:], csrf: false)
            #expect(forged.status == .forbidden)
            #expect(try await Self.partner(app, program: dane, organization: kenoshaPD).isApproved == false)
            #expect(
                try await admin.post(SiteURL.programPartnerApprove(.value(kenoshaProgram), .value(pending.id!.uuidString)).path, [:]).status
                    == .notFound,
                "a partner of another program is not approved through this one")

            // MUT: the administrator approves
            let approved = try await admin.post(SiteURL.programPartnerApprove(.value(dane), .value(pending.id!.uuidString)).path, [:])
            #expect(approved.status == .seeOther)
            #expect(approved.location == SiteURL.programEdit(.value(dane)).path)

            // validate: approved by the administrator, audited, and now in the coordinator's scope
            let link = try await Self.partner(app, program: dane, organization: kenoshaPD)
            #expect(link.isApproved)
            #expect(link.approvedBy == adminUser.email)
            let events = try await AuditEvent.query(on: app.db).filter(\.$action == "program.partner_approved").all()
            #expect(events.count == 1)
            #expect(events.first?.actor == adminUser.email)
            #expect(events.first?.entityID?.lowercased() == dane.lowercased())
            #expect(events.first?.details.contains("Kenosha Police Department") == true)
            #expect(
                try await OutcomeScope.access(for: coordinatorUser, county: nil, agency: kenoshaPD, program: nil, on: app.db)
                    == .exactAgencies([kenoshaPD]))
            let afterPage = try await admin.get(SiteURL.programEdit(.value(dane)).path).text
            #expect(!afterPage.contains(SiteURL.programPartnerApprove(.value(dane), .value(pending.id!.uuidString)).path))
            // approving twice is harmless and writes no second event
            #expect(
                try await admin.post(SiteURL.programPartnerApprove(.value(dane), .value(pending.id!.uuidString)).path, [:]).status
                    == .seeOther)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "program.partner_approved").count() == 1)

            // MUT: the administrator adds a partner
            #expect(
                try await admin.post(
                    SiteURL.programPartners(.value(dane)).path,
                    ["partner_name": "Green Bay Police Department", "partner_kind": "law_enforcement", "partner_role": "partner"]
                ).status == .seeOther)
            // validate: approved at once, by them
            let direct = try await Self.partner(
                app, program: dane, organization: try await Self.organization(app, "Green Bay Police Department"))
            #expect(direct.isApproved)
            #expect(direct.approvedBy == adminUser.email)
        }
    }

    @Test("a merge moves partners with their approval, and a merged-away program reaches nothing")
    func mergeKeepsApproval() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let dane = try await programID(app, named: "NAMI Dane County CIT/CIP")
            let kenosha = try await programID(app, named: "NAMI Kenosha CIT/CIP")
            let kenoshaPD = try await Self.organization(app, "Kenosha Police Department")
            let link = try await Self.partner(app, program: kenosha, organization: kenoshaPD)
            link.approvedAt = Date(); link.approvedBy = "earlier-admin@example.org"
            try await link.save(on: app.db)
            let kenoshaCoordinator = try await Fixtures.user(app, email: "kcoord@example.org", role: .programCoordinator, scope: kenosha)
            let (admin, _) = try await Fixtures.signedIn(app, role: .stateAdministrator)

            #expect(try await admin.post(SiteURL.programMerge(.value(dane)).path, ["duplicate": kenosha]).status == .seeOther)

            let moved = try await Self.partner(app, program: dane, organization: kenoshaPD)
            #expect(moved.approvedBy == "earlier-admin@example.org")
            let madison = try await Self.partner(
                app, program: dane, organization: try await Self.organization(app, "Madison Police Department"))
            #expect(!madison.isApproved, "the survivor's own waiting partners still wait")
            #expect(try await OutcomeScope.exactAgencies(for: kenoshaCoordinator, on: app.db) == .none)
        }
    }

    @Test("the migration approves existing partners only where the audit log shows an administrator added them")
    func migrationBackfill() async throws {
        try await withCITHub { app in
            // setup: the starter partners (added by the system), one added by an administrator
            // and one by a coordinator, as the audit log recorded them before approval existed
            try await loadDirectory(app)
            let dane = try await programID(app, named: "NAMI Dane County CIT/CIP")
            let admin = try await Fixtures.user(app, email: "admin@example.org", role: .stateAdministrator)
            let coordinator = try await Fixtures.user(app, email: "coord@example.org", role: .programCoordinator, scope: dane)
            let at = Date(timeIntervalSince1970: 1_780_000_000)
            for (name, actor) in [("Kenosha Police Department", admin), ("Green Bay Police Department", coordinator)] {
                let organization = try #require(try await Organization.query(on: app.db).filter(\.$name == name).first())
                try await ProgramPartner(programID: UUID(uuidString: dane)!, organizationID: organization.id!, role: .partner).create(
                    on: app.db)
                try await AuditEvent(
                    actorID: actor.id, actor: actor.email, action: "program.partner_added", entityType: "program", entityID: dane,
                    details: "\(name) (law_enforcement, partner)", ip: nil, at: at
                ).create(on: app.db)
            }
            let migration = M014_AddPartnerApproval()

            // MUT: the columns go and come back, as on an installation upgraded to this version
            // (on one connection: SQLite's other pooled connections may still hold the old schema)
            try await app.db.transaction { tx in
                try await migration.revert(on: tx)
                try await migration.prepare(on: tx)
            }

            // validate
            let byAdmin = try await Self.partner(
                app, program: dane, organization: try await Self.organization(app, "Kenosha Police Department"))
            #expect(byAdmin.approvedBy == "admin@example.org")
            #expect(byAdmin.approvedAt.map { abs($0.timeIntervalSince(at)) < 1 } == true)
            #expect(
                try await Self.partner(app, program: dane, organization: try await Self.organization(app, "Green Bay Police Department"))
                    .isApproved == false,
                "a coordinator's partner waits")
            #expect(
                try await Self.partner(app, program: dane, organization: try await Self.organization(app, "Madison Police Department"))
                    .isApproved == false,
                "a starter partner from a public web page waits")
        }
    }

    /// The finding as seen live, through HTTP only. It fails against the dashboard as it was
    /// (which trusted the program's counties); it is enabled once OutcomesController asks
    /// `OutcomeScope.access` (the lead is rewriting that controller for part 1).
    @Test("the dashboard: a coordinator with all 72 counties does not read another agency's small counts")
    func dashboardAttack() async throws {
        try await withCITHub { app in
            // setup: Green Bay PD files two reports in which an officer was injured
            try await loadDirectory(app)
            let dane = try await programID(app, named: "NAMI Dane County CIT/CIP")
            let greenBay = try #require(try await Organization.query(on: app.db).filter(\.$name == "Green Bay Police Department").first())
            let liaisonUser = try await Fixtures.user(
                app, email: "gb@example.org", role: .agencyLiaison, scope: greenBay.id!.uuidString.lowercased())
            let liaison = try await Self.signIn(app, liaisonUser)
            for _ in 0..<2 {
                let filed = try await liaison.post(
                    "/encounters/new", OutcomeFixtures.report(agency: greenBay, county: "55009", overrides: ["injury_officer": "yes"]))
                #expect(filed.status == .seeOther)
            }
            let coordinator = try await Self.signIn(
                app, try await Fixtures.user(app, email: "coord@example.org", role: .programCoordinator, scope: dane))
            let everyCounty = try await County.query(on: app.db).filter(\.$stateCode == "WI").all().map(\.name)

            // MUT: the attack as the review did it
            #expect(
                try await coordinator.post(
                    SiteURL.programEdit(.value(dane)).path,
                    [
                        "name": "NAMI Dane County CIT/CIP", "kind_cit": "on", "status": "active",
                        "counties": everyCounty.joined(separator: ", "),
                    ]
                ).status == .seeOther)
            let summary = try await coordinator.get("/outcomes?program=\(dane.lowercased())&format=csv&view=summary")

            // validate: the 2 stays hidden, as for the public
            #expect(summary.status == .ok)
            #expect(!summary.text.contains("An officer was injured,2,"), "Green Bay's 2 read exactly through the Dane program")
            let page = try await coordinator.get("/outcomes?program=\(dane.lowercased())&county=55009")
            #expect(!page.text.contains("counts are exact"))
        }
    }
}
