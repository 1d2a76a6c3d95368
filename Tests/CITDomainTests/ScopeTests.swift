import Foundation
import Testing
@testable import CITDomain

/// Which records each role may touch (issue 14, part 3), as one table: a row is a record
/// and an action, a column a person, a cell what `Scope.decide` must answer.
@Suite("Record scope: every role against records inside and outside its scope")
struct ScopeTests {
    // The world: programs A and B; class A1 of A taught by the trainer, class B1 of B
    // taught by nobody; agencies X and Y with one encounter report each; certificates
    // issued to the trainee (by B) and to someone else (by A and by B).
    static let programA = UUID(), programB = UUID()
    static let agencyX = UUID(), agencyY = UUID()
    static let trainerID = UUID()
    static let traineeEmail = "trainee@example.org"

    enum Record: String, CaseIterable {
        case programA, programB, classA1, classB1, agencyX, agencyY, encounterX, encounterY
        case certificateOwn, certificateOtherA, certificateOtherB

        var scoped: ScopedRecord {
            switch self {
            case .programA: .program(ScopeTests.programA)
            case .programB: .program(ScopeTests.programB)
            case .classA1: .classSession(programID: ScopeTests.programA, trainerIDs: [ScopeTests.trainerID])
            case .classB1: .classSession(programID: ScopeTests.programB, trainerIDs: [])
            case .agencyX: .agency(ScopeTests.agencyX)
            case .agencyY: .agency(ScopeTests.agencyY)
            case .encounterX: .encounter(agencyID: ScopeTests.agencyX)
            case .encounterY: .encounter(agencyID: ScopeTests.agencyY)
            case .certificateOwn: .certificate(ownerEmail: ScopeTests.traineeEmail, programID: ScopeTests.programB)
            case .certificateOtherA: .certificate(ownerEmail: "someone@example.org", programID: ScopeTests.programA)
            case .certificateOtherB: .certificate(ownerEmail: "someone@example.org", programID: ScopeTests.programB)
            }
        }
    }

    /// The people, one per column of the table.
    enum Person: String, CaseIterable {
        case administrator, coordinatorA, trainer, liaisonX, trainee, noRole

        var holder: AccessHolder {
            switch self {
            case .administrator: AccessHolder(userID: UUID(), email: "admin@example.org", grants: [Grant(role: .stateAdministrator)])
            case .coordinatorA:
                AccessHolder(
                    userID: UUID(), email: "coordinator@example.org", grants: [Grant(role: .programCoordinator, scope: ScopeTests.programA)]
                )
            case .trainer: AccessHolder(userID: ScopeTests.trainerID, email: "trainer@example.org", grants: [Grant(role: .trainer)])
            case .liaisonX:
                AccessHolder(userID: UUID(), email: "liaison@example.org", grants: [Grant(role: .agencyLiaison, scope: ScopeTests.agencyX)])
            case .trainee: AccessHolder(userID: UUID(), email: ScopeTests.traineeEmail, grants: [Grant(role: .trainee)])
            case .noRole: AccessHolder(userID: UUID(), email: "nobody@example.org", grants: [])
            }
        }
    }

    // Cells: Y allowed, N forbidden (403), H hidden (404: the record's existence is not told).
    static let Y = ScopeDecision.allowed, N = ScopeDecision.forbidden, H = ScopeDecision.hidden

    typealias Row = (record: Record, action: ScopedAction, expected: [ScopeDecision])

    static let table: [Row] = [
        //  record              action      admin coordA trainer liaisonX trainee noRole
        (.programA, .edit, [Y, Y, N, N, N, N]),
        (.programB, .edit, [Y, N, N, N, N, N]),
        (.programA, .manage, [Y, Y, N, N, N, N]),
        (.programB, .manage, [Y, N, N, N, N, N]),
        (.programA, .verify, [Y, N, N, N, N, N]),
        (.programB, .verify, [Y, N, N, N, N, N]),
        (.programA, .teach, [N, N, N, N, N, N]),
        (.classA1, .manage, [Y, Y, N, N, N, N]),
        (.classB1, .manage, [Y, N, N, N, N, N]),
        (.classA1, .teach, [Y, Y, Y, N, N, N]),
        (.classB1, .teach, [Y, N, N, N, N, N]),
        (.classA1, .edit, [N, N, N, N, N, N]),
        (.agencyX, .edit, [Y, N, N, Y, N, N]),
        (.agencyY, .edit, [Y, N, N, N, N, N]),
        (.agencyX, .file, [Y, N, N, Y, N, N]),
        (.agencyY, .file, [Y, N, N, N, N, N]),
        (.encounterX, .edit, [Y, H, H, Y, H, H]),
        (.encounterY, .edit, [Y, H, H, H, H, H]),
        (.certificateOwn, .view, [Y, N, N, N, Y, N]),
        (.certificateOtherA, .view, [Y, Y, N, N, N, N]),
        (.certificateOtherB, .view, [Y, N, N, N, N, N]),
        (.certificateOwn, .edit, [N, N, N, N, N, N]),
    ]

