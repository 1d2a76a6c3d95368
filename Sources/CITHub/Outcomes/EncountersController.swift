import Fluent
import Vapor
import Plot
import CITDomain

/// Filing encounter reports: a short phone form after a mental-health crisis call, and
/// a CSV import from a records system (all rows or none). No field takes a name. The
/// agency's reports are listed newest first and can be corrected for
/// `CorrectionWindow.standard` (14 days) after filing; then they are read-only.
enum EncountersController {
    static let importBodyLimit: ByteCount = "16mb"

    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get(SiteURL.encounterNew, .reportForOwnAgency, use: newForm)
        protected.post(SiteURL.encounterNew, .reportForOwnAgency, use: create)
        protected.get(SiteURL.encounterImport, .reportForOwnAgency, use: importForm)
        protected.on(.POST, SiteURL.encounterImport, .reportForOwnAgency, body: .collect(maxSize: importBodyLimit), use: importFile)
        protected.get(SiteURL.encounters, .reportForOwnAgency, use: list)
        protected.get(SiteURL.encounterCorrect(.key), .reportForOwnAgency, use: correctForm)
        protected.post(SiteURL.encounterCorrect(.key), .reportForOwnAgency, use: correct)
    }

    static let labels: [String: String] = [
        "occurred_on": "Date of the call", "time_block": "Time of day", "agency": "Agency", "county_fips": "County",
        "call_source": "How the call came in", "cit_requested": "Was a CIT officer requested?",
        "cit_dispatched": "Was a CIT officer dispatched?",
        "cit_arrived": "Did a CIT officer arrive?", "cit_trained_on_scene": "Was a CIT-trained officer on scene?",
        "disposition": "Outcome (disposition)",
        "force_level": "Highest use of force", "injury_person": "Was the person in crisis injured?",
        "injury_officer": "Was an officer injured?",
        "injury_other": "Was anyone else injured?", "weapon_involved": "Was a weapon involved?", "veteran": "Is the person a veteran?",
        "substance_use": "Was substance use involved?", "repeat_contact": "Has this person had a crisis contact with the agency before?",
    ]

    // MARK: the form

    @Sendable static func newForm(req: Request) async throws -> Response {
        let user = try req.auth.require(User.self)
        let agencies = try await EncounterService.agencies(for: user, on: req.db)
        var values = ["occurred_on": EncounterService.today(req.application.settings), "force_level": ForceLevel.none.rawValue]
        if agencies.count == 1 {
            values["agency"] = EncounterService.key(agencies[0].id!)
            values["county_fips"] = agencies[0].countyFIPS ?? ""
        }
        let notice = req.query[String.self, at: "notice"] == "filed" ? "The report was filed. Thank you." : nil
        return try await formPage(req, agencies: agencies, values: values, errors: [:], notice: notice, status: .ok)
    }

    /// What the report form is for: a new report, or correcting a filed one.
    enum FormMode {
        case new
        case correct(id: String, closes: String)
    }

    static func radios(_ name: String, options: [(String, String)], selected: String?, error: String?) -> BodyNode {
        .element(
            named: "fieldset",
            nodes: [
                .class(error == nil ? "field choices" : "field choices has-error"),
                .id("field-\(name)"),
                .element(named: "legend", text: labels[name] ?? name),
                .unwrap(error) { .p(.class("error"), .id("field-\(name)-error"), .text($0)) },
                .group(
                    options.map { value, title in
                        var attributes: [Attribute<HTML.InputContext>] = [
                            .attribute(named: "type", value: "radio"), .attribute(named: "id", value: "\(name)-\(value)"),
                            .attribute(named: "name", value: name), .attribute(named: "value", value: value),
                        ]
                        if selected == value { attributes.append(.attribute(named: "checked", value: "checked")) }
                        return .div(
                            .class("choice"), .selfClosedElement(named: "input", attributes: attributes),
                            .label(.for("\(name)-\(value)"), .text(title)))
                    }),
            ])
    }

    static func formPage(
        _ req: Request, agencies: [Organization], values: [String: String], errors: [String: String], notice: String?,
        status: HTTPResponseStatus,
        mode: FormMode = .new
    ) async throws -> Response {
        let action: String, heading: String, submit: String, intro: BodyNode
        switch mode {
        case .new:
            action = SiteURL.encounterNew.path; heading = "CIT encounter report"; submit = "File report"
            intro = .p(
                .text(
                    "For a call involving a mental health crisis. Do not enter names, addresses or anything else that identifies the person: this form has no place for them."
                ))
        case let .correct(id, closes):
            action = SiteURL.encounterCorrect(.value(id)).path; heading = "Correct an encounter report"; submit = "Save correction"
            intro = .p(
                .text(
                    "Change the answers that were wrong and save. Corrections are possible until \(closes) (\(CorrectionWindow.standard.days) days after filing); each one is recorded with who made it and which answers changed."
                ))
        }
        let settings = req.application.settings
        let counties = try await EncounterService.counties(on: req.db, stateCode: settings.stateCode)
        let catalog = EncounterService.catalog(settings)
        let yesNo = [("yes", "Yes"), ("no", "No")]
        let yesNoUnknown = YesNoUnknown.allCases.map { ($0.rawValue, $0.label) }
        let page = Page(
            title: heading, chrome: req.chrome(notice: notice),
            main: [
                .p(.a(.href(SiteURL.encounters.path), .text("← Reports filed"))),
                .h1(.text(heading)),
                intro,
                .if(
                    agencies.isEmpty,
                    .p(
                        .class("error"),
                        .text("Your account is not linked to an agency yet. Ask the state administrator to set your agency."))),
                FormHTML.errorSummary(errors, order: EncounterFields.all, labels: labels),
                FormHTML.form(
                    action: action, csrf: req.csrfToken,
                    [
                        FormHTML.field(
                            .init(
                                name: "occurred_on", label: labels["occurred_on"]!, type: "date", value: values["occurred_on"] ?? "",
                                error: errors["occurred_on"])),
                        FormHTML.select(
                            name: "time_block", label: labels["time_block"]!,
                            options: [("", "Choose…")] + TimeBlock.allCases.map { ($0.rawValue, $0.label) }, selected: values["time_block"],
                            error: errors["time_block"]),
                        agencies.count == 1
                            ? .group(
                                .input(.type(.hidden), .name("agency"), .value(EncounterService.key(agencies[0].id!))),
                                .p(.strong(.text("Agency: ")), .text(agencies[0].name)))
                            : FormHTML.select(
                                name: "agency", label: labels["agency"]!,
                                options: [("", "Choose…")] + agencies.map { (EncounterService.key($0.id!), $0.name) },
                                selected: values["agency"], error: errors["agency"]),
                        FormHTML.select(
                            name: "county_fips", label: labels["county_fips"]!,
                            options: [("", "Choose…")] + counties.map { ($0.id!, $0.name) }, selected: values["county_fips"],
                            error: errors["county_fips"]),
                        FormHTML.select(
                            name: "call_source", label: labels["call_source"]!,
                            options: [("", "Choose…")] + CallSource.allCases.map { ($0.rawValue, $0.label) },
                            selected: values["call_source"], error: errors["call_source"]),
                        radios("cit_requested", options: yesNo, selected: values["cit_requested"], error: errors["cit_requested"]),
                        radios("cit_dispatched", options: yesNo, selected: values["cit_dispatched"], error: errors["cit_dispatched"]),
                        radios("cit_arrived", options: yesNo, selected: values["cit_arrived"], error: errors["cit_arrived"]),
                        radios(
                            "cit_trained_on_scene", options: yesNo, selected: values["cit_trained_on_scene"],
                            error: errors["cit_trained_on_scene"]),
                        FormHTML.select(
                            name: "disposition", label: labels["disposition"]!,
                            options: [("", "Choose…")] + catalog.dispositions.map { ($0.code, $0.label) }, selected: values["disposition"],
                            error: errors["disposition"]),
                        FormHTML.select(
                            name: "force_level", label: labels["force_level"]!,
                            options: ForceLevel.allCases.map { ($0.rawValue, $0.label) }, selected: values["force_level"],
                            error: errors["force_level"]),
                        radios("injury_person", options: yesNo, selected: values["injury_person"], error: errors["injury_person"]),
                        radios("injury_officer", options: yesNo, selected: values["injury_officer"], error: errors["injury_officer"]),
                        radios("injury_other", options: yesNo, selected: values["injury_other"], error: errors["injury_other"]),
                        radios(
                            "weapon_involved", options: yesNoUnknown, selected: values["weapon_involved"], error: errors["weapon_involved"]),
                        radios("veteran", options: yesNoUnknown, selected: values["veteran"], error: errors["veteran"]),
                        radios("substance_use", options: yesNoUnknown, selected: values["substance_use"], error: errors["substance_use"]),
                        radios(
                            "repeat_contact", options: yesNoUnknown, selected: values["repeat_contact"], error: errors["repeat_contact"]),
                        FormHTML.submit(submit),
                    ]),
                .if(
                    isNew(mode),
                    .p(
                        .a(.href(SiteURL.encounterImport.path), .text("Import many reports from a CSV file")), .text(" · "),
                        .a(.href(SiteURL.encounters.path), .text("Reports filed")))),
            ], stylesheets: [OutcomeAssets.stylesheetPath])
        return htmlResponse(page, status: status)
    }

    static func isNew(_ mode: FormMode) -> Bool { if case .new = mode { true } else { false } }

    @Sendable static func create(req: Request) async throws -> Response {
        let user = try req.auth.require(User.self)
        let settings = req.application.settings
        let agencies = try await EncounterService.agencies(for: user, on: req.db)
        let counties = try await EncounterService.counties(on: req.db, stateCode: settings.stateCode)
        let form = FormValues(req)
        var values: [String: String] = [:]
        for name in EncounterFields.all { values[name] = form.trimmed(name) }
        // A radio group nobody chose sends nothing: say "choose" rather than "unknown field".
        let catalog = EncounterService.catalog(settings)
        switch EncounterFields.validate(
            values, agencies: Set(agencies.map { EncounterService.key($0.id!) }), counties: Set(counties.compactMap(\.id)),
            catalog: catalog, today: EncounterService.today(settings))
        {
        case let .failure(problems):
            return try await formPage(
                req, agencies: agencies, values: values, errors: problems.byField, notice: nil, status: .unprocessableEntity)
        case let .success(record):
            let ids = try await req.db.transaction { tx in
                let ids = try await EncounterService.store([record], catalog: catalog, source: "form", filedBy: user.id, on: tx)
                try await req.audit.record(
                    "encounter.filed", entityType: "encounter", entityID: ids.first?.uuidString,
                    details: "agency \(record.agencyKey), \(record.quarter.label)", on: tx)
                return ids
            }
            req.application.publishedOutcomes.invalidate()
            req.logger.info("encounter filed", metadata: ["id": .string(ids.first?.uuidString ?? "")])
            return req.redirect(to: SiteURL.encounterNew.path + "?notice=filed", redirectType: .normal)
        }
    }

    // MARK: CSV import

    @Sendable static func importForm(req: Request) async throws -> Response {
        try await importPage(req, problems: [], message: nil, status: .ok)
    }

    static func importPage(_ req: Request, problems: [ImportRowProblem], message: String?, status: HTTPResponseStatus) async throws
        -> Response
    {
        // The agency column takes the agency's id (records systems export ids, not names);
        // the liaison reads theirs here instead of asking anyone.
        let agencies = try await EncounterService.agencies(for: try req.auth.require(User.self), on: req.db)
        let notice = req.query[String.self, at: "imported"].map { "\($0) reports were imported." }
        let page = Page(
            title: "Import encounter reports", chrome: req.chrome(notice: notice),
            main: [
                .h1(.text("Import encounter reports from a CSV file")),
                .p(
                    .text(
                        "Every row is checked first. If any row has a problem, nothing is imported and each problem is listed with its line number; fix the file and import it again. The same file cannot be imported twice."
                    )),
                .p(.text("The first line names the columns, in any order:")),
                .pre(.code(.text(EncounterFields.all.joined(separator: ",")))),
                .p(
                    .text(
                        "Dates as 2026-08-14; yes/no columns as yes or no; time_block as 00-04, 04-08, 08-12, 12-16, 16-20 or 20-24; agency as the agency's id; county_fips as 5 digits. A column that is not on this list (a name, an address, a case number) is refused: reports hold no names. At most \(EncounterImport.maxRows) rows and 16 MB per file."
                    )),
                .if(
                    !agencies.isEmpty && agencies.count <= 20,
                    .group(
                        .p(
                            .text(
                                agencies.count == 1
                                    ? "The agency column for your agency:" : "The agency column for each agency you file for:")),
                        .ul(.forEach(agencies) { .li(.text("\($0.name): "), .code(.text(EncounterService.key($0.id!)))) }))),
                .unwrap(message) {
                    .div(
                        .class("error-summary"), .attribute(named: "role", value: "alert"), .h2(.text("Nothing was imported")),
                        .p(.text($0)))
                },
                .if(
                    !problems.isEmpty,
                    .div(
                        .class("table-scroll"), .attribute(named: "tabindex", value: "0"),
                        .table(
                            .caption(.text("Problems, by line of the file")),
                            .tr(.th(.text("Line")), .th(.text("Column")), .th(.text("Problem"))),
                            .forEach(problems) { .tr(.td(.text(String($0.line))), .td(.text($0.field)), .td(.text($0.message))) }))),
                .element(
                    named: "form",
                    nodes: [
                        .attribute(named: "method", value: "post"), .attribute(named: "action", value: SiteURL.encounterImport.path),
                        .attribute(named: "enctype", value: "multipart/form-data"),
                        .input(.type(.hidden), .name(CSRF.fieldName), .value(req.csrfToken.attributeEscaped)),
                        .div(
                            .class("field"), .label(.for("field-file"), .text("CSV file")),
                            .input(.type(.file), .id("field-file"), .name("file"), .attribute(named: "accept", value: ".csv,text/csv"))),
                        FormHTML.submit("Check and import"),
                    ]),
            ])
        return htmlResponse(page, status: status)
    }

    struct ImportUpload: Content { var file: File? }

    @Sendable static func importFile(req: Request) async throws -> Response {
        let user = try req.auth.require(User.self)
        let settings = req.application.settings
        guard let upload = try? req.content.decode(ImportUpload.self), let file = upload.file, file.data.readableBytes > 0 else {
            return try await importPage(req, problems: [], message: "Choose a CSV file to import.", status: .unprocessableEntity)
        }
        var buffer = file.data
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        guard var text = String(validating: bytes, as: UTF8.self) else {
            return try await importPage(
                req, problems: [], message: "The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”.",
                status: .unprocessableEntity)
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let hash = SHA256.hash(data: bytes).hex
        if let earlier = try await EncounterImportBatch.query(on: req.db).filter(\.$sha256 == hash).first() {
            let when = earlier.createdAt.map { TrainingFormat.day($0, TimeZone(identifier: settings.timeZone) ?? .gmt) } ?? "earlier"
            return try await importPage(
                req, problems: [],
                message: "This file was already imported (\(earlier.rows) reports, on \(when)). Nothing was imported again.",
                status: .conflict)
        }
        let agencies = try await EncounterService.agencies(for: user, on: req.db)
        let counties = try await EncounterService.counties(on: req.db, stateCode: settings.stateCode)
        let catalog = EncounterService.catalog(settings)
        switch EncounterImport.parse(
            text, agencies: Set(agencies.map { EncounterService.key($0.id!) }), counties: Set(counties.compactMap(\.id)),
            catalog: catalog, today: EncounterService.today(settings))
        {
        case let .failure(problems):
            return try await importPage(
                req, problems: problems, message: "\(problems.count == 1 ? "One problem" : "\(problems.count) problems") in the file.",
                status: .unprocessableEntity)
        case let .success(records):
            guard !records.isEmpty else {
                return try await importPage(
                    req, problems: [], message: "The file has a header but no reports.", status: .unprocessableEntity)
            }
            do {
                try await req.db.transaction { tx in
                    let batch = EncounterImportBatch()
                    batch.id = UUID()
                    batch.sha256 = hash
                    batch.rows = records.count
                    batch.importedBy = user.email
                    try await batch.create(on: tx)
                    _ = try await EncounterService.store(
                        records, catalog: catalog, source: "import:\(batch.id!.uuidString.lowercased())", filedBy: user.id, on: tx)
                    try await req.audit.record(
                        "encounter.imported", entityType: "encounter_import", entityID: batch.id?.uuidString,
                        details: "\(records.count) reports", on: tx)
                }
                req.application.publishedOutcomes.invalidate()
            } catch {
                // The same file sent twice at once: the unique hash let one import through.
                if try await EncounterImportBatch.query(on: req.db).filter(\.$sha256 == hash).count() > 0 {
                    return try await importPage(
                        req, problems: [], message: "This file was already imported. Nothing was imported again.", status: .conflict)
                }
                throw error
            }
            return req.redirect(to: SiteURL.encounterImport.path + "?imported=\(records.count)", redirectType: .normal)
        }
    }

    // MARK: the agency's reports, and corrections

    static let pageSize = 50

    /// Reports of the agencies the person files for (every agency for an administrator),
    /// newest filed first, 50 to a page.
    @Sendable static func list(req: Request) async throws -> Response {
        let page = max(1, min(req.query[Int.self, at: "page"] ?? 1, 100_000))
        let model = try await EncounterListModel.query(
            user: try req.auth.require(User.self), page: page, pageSize: pageSize, settings: req.application.settings, on: req.db)
        return htmlResponse(
            EncounterListView.page(model, chrome: req.chrome(notice: Notices.text(for: req.query[String.self, at: "notice"]))))
    }

    /// The report, if it belongs to an agency the person files for; otherwise 404, so a
    /// report's existence is not told to another agency.
    static func ownReport(_ req: Request, user: User, agencies: [Organization]) async throws -> EncounterReport {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let report = try await EncounterReport.find(id, on: req.db),
            user.may(.edit, .encounter(agencyID: report.agencyID)) == .allowed,
            agencies.contains(where: { $0.id == report.agencyID })
        else { throw Abort(.notFound) }
        return report
    }

    @Sendable static func correctForm(req: Request) async throws -> Response {
        let user = try req.auth.require(User.self)
        let agencies = try await EncounterService.agencies(for: user, on: req.db)
        let report = try await ownReport(req, user: user, agencies: agencies)
        let zone = TimeZone(identifier: req.application.settings.timeZone) ?? .gmt
        let filed = report.createdAt ?? Date()
        guard CorrectionWindow.standard.isOpen(filedAt: filed, now: Date()) else {
            return try await readOnlyPage(req, report: report, agencies: agencies, status: .ok)
        }
        return try await formPage(
            req, agencies: agencies, values: EncounterService.values(of: report), errors: [:], notice: nil, status: .ok,
            mode: .correct(
                id: EncounterService.key(report.id!), closes: ClassFormat.shortDay(CorrectionWindow.standard.closes(filedAt: filed), zone)))
    }

    @Sendable static func correct(req: Request) async throws -> Response {
        let user = try req.auth.require(User.self)
        let settings = req.application.settings
        let agencies = try await EncounterService.agencies(for: user, on: req.db)
        let report = try await ownReport(req, user: user, agencies: agencies)
        let zone = TimeZone(identifier: settings.timeZone) ?? .gmt
        let filed = report.createdAt ?? Date()
        guard CorrectionWindow.standard.isOpen(filedAt: filed, now: Date()) else {
            return try await readOnlyPage(req, report: report, agencies: agencies, status: .conflict)
        }
        let counties = try await EncounterService.counties(on: req.db, stateCode: settings.stateCode)
        let form = FormValues(req)
        var values: [String: String] = [:]
        for name in EncounterFields.all { values[name] = form.trimmed(name) }
        let catalog = EncounterService.catalog(settings)
        let mode = FormMode.correct(
            id: EncounterService.key(report.id!), closes: ClassFormat.shortDay(CorrectionWindow.standard.closes(filedAt: filed), zone))
        switch EncounterFields.validate(
            values, agencies: Set(agencies.map { EncounterService.key($0.id!) }), counties: Set(counties.compactMap(\.id)),
            catalog: catalog, today: EncounterService.today(settings))
        {
        case let .failure(problems):
            return try await formPage(
                req, agencies: agencies, values: values, errors: problems.byField, notice: nil, status: .unprocessableEntity, mode: mode)
        case let .success(record):
            let outcome = try await req.db.transaction { tx -> EncounterService.Correction in
                let outcome = try await EncounterService.correct(reportID: report.id!, with: record, catalog: catalog, now: Date(), on: tx)
                if case let .corrected(changes, quarter) = outcome {
                    try await req.audit.record(
                        "encounter.corrected", entityType: "encounter", entityID: report.id?.uuidString,
                        details: "agency \(record.agencyKey), \(quarter); " + changes.map(\.description).joined(separator: "; "), on: tx)
                }
                return outcome
            }
            req.application.publishedOutcomes.invalidate()
            switch outcome {
            case .windowClosed:
                return try await readOnlyPage(req, report: report, agencies: agencies, status: .conflict)
            case .unchanged:
                return req.redirect(to: SiteURL.encounters.path + "?notice=report-unchanged", redirectType: .normal)
            case .corrected:
                return req.redirect(to: SiteURL.encounters.path + "?notice=report-corrected", redirectType: .normal)
            }
        }
    }

    /// A report past its correction window: its answers, and why they cannot change.
    static func readOnlyPage(_ req: Request, report: EncounterReport, agencies: [Organization], status: HTTPResponseStatus) async throws
        -> Response
    {
        let settings = req.application.settings
        let zone = TimeZone(identifier: settings.timeZone) ?? .gmt
        let filed = report.createdAt ?? Date()
        let counties = try await ScopeDirectory.countyNames(on: req.db)
        let catalog = EncounterService.catalog(settings)
        let values = EncounterService.values(of: report)
        func shown(_ field: String) -> String {
            let value = values[field] ?? ""
            switch field {
            case EncounterFields.agency: return agencies.first { $0.id == report.agencyID }?.name ?? value
            case EncounterFields.countyFIPS: return counties[value] ?? value
            case EncounterFields.timeBlock: return TimeBlock(rawValue: value)?.label ?? value
            case EncounterFields.callSource: return CallSource(rawValue: value)?.label ?? value
            case EncounterFields.disposition: return catalog.disposition(code: value)?.label ?? value
            case EncounterFields.forceLevel: return ForceLevel(rawValue: value)?.label ?? value
            default: return YesNoUnknown(rawValue: value)?.label ?? (value == "yes" ? "Yes" : value == "no" ? "No" : value)
            }
        }
        let message =
            "This report was filed on \(ClassFormat.shortDay(filed, zone)). Reports can be corrected for \(CorrectionWindow.standard.days) days after filing; this one closed on \(ClassFormat.shortDay(CorrectionWindow.standard.closes(filedAt: filed), zone)), so it is read-only. If an answer is wrong, tell the state administrator."
        let page = Page(
            title: "Encounter report (read-only)", chrome: req.chrome(),
            main: [
                .p(.a(.href(SiteURL.encounters.path), .text("← Reports filed"))),
                .h1(.text("Encounter report")),
                .div(
                    .class(status == .ok ? "notice" : "error-summary"),
                    .attribute(named: "role", value: status == .ok ? "status" : "alert"),
                    .p(.text((status == .ok ? "" : "The correction was not saved. ") + message))),
                .element(
                    named: "dl",
                    nodes: [
                        .class("label-list"),
                        .forEach(EncounterFields.all) { field in
                            .group(.element(named: "dt", text: labels[field] ?? field), .element(named: "dd", text: shown(field)))
                        },
                    ]),
            ], stylesheets: [OutcomeAssets.stylesheetPath])
        return htmlResponse(page, status: status)
    }
}
