import Fluent
import Plot
import Vapor
import CITDomain

/// The program form's fields (new and edit), from what was typed and what is wrong with it.
enum ProgramFormView {
    static func main(
        action: String, title: String, input: DirectoryEditController.ProgramInput, errors: [String: String], csrf: String
    ) -> [BodyNode] {
        typealias ProgramInput = DirectoryEditController.ProgramInput
        let labels = [
            "name": "Program name", "kinds": "Training offered", "status": "Status", "counties": "Counties served",
            "year_started": "Year started", "website": "Website", "email": "Public email", "phone": "Public phone",
            "cit_accredited_on": "CIT accredited on", "cip_accredited_on": "CIP accredited on", "description": "Description",
        ]
        return [
            .h1(.text(title)),
            FormHTML.errorSummary(
                errors,
                order: [
                    "name", "kinds", "status", "counties", "year_started", "website", "email", "phone", "cit_accredited_on",
                    "cip_accredited_on", "description",
                ], labels: labels),
            FormHTML.form(
                action: action, csrf: csrf,
                [
                    FormHTML.field(.init(name: "name", label: labels["name"]!, value: input.name, error: errors["name"])),
                    .element(
                        named: "fieldset",
                        nodes: [
                            .attribute(named: "class", value: errors["kinds"] == nil ? "field" : "field has-error"),
                            .attribute(named: "id", value: "field-kinds"),
                            .element(named: "legend", text: labels["kinds"]!),
                            .unwrap(errors["kinds"]) { .p(.class("error"), .text($0)) },
                            .ul(
                                .class("checkbox-list"),
                                .forEach(ProgramKind.allCases) { kind in
                                    let id = "kind_\(ProgramInput.key(kind.rawValue))"
                                    return .li(
                                        .selfClosedElement(
                                            named: "input",
                                            attributes: [
                                                Attribute<HTML.InputContext>.attribute(named: "type", value: "checkbox"),
                                                .attribute(named: "id", value: id), .attribute(named: "name", value: id),
                                                .attribute(named: "value", value: "on"),
                                                .attribute(
                                                    named: "checked", value: input.kinds.contains(kind.rawValue) ? "checked" : nil),
                                            ]), .label(.for(id), .text(kind.rawValue)))
                                }),
                        ]),
                    FormHTML.select(
                        name: "status", label: labels["status"]!, options: ProgramStatus.allCases.map { ($0.rawValue, $0.title) },
                        selected: input.status, error: errors["status"]),
                    FormHTML.field(
                        .init(
                            name: "counties", label: labels["counties"]!, value: input.counties, error: errors["counties"],
                            hint: "County names separated by commas, e.g. Dane, Rock")),
                    FormHTML.field(
                        .init(
                            name: "year_started", label: labels["year_started"]!, type: "text", value: input.yearStarted,
                            error: errors["year_started"], required: false)),
                    FormHTML.field(
                        .init(
                            name: "website", label: labels["website"]!, type: "url", value: input.website, error: errors["website"],
                            required: false)),
                    FormHTML.field(
                        .init(
                            name: "email", label: labels["email"]!, type: "email", value: input.email, error: errors["email"],
                            required: false)),
                    FormHTML.field(
                        .init(
                            name: "phone", label: labels["phone"]!, type: "tel", value: input.phone, error: errors["phone"],
                            hint: "Only a number the program publishes itself.", required: false)),
                    FormHTML.field(
                        .init(
                            name: "cit_accredited_on", label: labels["cit_accredited_on"]!, type: "date", value: input.citAccredited,
                            error: errors["cit_accredited_on"], required: false)),
                    FormHTML.field(
                        .init(
                            name: "cip_accredited_on", label: labels["cip_accredited_on"]!, type: "date", value: input.cipAccredited,
                            error: errors["cip_accredited_on"], required: false)),
                    .div(
                        .class(errors["description"] == nil ? "field" : "field has-error"),
                        .label(
                            .for("field-description"), .text(labels["description"]!), .span(.class("optional"), .text(" (optional)"))),
                        .unwrap(errors["description"]) { .p(.class("error"), .text($0)) },
                        .textarea(
                            .id("field-description"), .name("description"), .attribute(named: "rows", value: "5"),
                            .text(input.description))),
                    FormHTML.submit("Save program"),
                ]),
        ]
    }
}

/// Everything a program's edit page shows, read by `query`; `ProgramEditView` renders it
/// without touching the database.
struct ProgramEditModel {
    struct Partner {
        var id: UUID
        var name: String
        var kindTitle: String
        var roleTitle: String
        /// A reporting agency (law enforcement, dispatch, corrections) not yet approved.
        var waitsForApproval: Bool
    }

    var programID: UUID
    var name: String
    var input: DirectoryEditController.ProgramInput
    var errors: [String: String]
    var partners: [Partner]
    /// An administrator: approves partners, verifies and merges records.
    var administers: Bool
    /// "Last verified 2026-11-20 by …", or that it is not verified yet.
    var verifiedLine: String
    /// Other programs this one may absorb as a duplicate (administrators only).
    var mergeChoices: [(id: String, name: String)]
    var csrf: String

