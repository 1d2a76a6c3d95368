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
        let courses = try await Course.query(on: req.db).sort(\.$requiredHours, .descending).all()
        let page = Page(
            title: "Courses",
            chrome: req.chrome(notice: req.query[String.self, at: "notice"] == "course-added" ? "The course was added." : nil),
            main: [
                .h1(.text("Courses")),
                .ul(
                    .class("cards"),
                    .forEach(courses) { course in
                        .li(
                            .class("card"),
                            .h2(.text("\(course.title) (\(course.code))")),
                            .p(
                                .text(
                                    "\(ClassMail.hours(course.requiredHours)) hours over \(course.typicalDays) day\(course.typicalDays == 1 ? "" : "s"). For: "
                                        + course.definition.audiences.map(\.label).joined(separator: ", ") + ".")),
                            .p(.text(course.summary)),
                            .p(.strong(.text("To complete: ")), .text(course.completionRule)),
                            .p(.class("provenance"), .text("Where this comes from: \(publicSource(course))")))
                    }),
                .p(.a(.href(SiteURL.classes.path), .text("See the classes"))),
            ])
        return htmlResponse(page)
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

    struct Input { var code = "", title = "", hours = "", days = "1", audiences: [String] = [], completion = "", summary = "" }

    @Sendable static func newForm(req: Request) async throws -> Response { form(req, input: Input(), errors: [:], status: .ok) }

    static func form(_ req: Request, input: Input, errors: [String: String], status: HTTPResponseStatus) -> Response {
        let labels = [
            "code": "Short code", "title": "Title", "hours": "Required hours", "days": "Days", "audiences": "Who it is for",
            "completion": "To complete", "summary": "Description",
        ]
        let page = Page(
            title: "Add a course", chrome: req.chrome(),
            main: [
                .h1(.text("Add a course")),
                .p(
                    .text(
                        "For example a youth CIT course or an in-service refresher (CIT International advises one at least every 2 years).")
                ),
                FormHTML.errorSummary(
                    errors, order: ["code", "title", "hours", "days", "audiences", "completion", "summary"], labels: labels),
                FormHTML.form(
                    action: SiteURL.newCourse.path, csrf: req.csrfToken,
                    [
                        FormHTML.field(
                            .init(
                                name: "code", label: labels["code"]!, value: input.code, error: errors["code"],
                                hint: "Capital letters, digits and hyphens, e.g. CIT-YOUTH or CIT-REFRESH.")),
                        FormHTML.field(.init(name: "title", label: labels["title"]!, value: input.title, error: errors["title"])),
                        FormHTML.field(
                            .init(name: "hours", label: labels["hours"]!, type: "number", value: input.hours, error: errors["hours"])),
                        FormHTML.field(
                            .init(name: "days", label: labels["days"]!, type: "number", value: input.days, error: errors["days"])),
                        .element(
                            named: "fieldset",
                            nodes: [
                                .attribute(named: "class", value: errors["audiences"] == nil ? "field" : "field has-error"),
                                .attribute(named: "id", value: "field-audiences"),
                                .element(named: "legend", text: labels["audiences"]!),
                                .unwrap(errors["audiences"]) { .p(.class("error"), .text($0)) },
                                .ul(
                                    .class("checkbox-list"),
                                    .forEach(Audience.allCases) { audience in
                                        .li(
                                            .selfClosedElement(
                                                named: "input",
                                                attributes: [
                                                    Attribute<HTML.InputContext>.attribute(named: "type", value: "checkbox"),
                                                    .attribute(named: "id", value: "aud-\(audience.rawValue)"),
                                                    .attribute(named: "name", value: "aud_\(audience.rawValue)"),
                                                    .attribute(named: "value", value: "on"),
                                                    .attribute(
                                                        named: "checked",
                                                        value: input.audiences.contains(audience.rawValue) ? "checked" : nil),
                                                ]), .label(.for("aud-\(audience.rawValue)"), .text(audience.label)))
                                    }),
                            ]),
                        FormHTML.field(
                            .init(
                                name: "completion", label: labels["completion"]!, value: input.completion, error: errors["completion"],
                                hint: "e.g. All 8 hours attended.")),
                        FormHTML.field(
                            .init(
                                name: "summary", label: labels["summary"]!, value: input.summary, error: errors["summary"], required: false)
                        ),
                        FormHTML.submit("Add course"),
                    ]),
            ])
        return htmlResponse(page, status: status)
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let values = FormValues(req)
        let input = Input(
            code: values.trimmed("code").uppercased(), title: values.trimmed("title"), hours: values.trimmed("hours"),
            days: values.trimmed("days"),
            audiences: Audience.allCases.map(\.rawValue).filter { !values["aud_\($0)"].isEmpty },
            completion: values.trimmed("completion"), summary: values.trimmed("summary"))
        var errors: [String: String] = [:]
        if input.code.range(of: #"^[A-Z0-9][A-Z0-9-]{1,19}$"#, options: .regularExpression) == nil {
            errors["code"] = "2 to 20 capital letters, digits or hyphens."
        } else if try await Course.query(on: req.db).filter(\.$code == input.code).count() > 0 {
            errors["code"] = "A course with this code exists already."
        }
        for (key, value, max, required) in [
            ("title", input.title, 120, true), ("completion", input.completion, 300, true), ("summary", input.summary, 1000, false),
        ] {
            if required && value.isEmpty {
                errors[key] = "Fill this in."
            } else if value.count > max {
                errors[key] = "At most \(max) characters."
            } else if value.contains(where: { $0 == "<" || $0 == ">" }) {
                errors[key] = "< and > are not allowed."
            }
        }
        let hours = Double(input.hours)
        if hours == nil || !(0.5...200).contains(hours!) || (hours! * 2).rounded() != hours! * 2 {
            errors["hours"] = "Hours from 0.5 to 200, in half hours."
        }
        let days = Int(input.days)
        if days == nil || !(1...14).contains(days!) { errors["days"] = "From 1 to 14 days." }
        if input.audiences.isEmpty { errors["audiences"] = "Choose at least one audience." }
        guard errors.isEmpty, let hours, let days else { return form(req, input: input, errors: errors, status: .unprocessableEntity) }
        let course = Course(
            definition: CourseDefinition(
                code: input.code, title: input.title, requiredHours: hours, typicalDays: days,
                audiences: input.audiences.compactMap(Audience.init(rawValue:)), summary: input.summary,
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
