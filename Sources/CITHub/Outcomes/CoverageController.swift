import Fluent
import Vapor
import Plot
import CITDomain

/// Agencies' officer counts (kept by their liaisons) and CIT coverage: the share of
/// patrol officers CIT-trained against the target, per agency and county, as a table and
/// on the county map. Trained officers come from completed training (valid CIT
/// certificates whose organization is the agency).
enum CoverageController {
    static func register(public routes: any RoutesBuilder, protected: ProtectedRoutesBuilder) {
        routes.get(SiteURL.coverage.pathComponents, use: coveragePage)
        protected.get(SiteURL.agency(.key), .reportForOwnAgency, use: editForm)
        protected.post(SiteURL.agency(.key), .reportForOwnAgency, use: save)
    }

    static let shiftRows = 4

    struct AgencyRow {
        var agency: Organization
        var profile: AgencyProfile?
        var input: AgencyCoverageInput
        var result: CoverageResult?
    }

    /// CIT certificates per agency key (normalized organization name), counted once per person.
    static func trainedByAgencyKey(on db: any Database) async throws -> [String: Int] {
        let certificates = try await Certificate.query(on: db).filter(\.$revokedAt == nil).filter(\.$courseCode == "CIT").all()
        var people: [String: Set<String>] = [:]
        for certificate in certificates { people[SeatPolicy.agencyKey(certificate.organization), default: []].insert(certificate.email) }
        return people.mapValues(\.count)
    }

    static func rows(on db: any Database, target: CoverageTarget) async throws -> [AgencyRow] {
        let agencies = try await Organization.query(on: db).filter(\.$kind == .lawEnforcement).sort(\.$name).all()
        let profiles = Dictionary(
            try await AgencyProfile.query(on: db).all().map { ($0.$organization.id, $0) }, uniquingKeysWith: { a, _ in a })
        let trained = try await trainedByAgencyKey(on: db)
        return agencies.map { agency in
            let profile = profiles[agency.id!]
            let input = AgencyCoverageInput(
                agencyKey: EncounterService.key(agency.id!), patrolOfficers: profile?.patrolOfficers ?? 0,
                citTrainedPatrol: min(trained[SeatPolicy.agencyKey(agency.name)] ?? 0, profile?.patrolOfficers ?? Int.max),
                shifts: profile?.shifts ?? [])
            return AgencyRow(
                agency: agency, profile: profile, input: input, result: profile == nil ? nil : CoverageRules.evaluate(input, target: target)
            )
        }
    }

    static func target(_ req: Request) -> CoverageTarget {
        var target = CoverageTarget.memphisModel
        target.share = req.application.settings.coverageTargetShare
        return target
    }

    /// 0 no data, 1 under half the target, 2 under the target, 3 target met.
    static func bucket(_ result: CoverageResult?, target: CoverageTarget) -> Int {
        guard let result, let share = result.share else { return 0 }
        if result.meetsTarget { return 3 }
        return share >= target.share / 2 ? 2 : 1
    }

    static let bucketTitles = ["No officer counts yet", "Under half the target", "Under the target", "Target met"]

