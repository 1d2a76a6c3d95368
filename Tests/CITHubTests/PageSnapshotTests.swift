import Foundation
import Testing
import SnapshotTesting
import Plot
@testable import CITHub
import CITDomain

// Snapshots of pages rendered from `.mock` models, without a database or HTTP: a change to
// a page's HTML shows as a diff of `__Snapshots__/PageSnapshotTests/*.html`, reviewed with
// the change. To accept a deliberate change, delete the snapshot file and run the test once
// (it records the new one and fails), then run it again. (Issue 14 part 2.)

extension PageChrome {
    static let mock = PageChrome(
        organization: Settings.Organization(name: "NAMI Wisconsin (demo)", email: "info@example.org", phone: "608-555-0100"),
        signedInAs: nil, notice: nil)
    static let mockSignedIn = PageChrome(
        organization: PageChrome.mock.organization, signedInAs: "coordinator@example.org", notice: "Your password was changed.")
}

extension AccountHome {
    /// What a person holding `role` sees, with one item of each kind their role shows.
    static func mock(_ role: Role) -> AccountHome {
        let day = UUID(uuidString: "00000000-0000-4000-8000-000000000001")!
        var home = AccountHome(
            name: "Pat Example", email: "\(role.rawValue)@example.org", roles: ["\(role.title) — NAMI Dane County CIT/CIP"],
            permissions: RoleMatrix.grants[role] ?? [])
        if role == .programCoordinator || role == .stateAdministrator {
            home.programs = [.init(id: "00000000-0000-4000-8000-0000000000aa", name: "NAMI Dane County CIT/CIP")]
            home.programClasses = [
                .init(
                    id: day, title: "CIT 40-hour class (demo)", programName: "NAMI Dane County CIT/CIP",
                    dates: "Mon 8 Mar – Fri 12 Mar 2027", isToday: false, hasEnded: false)
            ]
        }
        if role == .trainer {
            home.teachingClasses = [
                .init(
                    id: day, title: "CIT 40-hour class (demo)", programName: "NAMI Dane County CIT/CIP",
                    dates: "Mon 8 Mar – Fri 12 Mar 2027", isToday: true, hasEnded: false)
            ]
        }
        if role == .agencyLiaison {
            home.agencies = [
                .init(
                    id: "00000000-0000-4000-8000-0000000000bb", name: "Madison Police Department (demo)", reports: 12,
                    lastFiled: "2 Dec 2026", officers: "120 sworn officers; 80 on patrol, 20 of them CIT-trained")
            ]
        }
        if role == .trainee {
            home.certificates = [
                .init(code: "ABCD-EFGH-JKLM", title: "Crisis Intervention Team (40 hours)", issued: "12 Mar 2027", revoked: false)
            ]
        }
        return home
    }
}

extension ClassFormModel {
    static func mock(errors: [String: String] = [:], problems: [AgendaRowProblem] = []) -> ClassFormModel {
        var input = ClassInput()
        input.title = "CIT 40-hour class (demo)"
        input.venueName = "Dane County Public Safety Building"
        input.venueAddress = "115 W Doty St, Madison, WI"
        input.venueZIP = "53703"
        input.rows[0] = AgendaRow(day: "2027-03-08", start: "08:00", end: "12:00", title: "Welcome and mental illness overview", topic: "")
        let program = UUID(uuidString: "00000000-0000-4000-8000-0000000000aa")!
        return ClassFormModel(
            mode: .create, programID: program, programName: "NAMI Dane County CIT/CIP",
            action: SiteURL.newClass(.value(program.uuidString)).path,
            courses: [("CIT", "Crisis Intervention Team (40 hours)"), ("CIP", "Crisis Intervention Partners (2 days)")],
            topics: [("overview", "Mental illness overview"), ("deescalation", "De-escalation skills")],
            input: input, errors: errors, agendaProblems: problems, csrf: "csrf-token-mock")
    }
}

@Suite struct PageSnapshotTests {
    @Test func home() {
        assertSnapshot(of: PublicPagesController.home(chrome: .mock).render(), as: .html)
    }

    @Test func about() {
        assertSnapshot(of: PublicPagesController.about(chrome: .mock).render(), as: .html)
    }

    @Test func crisisHelper() {
        assertSnapshot(of: CrisisHelperViews.helperPage(chrome: .mock).render(), as: .html)
    }

    @Test func crisisFormWithErrors() {
        var form = CrisisForm()
        form.name = "Maria"
        let errors = ["location": "Enter where the person is: an address, or a place and a town."]
        assertSnapshot(
            of: CrisisHelperViews.formPage(chrome: .mock, form: form, errors: errors, csrf: "csrf-token-mock").render(), as: .html)
    }

    @Test func crisisResult() {
        var form = CrisisForm()
        form.name = "Maria Lopez"
        form.location = "123 Main St, Madison"
        form.relation = "mother"
        form.lovedName = "Daniel"
        form.weapons = "yes"
        let made = Date(timeIntervalSince1970: 1_796_400_000)
        assertSnapshot(of: CrisisHelperViews.resultPage(chrome: .mock, form: form, csrf: "csrf-token-mock", made: made).render(), as: .html)
    }

    @Test(arguments: Role.allCases)
    func accountHome(role: Role) {
        let page = AccountHomeView.page(.mock(role), chrome: .mockSignedIn, csrf: "csrf-token-mock")
        assertSnapshot(of: page.render(), as: .html, named: role.rawValue)
    }

    @Test func classFormNew() {
        let page = Page(title: "New class", chrome: .mockSignedIn, main: ClassFormView.main(.mock()))
        assertSnapshot(of: page.render(), as: .html)
    }

