import Testing
import CITDomain

@Suite struct CourseCatalogTests {

    @Test func exactlyTheThreeSeedCourses() {
        #expect(CourseCatalog.courses.map(\.code) == ["CIT", "CIP", "CIT-DISPATCH"])
        #expect(Set(CourseCatalog.courses.map(\.code)).count == CourseCatalog.courses.count)
    }

    @Test func hoursDaysAndAudiences() throws {
        let cit = try #require(CourseCatalog.course(code: "CIT"))
        #expect(cit.requiredHours == 40)
        #expect(cit.typicalDays == 5)
        #expect(cit.audiences == [.swornLawEnforcement])

        let cip = try #require(CourseCatalog.course(code: "CIP"))
        #expect(cip.requiredHours == 16)
        #expect(cip.typicalDays == 2)
        // the seed names correctional officers among the CIP audience
        #expect(cip.isOpen(to: .corrections))
        #expect(cip.isOpen(to: .nonLawEnforcementProfessionals))
        #expect(!cip.isOpen(to: .swornLawEnforcement))

        let dispatch = try #require(CourseCatalog.course(code: "CIT-DISPATCH"))
        #expect(dispatch.requiredHours == 8)
        #expect(dispatch.audiences == [.dispatch])
        #expect(CourseCatalog.course(code: "CIT-YOUTH") == nil)
    }

    @Test func everyCourseAndTopicHasASource() {
        #expect(CourseCatalog.courses.allSatisfy { !$0.source.isEmpty && !$0.summary.isEmpty })
        #expect(
            CourseCatalog.topics.allSatisfy {
                $0.source == CourseCatalog.seedPageSource || $0.source == CourseCatalog.memphisModelSource
            })
    }

    @Test func topicsAreTheSeedsThenMemphis() {
        let codes = CourseCatalog.topics.map(\.code)
        #expect(Set(codes).count == codes.count)
        #expect(
            CourseCatalog.topics.filter { $0.source == CourseCatalog.seedPageSource }.map(\.code) == [
                "mental-illness-overview", "lived-experience", "de-escalation", "role-plays",
                "hearing-voices-simulation", "site-visits", "ride-alongs",
            ])
        #expect(
            CourseCatalog.topics.filter { $0.source == CourseCatalog.memphisModelSource }.map(\.code) == [
                "medications", "co-occurring-disorders", "suicide-prevention", "civil-commitment",
                "ptsd-veterans", "legal-aspects", "community-resources",
            ])
        #expect(CourseCatalog.topic(code: "de-escalation")?.title == "De-escalation")
    }

    @Test func audienceRawValuesAreStable() {
        #expect(
            Audience.allCases.map(\.rawValue) == [
                "sworn_law_enforcement", "dispatch", "corrections", "non_law_enforcement_professionals", "community_members",
            ])
    }
}