    @Sendable static func coveragePage(req: Request) async throws -> Response {
        let target = target(req)
        let rows = try await rows(on: req.db, target: target)
        let names = Dictionary(uniqueKeysWithValues: rows.map { ($0.input.agencyKey, $0.agency.name) })
        let byCounty = Dictionary(grouping: rows.filter { $0.profile != nil }, by: { $0.agency.countyFIPS ?? "" })
        let counties = try await EncounterService.counties(on: req.db, stateCode: req.application.settings.stateCode)
        let countyResults: [String: CoverageResult] = byCounty.mapValues {
            CoverageRules.combine($0.map(\.input), names: names, target: target)
        }
        let (shapes, viewBox) = try await req.application.stateMapCache.shapes(on: req.db, stateCode: req.application.settings.stateCode)
        let countyNames = Dictionary(uniqueKeysWithValues: counties.map { ($0.id!, $0.name) })
        let user = req.auth.get(User.self)
        func share(_ result: CoverageResult?) -> String { result?.share.map { String(format: "%.0f%%", $0 * 100) } ?? "—" }
        let map: BodyNode = .element(
            named: "svg",
            nodes: [
                .attribute(named: "class", value: "state-map"), .attribute(named: "viewBox", value: viewBox),
                .attribute(named: "role", value: "group"),
                .attribute(
                    named: "aria-label",
                    value: "Map of counties coloured by the share of patrol officers CIT-trained. The table below has the same numbers."),
                .forEach(shapes) { shape in
                    let result = countyResults[shape.fips]
                    let label =
                        "\(countyNames[shape.fips] ?? shape.name): \(bucketTitles[bucket(result, target: target)])\(result?.share.map { String(format: ", %.0f%% CIT-trained", $0 * 100) } ?? "")"
                    return .element(
                        named: "a",
                        nodes: [
                            .attribute(named: "href", value: SiteURL.county(.value(shape.fips)).path),
                            .attribute(named: "aria-label", value: label.attributeEscaped),
                            .element(
                                named: "path",
                                nodes: [
                                    .attribute(named: "d", value: shape.path),
                                    .attribute(named: "class", value: "county cov-share-\(bucket(result, target: target))"),
                                    .attribute(named: "data-fips", value: shape.fips), .element(named: "title", text: label),
                                ]),
                        ])
                },
            ])
        let page = Page(
            title: "CIT coverage", chrome: req.chrome(),
            main: [
                .h1(.text("CIT coverage of patrol officers")),
                .p(
                    .text(
                        "The target is \(Int((target.share * 100).rounded()))% of patrol officers CIT-trained, with CIT officers on every shift (\(CoverageTarget.source)). Officer counts are kept by each agency's liaison; CIT-trained officers are counted from completed CIT training recorded in CIT Hub, so training done elsewhere is not counted yet."
                    )),
                .div(.class("map-wrap"), map),
                .ul(
                    .class("legend"),
                    .forEach(Array(bucketTitles.enumerated())) { index, title in
                        .li(.span(.class("swatch cov-share-\(index)"), .attribute(named: "aria-hidden", value: "true")), .text(" " + title))
                    }),
                .h2(.text("By county")),
                .if(countyResults.isEmpty, .p(.text("No agency has entered its officer counts yet, so no county can be shown."))),
                .if(
                    !countyResults.isEmpty,
                    TableHTML.scrollRegion(
                        label: "CIT coverage by county",
                        .table(
                            .class("coverage-table"),
                            .caption(.text("Counties with agency officer counts")),
                            .tr(
                                .th(.text("County")), .th(.text("Patrol officers")), .th(.text("CIT-trained")), .th(.text("Share")),
                                .th(.text("Target")), .th(.text("Shifts without CIT"))),
                            .forEach(countyResults.keys.sorted { (countyNames[$0] ?? $0) < (countyNames[$1] ?? $1) }) { fips in
                                let result = countyResults[fips]!
                                return .tr(
                                    .th(.attribute(named: "scope", value: "row"), .text(countyNames[fips] ?? fips)),
                                    .td(.text(String(result.patrolOfficers))), .td(.text(String(result.citTrained))),
                                    .td(.text(share(result))),
                                    .td(
                                        .class(result.meetsTarget ? "meets" : ""),
                                        .text(result.meetsTarget ? "Met" : "\(result.neededForTarget) more needed")),
                                    .td(.text(result.uncoveredShifts.isEmpty ? "—" : result.uncoveredShifts.joined(separator: "; "))))
                            }))),
                .h2(.text("By agency")),
                TableHTML.scrollRegion(
                    label: "CIT coverage by agency",
                    .table(
                        .class("coverage-table"),
                        .caption(.text("Law enforcement agencies in the directory")),
                        .tr(
                            .th(.text("Agency")), .th(.text("Patrol officers")), .th(.text("CIT-trained")), .th(.text("Share")),
                            .th(.text("Target"))),
                        .forEach(rows) { row in
                            .tr(
                                .th(
                                    .attribute(named: "scope", value: "row"),
                                    user.map { mayEdit($0, agency: row.agency.id!) } == true
                                        ? .a(
                                            .href(SiteURL.agency(.value(EncounterService.key(row.agency.id!))).path), .text(row.agency.name)
                                        ) : .text(row.agency.name)),
                                .td(.text(row.profile.map { String($0.patrolOfficers) } ?? "not reported")),
                                .td(.text(row.profile == nil ? "—" : String(row.input.citTrainedPatrol))),
                                .td(.text(share(row.result))),
                                .td(.text(row.result.map { $0.meetsTarget ? "Met" : "\($0.neededForTarget) more needed" } ?? "—")))
                        })),
            ], stylesheets: [OutcomeAssets.stylesheetPath])
        return htmlResponse(page)
    }

