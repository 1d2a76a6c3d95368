import Foundation
import Plot
import CITDomain

/// What a coordinator typed into the class form, kept as typed so a refused form comes
/// back unchanged.
struct ClassInput {
    var course = "CIT", title = "", venueName = "", venueAddress = "", venueZIP = "", capacity = "30", defaultAgencyLimit = ""
    var agencyLimits = "", closes = ""
    var rows: [AgendaRow] = Array(repeating: AgendaRow(), count: AgendaRows.defaultRowCount)
}

/// Everything the class form (new or edit) shows, built by the handler so that the view
/// touches no database.
struct ClassFormModel {
    enum Mode { case create, edit(classID: UUID) }

    var mode: Mode
    var programID: UUID
    var programName: String
    var action: String
    /// (code, "Crisis Intervention Team (40 hours)") in the order to offer them.
    var courses: [(code: String, title: String)]
    /// (code, title) of the curriculum topics, for each row's topic choice.
    var topics: [(code: String, title: String)]
    var input: ClassInput
    /// Field name → message, for the fields outside the agenda.
    var errors: [String: String] = [:]
    /// Problems of the agenda: on a row (shown beside it) or about the whole agenda.
    var agendaProblems: [AgendaRowProblem] = []
    /// After "Add more rows": the first new row, which gets the focus.
    var focusRow: Int?
    /// Courses cannot change once people have registered (eligibility was checked against it).
    var courseLocked = false
    /// The free-text trainers an older version of the form stored, shown so a coordinator
    /// can assign their accounts (public pages show only assigned trainer accounts).
    var legacyTrainers: String?
    var csrf: String

    var isEdit: Bool { if case .edit = mode { true } else { false } }
}

/// The class form: ordinary fields, then the agenda as one row per block (date, start,
/// end, title, topic). Without JavaScript the form has a fixed number of rows and an
/// "Add more rows" button that sends the form back with more; with it
/// (`/assets/agenda-rows.js`) rows are added and removed in place.
enum ClassFormView {
    static let labels = [
        "course": "Course", "title": "Title", "venue_name": "Venue", "venue_address": "Venue address", "venue_zip": "Venue ZIP code",
        "capacity": "Seats", "default_agency_limit": "Seats per agency", "agency_limits": "Limits for particular agencies",
        "closes": "Registration closes",
    ]
    static let order = [
        "course", "title", "venue_name", "venue_address", "venue_zip", "capacity", "default_agency_limit", "agency_limits", "closes",
    ]

