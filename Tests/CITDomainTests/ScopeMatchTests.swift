import Foundation
import Testing
@testable import CITDomain

@Suite("Picking a program or agency by name")
struct ScopeMatchTests {
    let dane = ScopeCandidate(id: UUID(), name: "NAMI Dane County CIT/CIP", qualifier: "Dane")
    let appleton = ScopeCandidate(id: UUID(), name: "Appleton Police Department CIT", qualifier: "Outagamie")
    let sheriffA = ScopeCandidate(id: UUID(), name: "Sheriff\u{2019}s Office", qualifier: "Dane County, Law enforcement")
    let sheriffB = ScopeCandidate(id: UUID(), name: "Sheriff's Office", qualifier: "Rock County, Law enforcement")
    var choices: ScopeChoices { ScopeChoices([dane, appleton, sheriffA, sheriffB]) }

    @Test("the exact name resolves, whatever the case and spacing")
    func exactNameResolves() {
        #expect(choices.resolve("NAMI Dane County CIT/CIP") == .found(dane.id))
        #expect(choices.resolve("  nami dane   county cit/cip ") == .found(dane.id))
    }

    @Test("a typo does not resolve, and the close name is suggested")
    func typoSuggests() {
        #expect(choices.resolve("NAMI Dane Cnty CIT") == .notFound(suggestions: ["NAMI Dane County CIT/CIP"]))
        #expect(choices.resolve("Apleton police") == .notFound(suggestions: ["Appleton Police Department CIT"]))
        #expect(
            choices.resolve("Dane")
                == .notFound(suggestions: ["NAMI Dane County CIT/CIP", "Sheriff\u{2019}s Office (Dane County, Law enforcement)"]),
            "a part of a name is not a pick")
        #expect(choices.resolve("Zebra Lodge") == .notFound(suggestions: []))
    }

    @Test("nothing typed is empty, never a match")
    func emptyIsEmpty() {
        #expect(choices.resolve("   ") == .empty)
    }

    @Test("two records of one name are told apart by their label, and the bare name is ambiguous")
    func sameNameNeedsLabel() {
        #expect(choices.label(of: dane.id) == "NAMI Dane County CIT/CIP", "a unique name has no qualifier")
        #expect(choices.label(of: sheriffB.id) == "Sheriff's Office (Rock County, Law enforcement)")
        #expect(choices.resolve("Sheriff's Office (Rock County, Law enforcement)") == .found(sheriffB.id))
        #expect(
            choices.resolve("Sheriff\u{2019}s Office (Dane County, Law enforcement)") == .found(sheriffA.id), "curly or straight apostrophe"
        )
        guard case let .ambiguous(labels) = choices.resolve("sheriff's office") else { Issue.record("expected ambiguous"); return }
        #expect(labels.count == 2)
    }

    @Test("labels come in name order")
    func labelsSorted() {
        #expect(choices.labels.first == "Appleton Police Department CIT")
        #expect(choices.labels.count == 4)
    }

    @Test("one edit apart, no more")
    func oneEdit() {
        #expect(ScopeChoices.withinOneEdit("county", "cunty"))
        #expect(ScopeChoices.withinOneEdit("county", "countyy"))
        #expect(ScopeChoices.withinOneEdit("county", "counts"))
        #expect(!ScopeChoices.withinOneEdit("county", "cnty"))
    }
}

@Suite("Correcting an encounter report")
struct CorrectionWindowTests {
    let filed = Date(timeIntervalSince1970: 1_790_000_000)

    @Test("open for 14 days after filing, to the second; closed after")
    func fourteenDays() {
        let window = CorrectionWindow.standard
        #expect(window.days == 14)
        #expect(window.isOpen(filedAt: filed, now: filed))
        #expect(window.isOpen(filedAt: filed, now: filed.addingTimeInterval(14 * 86400)))
        #expect(!window.isOpen(filedAt: filed, now: filed.addingTimeInterval(14 * 86400 + 1)))
        #expect(!window.isOpen(filedAt: filed, now: filed.addingTimeInterval(30 * 86400)))
    }

    @Test("the changes are the fields that differ, in form order, with both values")
    func changes() {
        let before = ["disposition": "arrest", "force_level": "none", "veteran": "no"]
        let after = ["disposition": "referral", "force_level": "none", "veteran": "unknown"]
        let changes = CorrectionWindow.changes(before: before, after: after, order: ["veteran", "force_level", "disposition"])
        #expect(changes.map(\.field) == ["veteran", "disposition"])
        #expect(changes.last?.description == "disposition: arrest → referral")
        #expect(CorrectionWindow.changes(before: before, after: before, order: Array(before.keys)).isEmpty)
    }
}
