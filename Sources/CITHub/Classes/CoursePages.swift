import Fluent
import Plot
import Vapor
import CITDomain

/// The public course catalog at `/courses`, longest course first.
struct CourseListModel: Equatable {
    struct Course: Equatable {
        var title: String
        var code: String
        /// "40 hours over 5 days. For: Sworn law enforcement, Dispatch."
        var length: String
        var summary: String
        var completionRule: String
        /// Where the course comes from, in words for the public.
        var source: String
    }

    var courses: [Course]

    static func query(on db: any Database) async throws -> CourseListModel {
        let courses = try await CITHub.Course.query(on: db).sort(\.$requiredHours, .descending).all()
        return CourseListModel(
            courses: courses.map { course in
                Course(
                    title: course.title, code: course.code,
                    length:
                        "\(ClassMail.hours(course.requiredHours)) hours over \(course.typicalDays) day\(course.typicalDays == 1 ? "" : "s"). For: "
                        + course.definition.audiences.map(\.label).joined(separator: ", ") + ".",
                    summary: course.summary, completionRule: course.completionRule,
                    source: CoursesController.publicSource(course))
            })
    }
}

enum CourseListView {
    static func page(_ model: CourseListModel, chrome: PageChrome) -> Page {
        Page(
            title: "Courses", chrome: chrome,
            main: [
                .h1(.text("Courses")),
                .ul(
                    .class("cards"),
                    .forEach(model.courses) { course in
                        .li(
                            .class("card"),
                            .h2(.text("\(course.title) (\(course.code))")),
                            .p(.text(course.length)),
                            .p(.text(course.summary)),
                            .p(.strong(.text("To complete: ")), .text(course.completionRule)),
                            .p(.class("provenance"), .text("Where this comes from: \(course.source)")))
                    }),
                .p(.a(.href(SiteURL.classes.path), .text("See the classes"))),
            ])
    }
}

/// The "Add a course" form as posted. Audiences are one checkbox each, named
/// `aud_<audience>`.
struct CourseForm: HTMLForm, Equatable {
    enum Field: String, CodingKey, CaseIterable, Sendable {
        case code, title, hours, days, audiences, completion, summary
    }

    @FormText var code: String
    @FormText var title: String
    @FormText var hours: String
    @FormText var days: String
    var audiences: [Audience]
    @FormText var completion: String
    @FormText var summary: String

    init(
        code: String = "", title: String = "", hours: String = "", days: String = "1", audiences: [Audience] = [],
        completion: String = "", summary: String = ""
    ) {
        self.code = code.uppercased()
        self.title = title
        self.hours = hours
        self.days = days
        self.audiences = audiences
        self.completion = completion
        self.summary = summary
    }

    static func checkboxName(_ audience: Audience) -> String { "aud_\(audience.rawValue)" }

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: Field.self)
        let boxes = try decoder.container(keyedBy: AnyFormKey.self)
        self.init(
            code: try fields.decode(FormText.self, forKey: .code).wrappedValue,
            title: try fields.decode(FormText.self, forKey: .title).wrappedValue,
            hours: try fields.decode(FormText.self, forKey: .hours).wrappedValue,
            days: try fields.decode(FormText.self, forKey: .days).wrappedValue,
            audiences: try Audience.allCases.filter {
                try boxes.decode(FormCheckbox.self, forKey: AnyFormKey(CourseForm.checkboxName($0))).wrappedValue
            },
            completion: try fields.decode(FormText.self, forKey: .completion).wrappedValue,
            summary: try fields.decode(FormText.self, forKey: .summary).wrappedValue)
    }

    func encode(to encoder: any Encoder) throws {
        var fields = encoder.container(keyedBy: Field.self)
        for (field, value) in [
            (Field.code, code), (.title, title), (.hours, hours), (.days, days), (.completion, completion), (.summary, summary),
        ] {
            try fields.encode(value, forKey: field)
        }
        var boxes = encoder.container(keyedBy: AnyFormKey.self)
        for audience in audiences { try boxes.encode("on", forKey: AnyFormKey(CourseForm.checkboxName(audience))) }
    }

    /// Hours in half hours from 0.5 to 200, or nil.
    var hoursValue: Double? {
        guard let hours = Double(hours), (0.5...200).contains(hours), (hours * 2).rounded() == hours * 2 else { return nil }
        return hours
    }

    var daysValue: Int? {
        guard let days = Int(days), (1...14).contains(days) else { return nil }
        return days
    }

    func validate() -> FormErrors<Field> {
        var errors = FormErrors<Field>()
        if code.range(of: #"^[A-Z0-9][A-Z0-9-]{1,19}$"#, options: .regularExpression) == nil {
            errors[.code] = "2 to 20 capital letters, digits or hyphens."
        }
        for (field, value, max, required) in [
            (Field.title, title, 120, true), (.completion, completion, 300, true), (.summary, summary, 1000, false),
        ] {
            if required && value.isEmpty {
                errors[field] = "Fill this in."
            } else if value.count > max {
                errors[field] = "At most \(max) characters."
            } else if value.contains(where: { $0 == "<" || $0 == ">" }) {
                errors[field] = "< and > are not allowed."
            }
        }
        if hoursValue == nil { errors[.hours] = "Hours from 0.5 to 200, in half hours." }
        if daysValue == nil { errors[.days] = "From 1 to 14 days." }
        if audiences.isEmpty { errors[.audiences] = "Choose at least one audience." }
        return errors
    }
}

