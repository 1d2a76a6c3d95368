import Vapor
import Fluent
import Plot
import CITDomain

/// Editing the directory: coordinators their own programs, administrators everything,
/// including verification and merging duplicates. Every change is audited in the same
/// transaction, and the cached public pages are dropped afterwards.
enum DirectoryEditController {
    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get(SiteURL.newProgram, .editAllPrograms, use: newForm)
        protected.post(SiteURL.newProgram, .editAllPrograms, use: create)
        protected.get(SiteURL.programEdit(.key), .editOwnPrograms, use: editForm)
        protected.post(SiteURL.programEdit(.key), .editOwnPrograms, use: update)
        protected.post(SiteURL.programPartners(.key), .editOwnPrograms, use: addPartner)
        protected.post(SiteURL.programPartnerRemove(.key, .key), .editOwnPrograms, use: removePartner)
        protected.post(SiteURL.programPartnerApprove(.key, .key), .editAllPrograms, use: approvePartner)
        protected.get(SiteURL.programHistory(.key), .editOwnPrograms, use: history)
        protected.post(SiteURL.programVerify(.key), .editAllPrograms, use: verify)
        protected.post(SiteURL.programMerge(.key), .editAllPrograms, use: merge)
    }

    /// The program, if this person may edit it (`.edit`: administrators any, coordinators
    /// those their role is scoped to; `.verify`: administrators only). Anyone else gets 403
    /// (not 404, which would tell nothing more, since program pages are public).
    static func editableProgram(_ req: Request, for action: ScopedAction = .edit) async throws -> Program {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let program = try await Program.find(id, on: req.db), program.mergedInto == nil
        else { throw Abort(.notFound, reason: "There is no program at this address.") }
        let user = try req.auth.require(User.self)
        guard user.may(action, .program(id)).isAllowed else {
            throw Abort(.forbidden, reason: "You coordinate other programs. Ask the state administrator to add this one to your role.")
        }
        return program
    }

    // MARK: the program form

    struct ProgramInput {
        var name = "", kinds: [String] = [], status = ProgramStatus.active.rawValue, yearStarted = "", counties = ""
        var website = "", email = "", phone = "", description = "", citAccredited = "", cipAccredited = ""

        init() {}

        init(_ program: Program, countyNames: [String]) {
            name = program.name; kinds = program.kinds.map(\.rawValue); status = program.status.rawValue
            yearStarted = program.yearStarted.map(String.init) ?? ""; counties = countyNames.joined(separator: ", ")
            website = program.website ?? ""; email = program.publicEmail ?? ""; phone = program.publicPhone ?? ""
            description = program.description
            citAccredited = program.citAccreditedOn.map(DirectoryExport.day) ?? "";
            cipAccredited = program.cipAccreditedOn.map(DirectoryExport.day) ?? ""
        }

        init(_ form: FormValues, request: Request) {
            name = form.trimmed("name"); status = form["status"]; yearStarted = form.trimmed("year_started")
            counties = form.trimmed("counties"); website = form.trimmed("website"); email = form.trimmed("email")
            phone = form.trimmed("phone"); description = form.trimmed("description")
            citAccredited = form.trimmed("cit_accredited_on"); cipAccredited = form.trimmed("cip_accredited_on")
            kinds = ProgramKind.allCases.map(\.rawValue).filter {
                (try? request.content.get(String.self, at: "kind_\(Self.key($0))")) != nil
            }
        }

        static func key(_ kind: String) -> String { kind.lowercased().filter { $0.isLetter } }
    }

    struct Validated {
        var name: String; var kinds: [ProgramKind]; var status: ProgramStatus; var yearStarted: Int?; var countyFIPS: [String]
        var website: String?; var email: String?; var phone: String?; var description: String; var citAccredited: Date?;
        var cipAccredited: Date?
    }

    static func validate(_ input: ProgramInput, counties: [County]) -> (Validated?, [String: String]) {
        var errors: [String: String] = [:]
        func plain(_ value: String, field: String, label: String, max: Int, required: Bool) {
            if required && value.isEmpty {
                errors[field] = "Enter the \(label)."
            } else if value.count > max {
                errors[field] = "At most \(max) characters (this has \(value.count))."
            } else if value.contains(where: { $0 == "<" || $0 == ">" })
                || value.unicodeScalars.contains(where: {
                    $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\r" && $0 != "\t"
                })
            {
                errors[field] = "Use letters, numbers and punctuation; < and > and control characters are not allowed."
            }
        }
        plain(input.name, field: "name", label: "program's name", max: 200, required: true)
        plain(input.description, field: "description", label: "description", max: 4000, required: false)
        let kinds = input.kinds.compactMap(ProgramKind.init(rawValue:))
        if kinds.isEmpty { errors["kinds"] = "Choose at least one kind of training." }
        let status = ProgramStatus(rawValue: input.status)
        if status == nil { errors["status"] = "Choose active, forming or inactive." }
        var year: Int?
        if !input.yearStarted.isEmpty {
            let current = Calendar(identifier: .gregorian).component(.year, from: Date())
            if let value = Int(input.yearStarted), (1988...current).contains(value) {
                year = value
            } else {
                errors["year_started"] = "A year from 1988 (the first CIT, in Memphis) to \(current)."
            }
        }
        var fips: [String] = []
        let names = input.counties.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if names.isEmpty { errors["counties"] = "Name at least one county the program serves." }
        var unknown: [String] = []
        for name in names {
            let key = name.lowercased().replacingOccurrences(of: " county", with: "")
            if let county = counties.first(where: { $0.name.lowercased() == key || $0.id == name }) {
                fips.append(county.id!)
            } else {
                unknown.append(String(name.prefix(40)))
            }
        }
        if !unknown.isEmpty {
            errors["counties"] = "Not a county of this state: \(unknown.joined(separator: ", ")). Separate county names with commas."
        }
        if !input.website.isEmpty {
            if input.website.count > 300 || !(input.website.hasPrefix("https://") || input.website.hasPrefix("http://"))
                || URL(string: input.website)?.host == nil
            {
                errors["website"] = "A web address starting with https://"
            }
        }
        if !input.email.isEmpty, let problem = AccountService.emailError(input.email) { errors["email"] = problem }
        if !input.phone.isEmpty
            && (input.phone.count > 30 || !input.phone.allSatisfy({ $0.isNumber || " ()-+.".contains($0) })
                || input.phone.filter(\.isNumber).count < 10)
        {
            errors["phone"] = "A phone number like (608) 555-0100."
        }
        func date(_ text: String, field: String) -> Date? {
            guard !text.isEmpty else { return nil }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX"); formatter.timeZone = TimeZone(identifier: "UTC");
            formatter.dateFormat = "yyyy-MM-dd"
            guard let value = formatter.date(from: text),
                (1988...2100).contains(Calendar(identifier: .gregorian).component(.year, from: value)), value <= Date()
            else {
                errors[field] = "A date like 2024-05-31, not in the future."
                return nil
            }
            return value
        }
        let cit = date(input.citAccredited, field: "cit_accredited_on")
        let cip = date(input.cipAccredited, field: "cip_accredited_on")
        guard errors.isEmpty, let status else { return (nil, errors) }
        return (
            Validated(
                name: input.name, kinds: kinds, status: status, yearStarted: year, countyFIPS: Array(Set(fips)).sorted(),
                website: input.website.isEmpty ? nil : input.website, email: input.email.isEmpty ? nil : User.normalize(email: input.email),
                phone: input.phone.isEmpty ? nil : input.phone, description: input.description, citAccredited: cit, cipAccredited: cip), [:]
        )
    }

    static func programForm(
        _ req: Request, action: String, title: String, input: ProgramInput, errors: [String: String], extra: [BodyNode] = [],
        status: HTTPResponseStatus
    ) -> Response {
        let page = Page(
            title: title, chrome: req.chrome(notice: Notices.text(for: req.query[String.self, at: "notice"])),
            main: ProgramFormView.main(action: action, title: title, input: input, errors: errors, csrf: req.csrfToken) + extra)
        return htmlResponse(page, status: status)
    }

    @Sendable static func newForm(req: Request) async throws -> Response {
        programForm(req, action: SiteURL.newProgram.path, title: "Add a program", input: ProgramInput(), errors: [:], status: .ok)
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let input = ProgramInput(FormValues(req), request: req)
        let counties = try await DirectoryQueries.withoutBoundaries(County.query(on: req.db)).filter(
            \.$stateCode == req.application.settings.stateCode
        ).all()
        let (valid, errors) = validate(input, counties: counties)
        guard let valid else {
            return programForm(
                req, action: SiteURL.newProgram.path, title: "Add a program", input: input, errors: errors, status: .unprocessableEntity)
        }
        let program = Program()
        try await req.db.transaction { tx in
            apply(valid, to: program)
            try await program.create(on: tx)
            for fips in valid.countyFIPS { try await ProgramCounty(programID: program.id!, countyFIPS: fips).create(on: tx) }
            try await req.audit.record(
                "program.created", entityType: "program", entityID: program.id?.uuidString, details: summary(valid), on: tx)
        }
        req.application.pageCache.invalidateAll()
        return req.redirect(to: SiteURL.program(.value(program.id!.uuidString)).path, redirectType: .normal)
    }

    static func apply(_ valid: Validated, to program: Program) {
        program.name = valid.name; program.kinds = valid.kinds; program.status = valid.status; program.yearStarted = valid.yearStarted
        program.website = valid.website; program.publicEmail = valid.email; program.publicPhone = valid.phone;
        program.description = valid.description
        program.citAccreditedOn = valid.citAccredited; program.cipAccreditedOn = valid.cipAccredited
    }

    static func summary(_ valid: Validated) -> String {
        "name=\(valid.name); kinds=\(valid.kinds.map(\.rawValue).joined(separator: ",")); status=\(valid.status.rawValue); counties=\(valid.countyFIPS.joined(separator: ","))"
    }

    @Sendable static func editForm(req: Request) async throws -> Response {
        let program = try await editableProgram(req)
        return try await editPage(req, program: program, input: nil, errors: [:], status: .ok)
    }

    static func editPage(_ req: Request, program: Program, input: ProgramInput?, errors: [String: String], status: HTTPResponseStatus)
        async throws -> Response
    {
        let model = try await ProgramEditModel.query(
            program: program, user: try req.auth.require(User.self), input: input, errors: errors, csrf: req.csrfToken, on: req.db)
        let chrome = req.chrome(notice: Notices.text(for: req.query[String.self, at: "notice"]))
        return htmlResponse(ProgramEditView.page(model, chrome: chrome), status: status)
    }

    @Sendable static func update(req: Request) async throws -> Response {
        let program = try await editableProgram(req)
        let input = ProgramInput(FormValues(req), request: req)
        let counties = try await DirectoryQueries.withoutBoundaries(County.query(on: req.db)).filter(
            \.$stateCode == req.application.settings.stateCode
        ).all()
        let (valid, errors) = validate(input, counties: counties)
        guard let valid else {
            return try await editPage(req, program: program, input: input, errors: errors, status: .unprocessableEntity)
        }
        try await req.db.transaction { tx in
            apply(valid, to: program)
            try await program.save(on: tx)
            try await ProgramCounty.query(on: tx).filter(\.$program.$id == program.id!).delete()
            for fips in valid.countyFIPS { try await ProgramCounty(programID: program.id!, countyFIPS: fips).create(on: tx) }
            try await req.audit.record(
                "program.updated", entityType: "program", entityID: program.id?.uuidString, details: summary(valid), on: tx)
        }
        req.application.pageCache.invalidateAll()
        return req.redirect(to: SiteURL.program(.value(program.id!.uuidString)).path, redirectType: .normal)
    }

    @Sendable static func addPartner(req: Request) async throws -> Response {
        let program = try await editableProgram(req)
        let form = FormValues(req)
        let name = form.trimmed("partner_name")
        var errors: [String: String] = [:]
        if name.isEmpty {
            errors["partner_name"] = "Enter the organization's name."
        } else if name.count > 200 {
            errors["partner_name"] = "At most 200 characters."
        } else if name.contains(where: { $0 == "<" || $0 == ">" }) {
            errors["partner_name"] = "< and > are not allowed."
        }
        guard let kind = OrganizationKind(rawValue: form["partner_kind"]), let role = PartnerRole(rawValue: form["partner_role"]) else {
            return try await editPage(
                req, program: program, input: nil, errors: ["partner": "Choose a kind and a role."], status: .unprocessableEntity)
        }
        guard errors.isEmpty else {
            return try await editPage(req, program: program, input: nil, errors: errors, status: .unprocessableEntity)
        }
        let user = try req.auth.require(User.self)
        // An administrator's partner is approved at once; a coordinator's waits, because
        // naming any agency as a partner must not open its exact outcome counts.
        let approver = user.can(.editAllPrograms) ? user.email : nil
        try await req.db.transaction { tx in
            let existing = try await Organization.query(on: tx).filter(\.$name == name).filter(\.$kind == kind).first()
            let organization = existing ?? Organization(name: name, kind: kind, countyFIPS: nil)
            if existing == nil { try await organization.create(on: tx) }
            if try await ProgramPartner.query(on: tx).filter(\.$program.$id == program.id!).filter(\.$organization.$id == organization.id!)
                .count() == 0
            {
                try await ProgramPartner(
                    programID: program.id!, organizationID: organization.id!, role: role,
                    approvedAt: approver == nil ? nil : Date(), approvedBy: approver
                ).create(on: tx)
                try await req.audit.record(
                    "program.partner_added", entityType: "program", entityID: program.id?.uuidString,
                    details: "\(name) (\(kind.rawValue), \(role.rawValue)); \(approver == nil ? "waiting for approval" : "approved")",
                    on: tx)
            }
        }
        req.application.pageCache.invalidateAll()
        return req.redirect(to: SiteURL.programEdit(.value(program.id!.uuidString)).path, redirectType: .normal)
    }

    @Sendable static func removePartner(req: Request) async throws -> Response {
        let program = try await editableProgram(req)
        guard let partnerID = req.parameters.get("partner").flatMap(UUID.init(uuidString:)),
            let link = try await ProgramPartner.query(on: req.db).filter(\.$id == partnerID).filter(\.$program.$id == program.id!).with(
                \.$organization
            ).first()
        else { throw Abort(.notFound, reason: "That partner is not part of this program.") }
        try await req.db.transaction { tx in
            try await link.delete(on: tx)
            try await req.audit.record(
                "program.partner_removed", entityType: "program", entityID: program.id?.uuidString, details: link.organization.name, on: tx)
        }
        req.application.pageCache.invalidateAll()
        return req.redirect(to: SiteURL.programEdit(.value(program.id!.uuidString)).path, redirectType: .normal)
    }

    /// A state administrator approves a partner a coordinator added: from now on its
    /// encounter reports count as the program's in the coordinators' exact views.
    @Sendable static func approvePartner(req: Request) async throws -> Response {
        let program = try await editableProgram(req, for: .verify)
        let user = try req.auth.require(User.self)
        guard let partnerID = req.parameters.get("partner").flatMap(UUID.init(uuidString:)),
            let link = try await ProgramPartner.query(on: req.db).filter(\.$id == partnerID).filter(\.$program.$id == program.id!).with(
                \.$organization
            ).first()
        else { throw Abort(.notFound, reason: "That partner is not part of this program.") }
        if !link.isApproved {
            try await req.db.transaction { tx in
                link.approvedAt = Date()
                link.approvedBy = user.email
                try await link.save(on: tx)
                try await req.audit.record(
                    "program.partner_approved", entityType: "program", entityID: program.id?.uuidString,
                    details: "\(link.organization.name) (\(link.organization.kind.rawValue), \(link.role.rawValue))", on: tx)
            }
        }
        return req.redirect(to: SiteURL.programEdit(.value(program.id!.uuidString)).path, redirectType: .normal)
    }

    @Sendable static func verify(req: Request) async throws -> Response {
        let program = try await editableProgram(req, for: .verify)
        let user = try req.auth.require(User.self)
        try await req.db.transaction { tx in
            program.lastVerifiedAt = Date()
            program.verifiedBy = user.email
            try await program.save(on: tx)
            try await req.audit.record("program.verified", entityType: "program", entityID: program.id?.uuidString, on: tx)
        }
        req.application.pageCache.invalidateAll()
        return req.redirect(to: SiteURL.program(.value(program.id!.uuidString)).path, redirectType: .normal)
    }

    @Sendable static func merge(req: Request) async throws -> Response {
        let survivor = try await editableProgram(req, for: .verify)
        guard let duplicateID = UUID(uuidString: FormValues(req)["duplicate"]), duplicateID != survivor.id,
            let duplicate = try await Program.find(duplicateID, on: req.db), duplicate.mergedInto == nil
        else {
            return try await editPage(
                req, program: survivor, input: nil, errors: ["merge": "Choose another program to merge into this one."],
                status: .unprocessableEntity)
        }
        try await req.db.transaction { tx in
            let have = Set(try await ProgramCounty.query(on: tx).filter(\.$program.$id == survivor.id!).all().map(\.countyFIPS))
            for link in try await ProgramCounty.query(on: tx).filter(\.$program.$id == duplicateID).all()
            where !have.contains(link.countyFIPS) {
                try await ProgramCounty(programID: survivor.id!, countyFIPS: link.countyFIPS).create(on: tx)
            }
            let partners = Set(try await ProgramPartner.query(on: tx).filter(\.$program.$id == survivor.id!).all().map(\.$organization.id))
            // A moved partner keeps its approval: merging says the two records are one program.
            for link in try await ProgramPartner.query(on: tx).filter(\.$program.$id == duplicateID).all()
            where !partners.contains(link.$organization.id) {
                try await ProgramPartner(
                    programID: survivor.id!, organizationID: link.$organization.id, role: link.role,
                    approvedAt: link.approvedAt, approvedBy: link.approvedBy
                ).create(on: tx)
            }
            survivor.kinds = Array(Set(survivor.kinds + duplicate.kinds)).sorted { $0.rawValue < $1.rawValue }
            try await survivor.save(on: tx)
            duplicate.mergedInto = survivor.id
            try await duplicate.save(on: tx)
            try await req.audit.record(
                "program.merged", entityType: "program", entityID: survivor.id?.uuidString,
                details: "merged \(duplicate.name) (\(duplicateID.uuidString)) into this record", on: tx)
            try await req.audit.record(
                "program.merged_away", entityType: "program", entityID: duplicateID.uuidString,
                details: "merged into \(survivor.name) (\(survivor.id!.uuidString))", on: tx)
        }
        req.application.pageCache.invalidateAll()
        return req.redirect(to: SiteURL.program(.value(survivor.id!.uuidString)).path, redirectType: .normal)
    }

    @Sendable static func history(req: Request) async throws -> Response {
        let program = try await editableProgram(req)
        let events = try await AuditEvent.query(on: req.db).filter(\.$entityType == "program").filter(\.$entityID == program.id!.uuidString)
            .sort(\.$at, .descending).all()
        let page = Page(
            title: "History of \(program.name)", chrome: req.chrome(),
            main: [
                .p(.a(.href(SiteURL.program(.value(program.id!.uuidString)).path), .text("← \(program.name)"))),
                .h1(.text("History of \(program.name)")),
                AuditController.table(events),
            ])
        return htmlResponse(page)
    }
}
