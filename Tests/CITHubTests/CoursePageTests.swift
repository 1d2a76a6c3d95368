import Foundation
import Testing
import SnapshotTesting
import Vapor
@testable import CITHub
import CITDomain

// The course catalog and the "Add a course" form: snapshots from mocks, and the typed
// form as a browser (or an attacker) posts it.

extension CourseListModel {
    static let mock = CourseListModel(courses: [
        Course(
            title: "Crisis Intervention Team training", code: "CIT",
            length: "40 hours over 5 days. For: Sworn law enforcement.", summary: "The 40-hour course for officers.",
            completionRule: "All 40 hours attended.", source: "NAMI Wisconsin's CIT and CIP page."),
        Course(
            title: "Youth CIT <refresher>", code: "CIT-YOUTH", length: "8 hours over 1 day. For: Dispatch.",
            summary: "A one-day course.", completionRule: "All 8 hours attended.", source: "added by CIT Hub staff."),
    ])
}

@Suite struct CoursePageTests {
    @Test func courseList() {
        assertSnapshot(of: CourseListView.page(.mock, chrome: .mock).render(), as: .html)
    }

    @Test func courseFormNew() {
        assertSnapshot(
            of: CourseFormView.page(CourseForm(), errors: FormErrors(), csrf: "csrf-token", chrome: .mockSignedIn).render(), as: .html)
    }

    @Test func courseFormWithErrors() {
        let input = CourseForm(code: "x", title: "", hours: "0.3", days: "30", audiences: [.dispatch], completion: "<b>", summary: "")
        let page = CourseFormView.page(input, errors: input.validate(), csrf: "csrf-token", chrome: .mockSignedIn)
        assertSnapshot(of: page.render(), as: .html)
    }

    func decode(_ body: String) throws -> CourseForm {
        try URLEncodedFormDecoder().decode(CourseForm.self, from: body)
    }

    @Test func decodesWhatABrowserSends() throws {
        let form = try decode(
            "code=cit-youth&title=+Youth+CIT+&hours=8&days=1&aud_dispatch=on&aud_corrections=on&completion=All+8+hours&summary=")
        #expect(form.code == "CIT-YOUTH")
        #expect(form.title == "Youth CIT")
        #expect(form.audiences == [.dispatch, .corrections])
        #expect(form.validate().isEmpty)
        #expect(form.hoursValue == 8 && form.daysValue == 1)
    }

    @Test func missingFieldsAreEmptyAndGetMessages() throws {
        let form = try decode("")
        #expect(form.code.isEmpty && form.audiences.isEmpty)
        let errors = form.validate()
        #expect(Set(errors.byName.keys) == ["code", "title", "hours", "days", "audiences", "completion"])
    }

    @Test func nulBytesAndOverlongValuesNeverReachARule() throws {
        let form = try decode("title=a%00b&summary=" + String(repeating: "x", count: 5000))
        #expect(form.title == "ab")
        #expect(form.summary.count == 4000)
        #expect(form.validate()[.summary] == "At most 1000 characters.")
    }

    @Test func halfHoursOnly() {
        #expect(CourseForm(hours: "7.5").hoursValue == 7.5)
        #expect(CourseForm(hours: "7.25").hoursValue == nil)
        #expect(CourseForm(hours: "201").hoursValue == nil)
    }
}