    /// One cell of the table as a row of (person, record, action, expected).
    struct Case: Sendable, CustomTestStringConvertible {
        var person: Person, record: Record, action: ScopedAction, expected: ScopeDecision
        var testDescription: String { "\(person.rawValue) \(action.rawValue) \(record.rawValue) → \(expected)" }
    }

    static var cases: [Case] {
        table.flatMap { row in
            Person.allCases.enumerated().map {
                Case(person: $0.element, record: row.record, action: row.action, expected: row.expected[$0.offset])
            }
        }
    }

    @Test("the table is whole: every person has a cell in every row, every record and action appears")
    func tableShape() {
        #expect(Self.table.allSatisfy { $0.expected.count == Person.allCases.count })
        #expect(Set(Self.table.map(\.record)) == Set(Record.allCases))
        #expect(Set(Self.table.map(\.action)) == Set(ScopedAction.allCases))
        #expect(Self.cases.count == Self.table.count * Person.allCases.count)
    }

    @Test("every person × record × action answers as the table says", arguments: Self.cases)
    func decision(_ row: Case) {
        #expect(Scope.decide(row.person.holder, row.action, row.record.scoped) == row.expected, "\(row.testDescription)")
    }

    @Test("a coordinator assigned to teach another program's class teaches it but does not run it")
    func coordinatorAsTrainer() {
        let coordinatorB = AccessHolder(
            userID: Self.trainerID, email: "b@example.org", grants: [Grant(role: .programCoordinator, scope: Self.programB)])
        #expect(Scope.decide(coordinatorB, .teach, Record.classA1.scoped) == .allowed)
        #expect(Scope.decide(coordinatorB, .manage, Record.classA1.scoped) == .forbidden)
    }

    @Test("an assignment alone is not enough: a trainee or liaison listed as a class's trainer does not teach it")
    func assignmentNeedsTeachingRole() {
        for role in [Role.trainee, .agencyLiaison] {
            let holder = AccessHolder(
                userID: Self.trainerID, email: "x@example.org",
                grants: [Grant(role: role, scope: role == .agencyLiaison ? Self.agencyX : nil)])
            #expect(Scope.decide(holder, .teach, Record.classA1.scoped) == .forbidden, "\(role)")
        }
    }

    @Test("a scoped role saved without its scope reaches nothing")
    func scopelessGrant() {
        let coordinator = AccessHolder(userID: UUID(), email: "c@example.org", grants: [Grant(role: .programCoordinator)])
        let liaison = AccessHolder(userID: UUID(), email: "l@example.org", grants: [Grant(role: .agencyLiaison)])
        for record in Record.allCases {
            for action in ScopedAction.allCases {
                #expect(Scope.decide(coordinator, action, record.scoped) != .allowed, "coordinator \(action) \(record)")
                #expect(Scope.decide(liaison, action, record.scoped) != .allowed, "liaison \(action) \(record)")
            }
        }
    }

    @Test("list queries reach what the single-record rule allows")
    func reach() {
        #expect(Scope.programs(Person.administrator.holder, for: .manage) == .everything)
        #expect(Scope.programs(Person.coordinatorA.holder, for: .manage) == .only([Self.programA]))
        #expect(Scope.programs(Person.trainer.holder, for: .manage) == .only([]))
        #expect(Scope.agencies(Person.administrator.holder, for: .file) == .everything)
        #expect(Scope.agencies(Person.liaisonX.holder, for: .file) == .only([Self.agencyX]))
        #expect(Scope.agencies(Person.coordinatorA.holder, for: .file) == .only([]))
        let twoPrograms = AccessHolder(
            userID: nil, email: "",
            grants: [Grant(role: .programCoordinator, scope: Self.programA), Grant(role: .programCoordinator, scope: Self.programB)])
        #expect(Scope.programs(twoPrograms, for: .edit) == .only([Self.programA, Self.programB]))
        #expect(Reach.only([Self.programA]).contains(Self.programA) && !Reach.only([Self.programA]).contains(Self.programB))
    }
}
