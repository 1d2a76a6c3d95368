import Fluent
import Plot
import Vapor
import CITDomain

/// Everything a class's roster page shows, read by `query`; `RosterView` renders it
/// without touching the database.
struct RosterModel {
    struct Person {
        var id: UUID
        var name: String
        var organization: String
        var role: String
        var email: String
        var phone: String
    }
    struct Trainer {
        var name: String
        var email: String
    }

    var classID: UUID
    var programID: UUID
    var title: String
    /// "Mon 8 Mar – Fri 12 Mar 2027"
    var dates: String
    var capacity: Int
    var trainers: [Trainer]
    /// The accounts that may still be assigned, as "Name (email)".
    var trainerChoices: [String]
    /// The free-text trainers an older version of the class form stored.
    var legacyTrainers: String
    var confirmed: [Person]
    var waiting: [Person]
    var cancelled: [Person]
    /// Seats held for people confirming their email address, said in a sentence.
    var holdsNote: String?
    /// A person may be added until the class has ended.
    var canAddPerson: Bool
    var trainerError: String?
    var person: ClassesStaffController.PersonForm
    var csrf: String

    static func query(
        session: ClassSession, on db: any Database, now: Date = Date(), trainerError: String?,
        person: ClassesStaffController.PersonForm, csrf: String
    ) async throws -> RosterModel {
        let trainers = try await ClassTrainer.query(on: db).filter(\.$classSession.$id == session.id!).with(\.$user).all().map(\.user)
        let candidates = try await TrainerChoice.candidates(excluding: Set(trainers.compactMap(\.id)), on: db)
        let registrations = try await Registration.query(on: db).filter(\.$classSession.$id == session.id!).sort(\.$sequence).all()
        let waiting = try await RegistrationService.waitlist(classID: session.id!, on: db)
        // Unconfirmed public registrations are on no list: they are nobody's place yet. Their
        // held seats are counted, so the numbers here add up to what the public page shows.
        let holds = try await RegistrationService.activeHolds(classID: session.id!, on: db)
        func people(_ rows: [Registration]) -> [Person] {
            rows.map {
                Person(id: $0.id!, name: $0.name, organization: $0.organization, role: $0.audience.label, email: $0.email, phone: $0.phone)
            }
        }
        return RosterModel(
            classID: session.id!, programID: session.$program.id, title: session.title, dates: ClassFormat.dates(session),
            capacity: session.capacity, trainers: trainers.map { Trainer(name: $0.name, email: $0.email) },
            trainerChoices: candidates.map(TrainerChoice.label), legacyTrainers: session.trainers,
            confirmed: people(registrations.filter { $0.status == .confirmed }), waiting: people(waiting),
            cancelled: people(registrations.filter { $0.status == .cancelled }),
            holdsNote: holds.isEmpty ? nil : holdsNote(holds, zone: session.zone),
            canAddPerson: session.endsAt > now && session.status == .scheduled,
            trainerError: trainerError, person: person, csrf: csrf)
    }

    static func holdsNote(_ holds: [Registration], zone: TimeZone) -> String {
        let last = holds.compactMap(\.holdUntil).max().map { ClassFormat.time($0, zone) } ?? ""
        return
            "\(holds.count) more seat\(holds.count == 1 ? " is" : "s are") held for people who registered on the class page and have not yet confirmed their email address (until \(last) at the latest). They join the list above when they confirm; a seat not confirmed in time is free again."
    }
}

