import Vapor
import Fluent
import Plot
import CITDomain

/// The course catalog: public, and coordinators add courses such as youth CIT or an
/// in-service refresher next to the three the seed page names.
enum CoursesController {
    static func register(public routes: any RoutesBuilder, protected: ProtectedRoutesBuilder) {
        routes.get(SiteURL.courses.pathComponents, use: list)
        protected.get(SiteURL.newCourse, .manageOwnClasses, use: newForm)
        protected.post(SiteURL.newCourse, .manageOwnClasses, use: create)
    }

    @Sendable static func list(req: Request) async throws -> Response {
        let model = try await CourseListModel.query(on: req.db)
        let notice = req.query[String.self, at: "notice"] == "course-added" ? "The course was added." : nil
        return htmlResponse(CourseListView.page(model, chrome: req.chrome(notice: notice)))
    }

    /// The course's source in words for the public. The catalog's own sources are written
    /// for the people who maintain it (they cite the project's product notes); a course a
    /// coordinator added says who added it.
    static func publicSource(_ course: Course) -> String {
        let seedPage = "NAMI Wisconsin's CIT and CIP page"
        if let seeded = CourseCatalog.course(code: course.code), seeded.source == course.source {
            switch course.code {
            case "CIT": return "\(seedPage) (40 hours of training for law enforcement); 40 hours are usually taught over 5 days."
            case "CIP":
                return "\(seedPage) (a 2-day class, and who it is for); 16 hours as NAMI Dane County and NAMI Door County give them."
            case "CIT-DISPATCH": return "CIT International, “CIT Support Training for 911”."
            default: break
            }
        }
        if course.source.hasPrefix("added by ") { return "added by CIT Hub staff." }
        return course.source
            .replacingOccurrences(of: ", per PRODUCT.md", with: "")
            .replacingOccurrences(of: " per PRODUCT.md", with: "")
            .replacingOccurrences(of: "seed page", with: seedPage)
    }

    @Sendable static func newForm(req: Request) async throws -> Response {
        htmlResponse(CourseFormView.page(CourseForm(), errors: FormErrors(), csrf: req.csrfToken, chrome: req.chrome()))
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let input = try req.form(CourseForm.self)
        var errors = input.validate()
        if errors[.code] == nil, try await Course.query(on: req.db).filter(\.$code == input.code).count() > 0 {
            errors[.code] = "A course with this code exists already."
        }
        guard errors.isEmpty, let hours = input.hoursValue, let days = input.daysValue else {
            let page = CourseFormView.page(input, errors: errors, csrf: req.csrfToken, chrome: req.chrome())
            return htmlResponse(page, status: .unprocessableEntity)
        }
        let course = Course(
            definition: CourseDefinition(
                code: input.code, title: input.title, requiredHours: hours, typicalDays: days,
                audiences: input.audiences, summary: input.summary,
                source: "added by \(try req.auth.require(User.self).email)"))
        course.completionRule = input.completion
        try await req.db.transaction { tx in
            try await course.create(on: tx)
            try await req.audit.record(
                "course.created", entityType: "course", entityID: course.id?.uuidString,
                details: "\(input.code) \(input.title), \(hours) h", on: tx)
        }
        req.application.pageCache.invalidate(prefix: SiteURL.classes.path)
        return req.redirect(to: SiteURL.courses.path + "?notice=course-added", redirectType: .normal)
    }
}
