import Foundation
import Testing
@testable import CITDomain

/// Who reads exact outcome counts for which agencies (issue 13, part 2).
@Suite("Exact outcome counts: only agencies a person is scoped to")
struct OutcomeAccessTests {
    // Three agencies: one the program approved as a partner, one a coordinator added that
    // waits for approval, and one that merely sits in a county the program says it serves.
    let approvedAgency = UUID()
    let pendingAgency = UUID()
    let countyOnlyAgency = UUID()
    let otherAgency = UUID()
    let program = UUID()
    let otherProgram = UUID()

    var facts: [ProgramAccessFacts] {
        [
            ProgramAccessFacts(
                program: program, approvedPartners: [approvedAgency], pendingPartners: [pendingAgency],
                // 72 county codes: the attacking coordinator typed every county
                counties: Set((1...72).map { String(format: "55%03d", $0 * 2 - 1) })),
            ProgramAccessFacts(program: otherProgram, approvedPartners: [otherAgency]),
        ]
    }

    func scope(_ grants: [OutcomeGrant]) -> ExactScope { OutcomeAccess.exactScope(grants: grants, programs: facts) }

    struct Row: CustomTestStringConvertible {
        var who: String
        var grants: [OutcomeGrant]
        var agency: String
        var exact: Bool
        var testDescription: String { "\(who) × \(agency) → \(exact ? "exact" : "public")" }
    }

    // The table: role × (agency in scope, agency out of scope, a county-only link, a
    // pending partner) × result.
    var table: [Row] {
        [
            Row(who: "state reports reader", grants: [.stateReports], agency: "in scope", exact: true),
            Row(who: "state reports reader", grants: [.stateReports], agency: "out of scope", exact: true),
            Row(who: "state reports reader", grants: [.stateReports], agency: "county only", exact: true),
            Row(who: "state reports reader", grants: [.stateReports], agency: "pending partner", exact: true),
            Row(who: "liaison", grants: [.agencyLiaison(agency: approvedAgency)], agency: "in scope", exact: true),
            Row(who: "liaison", grants: [.agencyLiaison(agency: approvedAgency)], agency: "out of scope", exact: false),
            Row(who: "liaison", grants: [.agencyLiaison(agency: approvedAgency)], agency: "county only", exact: false),
            Row(who: "liaison", grants: [.agencyLiaison(agency: approvedAgency)], agency: "pending partner", exact: false),
            Row(who: "coordinator", grants: [.programCoordinator(program: program)], agency: "in scope", exact: true),
            Row(who: "coordinator", grants: [.programCoordinator(program: program)], agency: "out of scope", exact: false),
            Row(who: "coordinator", grants: [.programCoordinator(program: program)], agency: "county only", exact: false),
            Row(who: "coordinator", grants: [.programCoordinator(program: program)], agency: "pending partner", exact: false),
            Row(who: "nobody", grants: [], agency: "in scope", exact: false),
            Row(who: "nobody", grants: [], agency: "county only", exact: false),
        ]
    }

    func agency(_ name: String) -> UUID {
        switch name {
        case "in scope": approvedAgency
        case "out of scope": otherAgency
        case "county only": countyOnlyAgency
        default: pendingAgency
        }
    }

    @Test("role × agency: exact only inside the person's scope")
    func roleByAgencyTable() {
        for row in table {
            let access = OutcomeAccess.selection(
                county: nil, agency: agency(row.agency), program: nil, scope: scope(row.grants), programs: facts)
            let expected: OutcomeSelectionAccess = row.exact ? .exactAgencies([agency(row.agency)]) : .publicView
            #expect(access == expected, "\(row.testDescription)")
        }
    }