    static func main(_ model: ClassFormModel) -> [BodyNode] {
        let input = model.input
        let errors = model.errors
        let rowProblems = Dictionary(
            model.agendaProblems.compactMap { p in p.row.map { ($0, p.message) } }, uniquingKeysWith: { a, _ in a })
        let wholeAgenda = model.agendaProblems.filter { $0.row == nil }.map(\.message)
        let heading = model.isEdit ? "Edit \(input.title.isEmpty ? "class" : input.title)" : "New class for \(model.programName)"
        return [
            .p(.a(.href(SiteURL.program(.value(model.programID.uuidString)).path), .text("← \(model.programName)"))),
            .h1(.text(heading)),
            summary(model, rowProblems: rowProblems, wholeAgenda: wholeAgenda),
            FormHTML.form(
                action: model.action, csrf: model.csrf, id: "class-form",
                [
                    model.courseLocked
                        ? .group(
                            .input(.type(.hidden), .name("course"), .value(input.course.attributeEscaped)),
                            .div(
                                .class("field"),
                                .p(
                                    .strong(.text("Course: ")),
                                    .text(model.courses.first { $0.code == input.course }?.title ?? input.course)),
                                .p(.class("hint"), .text("People have registered for this course, so it cannot change."))))
                        : FormHTML.select(
                            name: "course", label: labels["course"]!, options: model.courses.map { ($0.code, $0.title) },
                            selected: input.course, error: errors["course"]),
                    FormHTML.field(
                        .init(
                            name: "title", label: labels["title"]!, value: input.title, error: errors["title"],
                            hint: "Shown in the class list, e.g. “CIT Academy, spring 2027”. Leave empty to use the course name.",
                            required: false)),
                    FormHTML.field(
                        .init(name: "venue_name", label: labels["venue_name"]!, value: input.venueName, error: errors["venue_name"])),
                    FormHTML.field(
                        .init(
                            name: "venue_address", label: labels["venue_address"]!, value: input.venueAddress,
                            error: errors["venue_address"])),
                    FormHTML.field(
                        .init(
                            name: "venue_zip", label: labels["venue_zip"]!, value: input.venueZIP, error: errors["venue_zip"],
                            hint: "Sets the county and the distance people see.")),
                    FormHTML.field(
                        .init(
                            name: "capacity", label: labels["capacity"]!, type: "number", value: input.capacity, error: errors["capacity"])),
                    FormHTML.field(
                        .init(
                            name: "default_agency_limit", label: labels["default_agency_limit"]!, type: "number",
                            value: input.defaultAgencyLimit, error: errors["default_agency_limit"],
                            hint: "The most seats one agency may hold. Empty: no limit.", required: false)),
                    FormHTML.textarea(
                        name: "agency_limits", label: labels["agency_limits"]!, value: input.agencyLimits, error: errors["agency_limits"],
                        hint: "One per line, e.g. “Madison Police Department: 6”.", rows: 3, required: false),
                    FormHTML.field(
                        .init(
                            name: "closes", label: labels["closes"]!, type: "date", value: input.closes, error: errors["closes"],
                            hint: "Empty: open until the class starts.", required: false)),
                    agenda(model, rowProblems: rowProblems, wholeAgenda: wholeAgenda),
                    .p(
                        .class("hint"),
                        .text(
                            model.isEdit
                                ? "Trainers: assign trainer accounts on the class's roster page (Manage this class)."
                                : "Trainers: after creating the class, assign trainer accounts on its roster page (Manage this class). The class page shows their names."
                        )),
                    .unwrap(model.legacyTrainers) {
                        .p(.class("hint"), .text("Trainers named in an earlier version of this form: \($0)."))
                    },
                    FormHTML.submit(model.isEdit ? "Save changes" : "Create class"),
                ]),
        ]
    }

    /// The summary at the top: each field problem links to its field, each row problem to
    /// the row's first input. It takes the focus so the page opens on it.
    static func summary(_ model: ClassFormModel, rowProblems: [Int: String], wholeAgenda: [String]) -> BodyNode {
        var items: [(href: String, text: String)] = order.compactMap { key in
            model.errors[key].map { ("#field-\(key)", "\(labels[key]!): \($0)") }
        }
        items += rowProblems.keys.sorted().map { ("#row-\($0)-day", rowProblems[$0]!) }
        items += wholeAgenda.map { ("#field-agenda", "Agenda: \($0)") }
        return .if(
            !items.isEmpty,
            .div(
                .class("error-summary"), .id("error-summary"),
                .attribute(named: "role", value: "alert"), .attribute(named: "tabindex", value: "-1"), .attribute(named: "autofocus"),
                .h2(.text(items.count == 1 ? "Please check the form: 1 problem" : "Please check the form: \(items.count) problems")),
                .ul(.forEach(items) { item in .li(.a(.href(item.href), .text(item.text))) })
            ))
    }

    static func agenda(_ model: ClassFormModel, rowProblems: [Int: String], wholeAgenda: [String]) -> BodyNode {
        let rows = model.input.rows
        let describedBy = "agenda-hint" + (wholeAgenda.isEmpty ? "" : " agenda-error")
        let hint: BodyNode = .p(
            .class("hint"), .id("agenda-hint"),
            .text(
                "One row per block, in the venue's local time. Choose “Break or lunch” as the topic for breaks: they show on the agenda but do not count toward the course's hours. Empty rows are left out. "
            ),
            .text("A class that is already running can be entered, as long as its last block has not ended."))
        let messages: BodyNode =
            wholeAgenda.isEmpty ? .empty : .div(.id("agenda-error"), .forEach(wholeAgenda) { .p(.class("error"), .text($0)) })
        let rowNodes: [BodyNode] = rows.enumerated().map { offset, row in
            self.row(offset + 1, row, topics: model.topics, error: rowProblems[offset + 1], focus: model.focusRow == offset + 1)
        }
        let addRows: BodyNode = .p(
            .class("agenda-actions"),
            .button(
                .type(.submit), .class("button secondary"), .name("action"), .value("add-rows"), .attribute(named: "data-add-row"),
                .attribute(named: "formnovalidate"), .text("Add more rows")))
        let counter: BodyNode = .input(
            .type(.hidden), .name("rows"), .value(String(rows.count)), .attribute(named: "data-row-count", value: "true"))
        var nodes: [BodyNode] = [
            .attribute(named: "class", value: wholeAgenda.isEmpty ? "agenda" : "agenda has-error"),
            .id("field-agenda"),
            .attribute(named: "aria-describedby", value: describedBy),
            .element(named: "legend", text: "Agenda"),
        ]
        nodes += [hint, messages, counter, .div(.class("agenda-rows"), .attribute(named: "data-agenda-rows"), .group(rowNodes)), addRows]
        return .element(named: "fieldset", nodes: nodes)
    }