    static func mayEdit(_ user: User, agency: UUID) -> Bool {
        user.may(.edit, .agency(agency)).isAllowed
    }

    static func editableAgency(_ req: Request) async throws -> Organization {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let agency = try await Organization.find(id, on: req.db),
            [.lawEnforcement, .dispatch, .corrections].contains(agency.kind)
        else { throw Abort(.notFound, reason: "There is no agency at this address.") }
        guard mayEdit(try req.auth.require(User.self), agency: id) else {
            throw Abort(.forbidden, reason: "You can keep the officer counts of your own agency only.")
        }
        return agency
    }

    @Sendable static func editForm(req: Request) async throws -> Response {
        let agency = try await editableAgency(req)
        let profile = try await AgencyProfile.query(on: req.db).filter(\.$organization.$id == agency.id!).first()
        var values: [String: String] = [
            "sworn_officers": profile.map { String($0.swornOfficers) } ?? "",
            "patrol_officers": profile.map { String($0.patrolOfficers) } ?? "",
        ]
        for (index, shift) in (profile?.shifts ?? []).enumerated() {
            values["shift_\(index)_name"] = shift.name; values["shift_\(index)_patrol"] = String(shift.patrolOfficers);
            values["shift_\(index)_trained"] = String(shift.citTrained)
        }
        return try await formPage(req, agency: agency, values: values, errors: [:], status: .ok)
    }

    static func formPage(
        _ req: Request, agency: Organization, values: [String: String], errors: [String: String], status: HTTPResponseStatus
    ) async throws -> Response {
        let notice = req.query[String.self, at: "notice"] == "saved" ? "The officer counts were saved." : nil
        var labels = ["sworn_officers": "Sworn officers", "patrol_officers": "Patrol officers", "shifts": "Shifts"]
        for i in 0..<shiftRows {
            labels["shift_\(i)_name"] = "Shift \(i + 1) name"; labels["shift_\(i)_patrol"] = "Shift \(i + 1) patrol officers";
            labels["shift_\(i)_trained"] = "Shift \(i + 1) CIT-trained"
        }
        let order =
            ["sworn_officers", "patrol_officers", "shifts"]
            + (0..<shiftRows).flatMap { ["shift_\($0)_name", "shift_\($0)_patrol", "shift_\($0)_trained"] }
        let page = Page(
            title: "Officer counts: \(agency.name)", chrome: req.chrome(notice: notice),
            main: [
                .p(.a(.href(SiteURL.coverage.path), .text("← CIT coverage"))),
                .h1(.text("Officer counts: \(agency.name)")),
                .p(
                    .text(
                        "Numbers only, no names. CIT-trained officers in total are counted from completed CIT training; per shift, say how many of that shift's patrol officers are CIT-trained."
                    )),
                FormHTML.errorSummary(errors, order: order, labels: labels),
                FormHTML.form(
                    action: SiteURL.agency(.value(EncounterService.key(agency.id!))).path, csrf: req.csrfToken,
                    [
                        FormHTML.field(
                            .init(
                                name: "sworn_officers", label: labels["sworn_officers"]!, type: "number",
                                value: values["sworn_officers"] ?? "", error: errors["sworn_officers"])),
                        FormHTML.field(
                            .init(
                                name: "patrol_officers", label: labels["patrol_officers"]!, type: "number",
                                value: values["patrol_officers"] ?? "", error: errors["patrol_officers"],
                                hint: "Officers assigned to patrol, the ones who answer crisis calls.")),
                        .unwrap(errors["shifts"]) { .p(.class("error"), .text($0)) },
                        .group(
                            (0..<shiftRows).map { i in
                                .element(
                                    named: "fieldset",
                                    nodes: [
                                        .class("field shift"),
                                        .element(named: "legend", text: "Shift \(i + 1) (optional)"),
                                        FormHTML.field(
                                            .init(
                                                name: "shift_\(i)_name", label: "Name", value: values["shift_\(i)_name"] ?? "",
                                                error: errors["shift_\(i)_name"], hint: i == 0 ? "E.g. Days, Evenings, Nights." : nil,
                                                required: false)),
                                        FormHTML.field(
                                            .init(
                                                name: "shift_\(i)_patrol", label: "Patrol officers", type: "number",
                                                value: values["shift_\(i)_patrol"] ?? "", error: errors["shift_\(i)_patrol"],
                                                required: false)),
                                        FormHTML.field(
                                            .init(
                                                name: "shift_\(i)_trained", label: "CIT-trained", type: "number",
                                                value: values["shift_\(i)_trained"] ?? "", error: errors["shift_\(i)_trained"],
                                                required: false)),
                                    ])
                            }),
                        FormHTML.submit("Save counts"),
                    ]),
            ], stylesheets: [OutcomeAssets.stylesheetPath])
        return htmlResponse(page, status: status)
    }