    static func query(
        program: Program, user: User, input: DirectoryEditController.ProgramInput?, errors: [String: String], csrf: String,
        on db: any Database
    ) async throws -> ProgramEditModel {
        let links = try await ProgramCounty.query(on: db).filter(\.$program.$id == program.id!).all().map(\.countyFIPS)
        let names = try await County.query(on: db).filter(\.$id ~~ links).sort(\.$name).all().map(\.name)
        let partners = try await ProgramPartner.query(on: db).filter(\.$program.$id == program.id!).with(\.$organization).all()
        let administers = user.can(.editAllPrograms)
        let others =
            administers
            ? try await Program.query(on: db).filter(\.$mergedInto == nil).filter(\.$id != program.id!).sort(\.$name).all() : []
        return ProgramEditModel(
            programID: program.id!, name: program.name,
            input: input ?? DirectoryEditController.ProgramInput(program, countyNames: names), errors: errors,
            partners: partners.map { link in
                Partner(
                    id: link.id!, name: link.organization.name, kindTitle: link.organization.kind.title, roleTitle: link.role.title,
                    waitsForApproval: !link.isApproved && link.organization.kind.filesEncounterReports)
            },
            administers: administers,
            verifiedLine: program.lastVerifiedAt.map { "Last verified \(DirectoryExport.day($0)) by \(program.verifiedBy ?? "")." }
                ?? "Not verified yet: the public pages say it was reported by its source.",
            mergeChoices: others.map { ($0.id!.uuidString, $0.name) }, csrf: csrf)
    }
}

/// A program's edit page, from a `ProgramEditModel`: the program form, its partners, and
/// for administrators verification and merging.
enum ProgramEditView {
    static func page(_ model: ProgramEditModel, chrome: PageChrome) -> Page {
        let id = model.programID.uuidString
        let errors = model.errors
        var extra: [BodyNode] = [
            .h2(.text("Partners")),
            .ul(
                .class("partner-list"),
                .forEach(model.partners) { link in
                    // Only agencies that file encounter reports need approval: it decides whether
                    // their reports count as the program's in exact outcome views.
                    .li(
                        .text("\(link.name) (\(link.kindTitle), \(link.roleTitle.lowercased()))"),
                        .if(
                            link.waitsForApproval,
                            .p(.class("partner-waiting"), .text("Waiting for the state administrator's approval."))),
                        .div(
                            .class("partner-actions"),
                            .if(
                                link.waitsForApproval && model.administers,
                                FormHTML.form(
                                    action: SiteURL.programPartnerApprove(.value(id), .value(link.id.uuidString)).path,
                                    csrf: model.csrf,
                                    [
                                        .button(
                                            .type(.submit), .class("button"), .text("Approve"),
                                            .span(.class("visually-hidden"), .text(" \(link.name)")))
                                    ])),
                            FormHTML.form(
                                action: SiteURL.programPartnerRemove(.value(id), .value(link.id.uuidString)).path, csrf: model.csrf,
                                [FormHTML.submit("Remove", secondary: true)])))
                }),
            .h3(.text("Add a partner")),
            .p(
                .class("hint"),
                .text(
                    model.administers
                        ? "A partner agency you add is approved at once: its encounter reports count as this program's in the exact outcome views of the program's coordinators."
                        : "A partner you add is listed at once. A law enforcement, dispatch or corrections agency's encounter reports count as this program's in your exact outcome views only after the state administrator approves it. The counties the program serves never open any agency's numbers."
                )),
            .unwrap(errors["partner"]) { .p(.class("error"), .text($0)) },
            FormHTML.form(
                action: SiteURL.programPartners(.value(id)).path, csrf: model.csrf,
                [
                    FormHTML.field(.init(name: "partner_name", label: "Organization name", error: errors["partner_name"])),
                    FormHTML.select(
                        name: "partner_kind", label: "Kind", options: OrganizationKind.allCases.map { ($0.rawValue, $0.title) },
                        selected: OrganizationKind.lawEnforcement.rawValue),
                    FormHTML.select(
                        name: "partner_role", label: "Role in the program", options: PartnerRole.allCases.map { ($0.rawValue, $0.title) },
                        selected: PartnerRole.partner.rawValue),
                    FormHTML.submit("Add partner"),
                ]),
        ]
        if model.administers {
            extra += [
                .h2(.text("Verify")),
                .p(.text(model.verifiedLine)),
                FormHTML.form(
                    action: SiteURL.programVerify(.value(id)).path, csrf: model.csrf, [FormHTML.submit("Mark verified today")]),
                .h2(.text("Merge a duplicate into this program")),
                .unwrap(errors["merge"]) { .p(.class("error"), .text($0)) },
                FormHTML.form(
                    action: SiteURL.programMerge(.value(id)).path, csrf: model.csrf,
                    [
                        FormHTML.select(
                            name: "duplicate", label: "Duplicate record (its counties and partners move here; it redirects here)",
                            options: [("", "Choose a program")] + model.mergeChoices.map { ($0.id, $0.name) }, selected: nil),
                        FormHTML.submit("Merge into \(model.name)", secondary: true),
                    ]),
            ]
        }
        extra.append(.p(.a(.href(SiteURL.programHistory(.value(id)).path), .text("History of this record"))))
        let title = "Edit \(model.name)"
        return Page(
            title: title, chrome: chrome,
            main: ProgramFormView.main(
                action: SiteURL.programEdit(.value(id)).path, title: title, input: model.input, errors: errors, csrf: model.csrf)
                + extra)
    }
}