    /// One block: a small fieldset named "Row n", so every input's label reads
    /// "Row n Date" and the message sits inside it.
    static func row(_ n: Int, _ row: AgendaRow, topics: [(code: String, title: String)], error: String?, focus: Bool) -> BodyNode {
        let id = "row-\(n)"
        let errorID = "\(id)-error"
        func input(_ field: String, _ label: String, type: String, value: String, autofocus: Bool = false) -> BodyNode {
            var attributes: [Attribute<HTML.InputContext>] = [
                .attribute(named: "type", value: type), .attribute(named: "id", value: "\(id)-\(field)"),
                .attribute(named: "name", value: "\(field)_\(n)"), .attribute(named: "value", value: value.attributeEscaped),
                .attribute(named: "data-field", value: field),
            ]
            if error != nil {
                attributes += [.attribute(named: "aria-invalid", value: "true"), .attribute(named: "aria-describedby", value: errorID)]
            }
            if autofocus { attributes.append(.attribute(named: "autofocus", value: "autofocus")) }
            if field == "title" { attributes.append(.attribute(named: "maxlength", value: String(AgendaRows.longestTitle))) }
            return .div(
                .class("agenda-cell agenda-\(field)"),
                .label(.for("\(id)-\(field)"), .text(label)),
                .selfClosedElement(named: "input", attributes: attributes))
        }
        let options: [(String, String)] =
            [("", "No topic"), (AgendaRows.breakChoice, "Break or lunch (not counted)")] + topics.map { ($0.code, $0.title) }
        return .element(
            named: "fieldset",
            nodes: [
                .attribute(named: "class", value: error == nil ? "agenda-row" : "agenda-row has-error"),
                .id("agenda-row-\(n)"),
                .attribute(named: "data-row", value: String(n)),
                .element(named: "legend", text: "Row \(n)"),
                .unwrap(error) { .p(.class("error"), .id(errorID), .text($0)) },
                input("day", "Date", type: "date", value: row.day, autofocus: focus),
                input("start", "Start", type: "time", value: row.start),
                input("end", "End", type: "time", value: row.end),
                input("title", "Title", type: "text", value: row.title),
                .div(
                    .class("agenda-cell agenda-topic"),
                    .label(.for("\(id)-topic"), .text("Topic")),
                    .element(
                        named: "select",
                        nodes: [
                            .id("\(id)-topic"), .attribute(named: "name", value: "topic_\(n)"),
                            .attribute(named: "data-field", value: "topic"),
                            .if(error != nil, .attribute(named: "aria-describedby", value: errorID)),
                            .forEach(options) { option in
                                .element(
                                    named: "option",
                                    nodes: [
                                        .attribute(named: "value", value: option.0.attributeEscaped, ignoreIfValueIsEmpty: false),
                                        .if(option.0 == row.topic, .attribute(named: "selected", value: "selected")),
                                        .text(option.1),
                                    ])
                            },
                        ])),
                // Shown by the script only: without JavaScript an unused row is simply left empty.
                .button(
                    .type(.button), .class("button secondary remove-row"), .attribute(named: "data-remove-row"),
                    .attribute(named: "hidden"),
                    .text("Remove row \(n)")),
            ])
    }
}