    @Test("what each role may read exactly")
    func scopes() {
        #expect(scope([.stateReports]) == .all)
        #expect(scope([.agencyLiaison(agency: approvedAgency)]) == .agencies([approvedAgency]))
        #expect(
            scope([.programCoordinator(program: program)]) == .agencies([approvedAgency]),
            "approved partners only: not the pending partner, not agencies in the program's 72 counties")
        #expect(scope([]) == .none)
        #expect(scope([.programCoordinator(program: UUID())]) == .none, "a program the facts do not know gives nothing")
        #expect(
            scope([.agencyLiaison(agency: pendingAgency), .programCoordinator(program: program)])
                == .agencies([pendingAgency, approvedAgency]),
            "grants add up")
    }

    @Test("grants from roles: trainers and trainees get none; a scoped role without its scope gets none")
    func grantsFromRoles() {
        let id = UUID()
        #expect(OutcomeGrant(role: .stateAdministrator, scope: nil) == .stateReports)
        #expect(OutcomeGrant(role: .agencyLiaison, scope: id) == .agencyLiaison(agency: id))
        #expect(OutcomeGrant(role: .programCoordinator, scope: id) == .programCoordinator(program: id))
        #expect(OutcomeGrant(role: .programCoordinator, scope: nil) == nil)
        #expect(OutcomeGrant(role: .agencyLiaison, scope: nil) == nil)
        #expect(OutcomeGrant(role: .trainer, scope: id) == nil)
        #expect(OutcomeGrant(role: .trainee, scope: id) == nil)
    }

    @Test("the program filter means the program's approved partner agencies, for whoever may see them all")
    func programFilter() {
        let coordinator = scope([.programCoordinator(program: program)])
        #expect(
            OutcomeAccess.selection(county: nil, agency: nil, program: program, scope: coordinator, programs: facts)
                == .exactAgencies([approvedAgency]))
        #expect(
            OutcomeAccess.selection(county: nil, agency: nil, program: otherProgram, scope: coordinator, programs: facts) == .publicView,
            "another program's partners are outside the coordinator's scope")
        #expect(
            OutcomeAccess.selection(county: nil, agency: nil, program: program, scope: .all, programs: facts)
                == .exactAgencies([approvedAgency]),
            "a state reader's program view counts the same agencies, never the counties")
        let liaison = scope([.agencyLiaison(agency: approvedAgency)])
        #expect(
            OutcomeAccess.selection(county: nil, agency: nil, program: program, scope: liaison, programs: facts)
                == .exactAgencies([approvedAgency]),
            "a liaison whose agency is the program's only approved partner sees the program exactly")
        #expect(OutcomeAccess.selection(county: nil, agency: nil, program: otherProgram, scope: liaison, programs: facts) == .publicView)
    }

    @Test("program and agency together: the agency, if it is one of the program's approved partners")
    func programAndAgency() {
        let coordinator = scope([.programCoordinator(program: program)])
        #expect(
            OutcomeAccess.selection(county: nil, agency: approvedAgency, program: program, scope: coordinator, programs: facts)
                == .exactAgencies([approvedAgency]))
        #expect(
            OutcomeAccess.selection(county: nil, agency: otherAgency, program: program, scope: coordinator, programs: facts) == .publicView,
            "an agency outside the program selects nothing exact")
        #expect(
            OutcomeAccess.selection(county: nil, agency: pendingAgency, program: program, scope: .all, programs: facts) == .publicView,
            "a pending partner is not part of the program's numbers yet")
    }

    @Test("a county filter confers nothing: a coordinator asking for a county sees the public view")
    func countyConfersNothing() {
        let coordinator = scope([.programCoordinator(program: program)])
        for fips in facts[0].counties.sorted() {
            #expect(OutcomeAccess.selection(county: fips, agency: nil, program: nil, scope: coordinator, programs: facts) == .publicView)
            #expect(
                OutcomeAccess.selection(county: fips, agency: countyOnlyAgency, program: nil, scope: coordinator, programs: facts)
                    == .publicView)
        }
        #expect(
            OutcomeAccess.selection(county: "55025", agency: approvedAgency, program: nil, scope: coordinator, programs: facts)
                == .exactAgencies([approvedAgency]),
            "a county inside an agency in scope narrows that agency's rows")
        #expect(OutcomeAccess.selection(county: "55025", agency: nil, program: nil, scope: .all, programs: facts) == .exactAll)
    }

    @Test("no filter: exact only for state reports readers; everyone else the public view")
    func noFilter() {
        #expect(OutcomeAccess.selection(county: nil, agency: nil, program: nil, scope: .all, programs: facts) == .exactAll)
        #expect(
            OutcomeAccess.selection(
                county: nil, agency: nil, program: nil, scope: scope([.programCoordinator(program: program)]), programs: facts)
                == .publicView)
        #expect(
            OutcomeAccess.selection(
                county: nil, agency: nil, program: nil, scope: scope([.agencyLiaison(agency: approvedAgency)]), programs: facts)
                == .publicView)
        #expect(OutcomeAccess.selection(county: nil, agency: nil, program: nil, scope: .none, programs: facts) == .publicView)
    }

    @Test("a program with no approved partner yet gets the public view, not an exact view of nothing")
    func programWithoutApprovedPartners() {
        let lonely = UUID()
        let programs = facts + [ProgramAccessFacts(program: lonely, pendingPartners: [pendingAgency], counties: ["55025"])]
        let coordinator = OutcomeAccess.exactScope(grants: [.programCoordinator(program: lonely)], programs: programs)
        #expect(coordinator == .none)
        #expect(OutcomeAccess.selection(county: nil, agency: nil, program: lonely, scope: coordinator, programs: programs) == .publicView)
        #expect(OutcomeAccess.selection(county: nil, agency: nil, program: lonely, scope: .all, programs: programs) == .publicView)
    }
}