/// Any input name, for forms whose inputs are named after data (one checkbox per audience).
struct AnyFormKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

enum CourseFormView {
    static let labels: [CourseForm.Field: String] = [
        .code: "Short code", .title: "Title", .hours: "Required hours", .days: "Days", .audiences: "Who it is for",
        .completion: "To complete", .summary: "Description",
    ]

    static func page(_ input: CourseForm, errors: FormErrors<CourseForm.Field>, csrf: String, chrome: PageChrome) -> Page {
        func field(_ field: CourseForm.Field, _ value: String, type: String = "text", hint: String? = nil, required: Bool = true)
            -> BodyNode
        {
            FormHTML.field(
                .init(
                    name: field.stringValue, label: labels[field]!, type: type, value: value, error: errors[field], hint: hint,
                    required: required))
        }
        return Page(
            title: "Add a course", chrome: chrome,
            main: [
                .h1(.text("Add a course")),
                .p(
                    .text(
                        "For example a youth CIT course or an in-service refresher (CIT International advises one at least every 2 years).")
                ),
                FormHTML.errorSummary(
                    errors.byName, order: CourseForm.Field.allCases.map(\.stringValue),
                    labels: Dictionary(uniqueKeysWithValues: labels.map { ($0.key.stringValue, $0.value) })),
                FormHTML.form(
                    action: SiteURL.newCourse.path, csrf: csrf,
                    [
                        field(.code, input.code, hint: "Capital letters, digits and hyphens, e.g. CIT-YOUTH or CIT-REFRESH."),
                        field(.title, input.title),
                        field(.hours, input.hours, type: "number"),
                        field(.days, input.days, type: "number"),
                        .element(
                            named: "fieldset",
                            nodes: [
                                .attribute(named: "class", value: errors[.audiences] == nil ? "field" : "field has-error"),
                                .attribute(named: "id", value: "field-audiences"),
                                .element(named: "legend", text: labels[.audiences]!),
                                .unwrap(errors[.audiences]) { .p(.class("error"), .text($0)) },
                                .ul(
                                    .class("checkbox-list"),
                                    .forEach(Audience.allCases) { audience in
                                        .li(
                                            .selfClosedElement(
                                                named: "input",
                                                attributes: [
                                                    Attribute<HTML.InputContext>.attribute(named: "type", value: "checkbox"),
                                                    .attribute(named: "id", value: "aud-\(audience.rawValue)"),
                                                    .attribute(named: "name", value: CourseForm.checkboxName(audience)),
                                                    .attribute(named: "value", value: "on"),
                                                    .attribute(
                                                        named: "checked", value: input.audiences.contains(audience) ? "checked" : nil),
                                                ]), .label(.for("aud-\(audience.rawValue)"), .text(audience.label)))
                                    }),
                            ]),
                        field(.completion, input.completion, hint: "e.g. All 8 hours attended."),
                        field(.summary, input.summary, required: false),
                        FormHTML.submit("Add course"),
                    ]),
            ])
    }
}