/// The roster page, from a `RosterModel`.
enum RosterView {
    static func page(_ model: RosterModel, chrome: PageChrome) -> Page {
        // The tables scroll sideways on a phone: a focusable, named region, so keyboard
        // users can scroll them too (axe: scrollable-region-focusable).
        func table(_ rows: [RosterModel.Person], name: String, positions: Bool, cancellable: Bool) -> BodyNode {
            if rows.isEmpty { return .p(.class("hint"), .text("No one yet.")) }
            return .div(
                .class("table-scroll"), .attribute(named: "tabindex", value: "0"), .attribute(named: "role", value: "region"),
                .ariaLabel(name),
                .table(
                    .tr(
                        .if(positions, .th(.text("#"))), .th(.text("Name")), .th(.text("Organization")), .th(.text("Role")),
                        .th(.text("Email")), .th(.text("Phone")), .if(cancellable, .th(.text("Action")))),
                    .forEach(Array(rows.enumerated())) { index, r in
                        .tr(
                            .if(positions, .td(.text(String(index + 1)))), .td(.text(r.name)), .td(.text(r.organization)),
                            .td(.text(r.role)),
                            .td(.text(r.email)), .td(.text(r.phone)),
                            .if(
                                cancellable,
                                .td(
                                    FormHTML.form(
                                        action: SiteURL.classRegistrationCancel(.value(model.classID), .value(r.id)).path,
                                        csrf: model.csrf, [FormHTML.submit("Cancel place", secondary: true)]))))
                    }))
        }
        return Page(
            title: "Roster: \(model.title)", chrome: chrome,
            main: [
                .p(.a(.href(SiteURL.classPage(.value(model.classID)).path), .text("← \(model.title)"))),
                .h1(.text("Roster: \(model.title)")),
                .p(
                    .text(
                        "\(model.dates) · \(model.confirmed.count) of \(model.capacity) seats taken · \(model.waiting.count) waiting")),
                .unwrap(model.holdsNote) { .p(.class("hint"), .text($0)) },
                .p(
                    .class("block-nav"),
                    .a(.class("button"), .href(SiteURL.attendance(.value(model.classID)).path), .text("Attendance")),
                    .a(.class("button secondary"), .href(SiteURL.evaluations(.value(model.classID)).path), .text("Role-play scores")),
                    .a(
                        .class("button secondary"), .href(SiteURL.completion(.value(model.classID)).path),
                        .text("Completion and certificates")),
                    .a(.class("button secondary"), .href(SiteURL.scenarios(.value(model.programID)).path), .text("Scenarios")),
                    .a(.class("button secondary"), .href(SiteURL.classEdit(.value(model.classID)).path), .text("Edit class"))),
                .h2(.text("Trainers")),
                .if(
                    model.trainers.isEmpty,
                    .p(
                        .text(
                            "No trainer accounts are assigned yet. Assigned trainers take attendance and score role-plays in this class only."
                        ))),
                .ul(.forEach(model.trainers) { .li(.text("\($0.name) (\($0.email))")) }),
                // Classes made before trainers were accounts kept a free-text line; shown here
                // (never publicly) so the coordinator can assign those people's accounts.
                .if(
                    !model.legacyTrainers.isEmpty,
                    .p(
                        .class("hint"),
                        .text(
                            "Named when the class was created: \(model.legacyTrainers). The class page shows only the trainer accounts assigned here."
                        ))),
                FormHTML.form(
                    action: SiteURL.classTrainers(.value(model.classID)).path, csrf: model.csrf,
                    [
                        TrainerChoice.field(error: model.trainerError, choices: model.trainerChoices),
                        FormHTML.submit("Add trainer", secondary: true),
                    ]),
                .h2(.text("Confirmed (\(model.confirmed.count))")),
                table(model.confirmed, name: "Confirmed people", positions: false, cancellable: true),
                .if(model.canAddPerson, addPersonForm(model)),
                .h2(.text("Waitlist (\(model.waiting.count))")), table(model.waiting, name: "Waitlist", positions: true, cancellable: true),
                .h2(.text("Cancelled (\(model.cancelled.count))")),
                table(model.cancelled, name: "Cancelled places", positions: false, cancellable: false),
            ])
    }

    static func addPersonForm(_ model: RosterModel) -> BodyNode {
        let person = model.person
        let labels = [
            "name": "Name", "email": "Email address", "phone": "Phone", "organization": "Agency or organization", "audience": "Their role",
        ]
        let input = person.input
        let errors = person.errors
        let ordered = ["name", "email", "phone", "organization", "audience"].filter { errors[$0] != nil }
        return .element(
            named: "details",
            nodes: [
                .attribute(named: "class", value: "add-person"), .id("add-person"),
                .if(!errors.isEmpty, .attribute(named: "open", value: "open")),
                .element(named: "summary", text: "Add a person to this class"),
                .p(
                    .class("hint"),
                    .text(
                        "For someone who could not use the registration form, and for a class already under way (public registration closes when it starts). They get the confirmation email with their own link."
                    )),
                .if(
                    !ordered.isEmpty,
                    .div(
                        .class("error-summary"), .id("error-summary"), .attribute(named: "role", value: "alert"),
                        .attribute(named: "tabindex", value: "-1"), .attribute(named: "autofocus"),
                        .h2(.text("Please check the form")),
                        .ul(.forEach(ordered) { key in .li(.a(.href("#field-person_\(key)"), .text("\(labels[key]!): \(errors[key]!)"))) }))
                ),
                FormHTML.form(
                    action: SiteURL.classAddPerson(.value(model.classID)).path, csrf: model.csrf,
                    [
                        // Prefixed: the trainer form above has its own "email" field (and id).
                        FormHTML.field(
                            .init(
                                name: "person_name", label: labels["name"]!, value: input.name, error: errors["name"], autocomplete: "off")),
                        FormHTML.field(
                            .init(
                                name: "person_email", label: labels["email"]!, type: "email", value: input.email, error: errors["email"],
                                autocomplete: "off")),
                        FormHTML.field(
                            .init(
                                name: "person_phone", label: labels["phone"]!, type: "tel", value: input.phone, error: errors["phone"],
                                autocomplete: "off")),
                        FormHTML.field(
                            .init(
                                name: "person_organization", label: labels["organization"]!, value: input.organization,
                                error: errors["organization"], autocomplete: "off")),
                        FormHTML.select(
                            name: "person_audience", label: labels["audience"]!,
                            options: [("", "Choose their role")] + Audience.allCases.map { ($0.rawValue, $0.label) },
                            selected: input.audience, error: errors["audience"]),
                        FormHTML.submit("Add to the class", secondary: true),
                    ]),
            ])
    }
}