    @Test func classFormWithErrors() {
        let model = ClassFormModel.mock(
            errors: ["venue_zip": "Enter a 5-digit ZIP code."],
            problems: [AgendaRowProblem(row: 1, message: "The block ends before it starts.")])
        let page = Page(title: "New class", chrome: .mockSignedIn, main: ClassFormView.main(model))
        assertSnapshot(of: page.render(), as: .html)
    }
}

extension Snapshotting where Value == String, Format == String {
    /// A page's HTML, one element per line so a diff points at the element that changed.
    static var html: Snapshotting {
        var strategy = Snapshotting.lines
        strategy.pathExtension = "html"
        return strategy.pullback { html in
            html.replacingOccurrences(of: "><", with: ">\n<")
        }
    }
}

extension RosterModel {
    static func mock(trainerError: String? = nil) -> RosterModel {
        func person(_ n: Int, _ name: String, _ organization: String) -> Person {
            Person(
                id: UUID(uuidString: "00000000-0000-4000-8000-00000000010\(n)")!, name: name, organization: organization,
                role: "Law enforcement officer", email: "person\(n)@example.org", phone: "")
        }
        return RosterModel(
            classID: UUID(uuidString: "00000000-0000-4000-8000-000000000001")!,
            programID: UUID(uuidString: "00000000-0000-4000-8000-0000000000aa")!,
            title: "CIT 40-hour class (demo)", dates: "Mon 8 Mar – Fri 12 Mar 2027", capacity: 2,
            trainers: [.init(name: "Terry Trainer", email: "trainer@example.org")],
            trainerChoices: ["Casey Coordinator (coordinator@example.org)"], legacyTrainers: "",
            confirmed: [
                person(1, "Alex Officer", "Madison Police Department (demo)"), person(2, "Sam Deputy", "Dane County Sheriff (demo)"),
            ],
            waiting: [person(3, "Jo Waiting", "Fitchburg Police Department (demo)")], cancelled: [],
            holdsNote: nil, canAddPerson: true, trainerError: trainerError, person: .init(), csrf: "csrf-token-mock")
    }
}

extension ProgramEditModel {
    static func mock(administers: Bool, errors: [String: String] = [:]) -> ProgramEditModel {
        var input = DirectoryEditController.ProgramInput()
        input.name = "NAMI Dane County CIT/CIP"
        input.kinds = ["CIT", "CIP"]
        input.counties = "Dane"
        input.yearStarted = "2006"
        return ProgramEditModel(
            programID: UUID(uuidString: "00000000-0000-4000-8000-0000000000aa")!, name: "NAMI Dane County CIT/CIP", input: input,
            errors: errors,
            partners: [
                .init(
                    id: UUID(uuidString: "00000000-0000-4000-8000-000000000201")!, name: "Madison Police Department (demo)",
                    kindTitle: "Law enforcement", roleTitle: "Partner", waitsForApproval: true),
                .init(
                    id: UUID(uuidString: "00000000-0000-4000-8000-000000000202")!, name: "Journey Mental Health Center (demo)",
                    kindTitle: "Mental health provider", roleTitle: "Partner", waitsForApproval: false),
            ],
            administers: administers, verifiedLine: "Not verified yet: the public pages say it was reported by its source.",
            mergeChoices: administers ? [("00000000-0000-4000-8000-0000000000ab", "Dane County CIT (duplicate, demo)")] : [],
            csrf: "csrf-token-mock")
    }
}

extension EncounterListModel {
    static func mock(agencies: Int = 1) -> EncounterListModel {
        EncounterListModel(
            title: agencies == 0 ? "Your agencies' reports" : "Reports of Madison Police Department (demo)", hasAgency: agencies > 0,
            total: agencies == 0 ? 0 : 51, page: 1, pages: agencies == 0 ? 1 : 2,
            reports: agencies == 0
                ? []
                : [
                    .init(
                        key: "demo-report-1", call: "2026-11-30 · Evening (16–24) · Dane County", agencyName: nil,
                        disposition: "Resolved on scene", citOnScene: true, filed: "Nov 30", correctableUntil: "Dec 14"),
                    .init(
                        key: "demo-report-2", call: "2026-10-02 · Night (0–8) · Dane County", agencyName: nil,
                        disposition: "Emergency detention (Wis. Stat. 51.15)", citOnScene: false, filed: "Oct 2",
                        correctableUntil: nil),
                ])
    }
}

@Suite struct PageModelSnapshotTests {
    @Test func encounterList() {
        assertSnapshot(of: EncounterListView.page(.mock(), chrome: .mockSignedIn).render(), as: .html)
    }

    @Test func encounterListWithoutAgency() {
        assertSnapshot(of: EncounterListView.page(.mock(agencies: 0), chrome: .mockSignedIn).render(), as: .html)
    }

    @Test(arguments: [true, false])
    func programEdit(administers: Bool) {
        let page = ProgramEditView.page(.mock(administers: administers), chrome: .mockSignedIn)
        assertSnapshot(of: page.render(), as: .html, named: administers ? "administrator" : "coordinator")
    }

    @Test func programEditWithErrors() {
        let model = ProgramEditModel.mock(
            administers: false, errors: ["name": "Enter the program's name.", "partner_name": "Enter a name."])
        assertSnapshot(of: ProgramEditView.page(model, chrome: .mockSignedIn).render(), as: .html)
    }

    @Test func roster() {
        assertSnapshot(of: RosterView.page(.mock(), chrome: .mockSignedIn).render(), as: .html)
    }

    @Test func rosterWithTrainerError() {
        let page = RosterView.page(.mock(trainerError: "Type a trainer's name and pick it from the list."), chrome: .mockSignedIn)
        assertSnapshot(of: page.render(), as: .html)
    }
}