    @Sendable static func save(req: Request) async throws -> Response {
        let agency = try await editableAgency(req)
        let form = FormValues(req)
        var values: [String: String] = [:]
        for key in ["sworn_officers", "patrol_officers"]
            + (0..<shiftRows).flatMap({ ["shift_\($0)_name", "shift_\($0)_patrol", "shift_\($0)_trained"] })
        { values[key] = form.trimmed(key) }
        var errors: [String: String] = [:]
        func number(_ key: String) -> Int? {
            guard let value = Int(values[key] ?? ""), value >= 0, value <= 100_000 else {
                errors[key] = "A whole number from 0 to 100000."; return nil
            }
            return value
        }
        let sworn = number("sworn_officers"), patrol = number("patrol_officers")
        var shifts: [ShiftCount] = []
        for i in 0..<shiftRows {
            let name = values["shift_\(i)_name"] ?? "", p = values["shift_\(i)_patrol"] ?? "", c = values["shift_\(i)_trained"] ?? ""
            if name.isEmpty && p.isEmpty && c.isEmpty { continue }
            if name.isEmpty {
                errors["shift_\(i)_name"] = "Name the shift, or leave all three empty."
            } else if let problem = TrainingFormat.plainText(name, limit: 60) {
                errors["shift_\(i)_name"] = problem
            }
            let sp = number("shift_\(i)_patrol"), sc = number("shift_\(i)_trained")
            if let sp, let sc { shifts.append(ShiftCount(name: name, patrolOfficers: sp, citTrained: sc)) }
        }
        if errors.isEmpty, let sworn, let patrol {
            for (key, message) in CoverageRules.problems(patrolOfficers: patrol, swornOfficers: sworn, shifts: shifts) {
                // The domain names fields generically; put shift problems by the shifts.
                errors[values[key] != nil ? key : (key.hasPrefix("shift") ? "shifts" : key)] = message
            }
        }
        guard errors.isEmpty, let sworn, let patrol else {
            return try await formPage(req, agency: agency, values: values, errors: errors, status: .unprocessableEntity)
        }
        let user = try req.auth.require(User.self)
        let savedShifts = shifts
        try await req.db.transaction { tx in
            let profile =
                try await AgencyProfile.query(on: tx).filter(\.$organization.$id == agency.id!).first()
                ?? {
                    let new = AgencyProfile(); new.$organization.id = agency.id!; return new
                }()
            profile.swornOfficers = sworn
            profile.patrolOfficers = patrol
            profile.shiftsJSON = String(decoding: try JSONEncoder().encode(savedShifts), as: UTF8.self)
            profile.updatedBy = user.email
            try await profile.save(on: tx)
            try await req.audit.record(
                "agency.counts_saved", entityType: "organization", entityID: agency.id?.uuidString,
                details: "sworn \(sworn), patrol \(patrol), \(savedShifts.count) shifts", on: tx)
        }
        return req.redirect(to: SiteURL.agency(.value(EncounterService.key(agency.id!))).path + "?notice=saved", redirectType: .normal)
    }
}
