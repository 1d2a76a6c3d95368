import Fluent
import SQLKit
import Vapor
import Plot
import CITDomain

/// Outcome dashboards: crisis calls and what happened, by county, program and quarter.
///
/// The public sees only the published tables (`PublishedOutcomes`): whole quarters once
/// they are published, suppressed together so that no mix of views, filters and
/// downloads gives a small count back; a filter picks published cells and adds shown
/// ones, never counts reports again. A signed-in person sees exact counts of the
/// agencies they are responsible for (`OutcomeScope`), and each such view is audited.
enum OutcomesController {
    static func register(on routes: any RoutesBuilder) {
        routes.get(SiteURL.outcomes.pathComponents, use: dashboard)
    }

    /// What a dashboard request asks for.
    struct Filter: Sendable, Equatable {
        var county: String?
        var agency: UUID?
        var program: UUID?
        var from: Quarter?
        var to: Quarter?

        init(county: String? = nil, agency: UUID? = nil, program: UUID? = nil, from: Quarter? = nil, to: Quarter? = nil) {
            self.county = county; self.agency = agency; self.program = program; self.from = from; self.to = to
        }

        init(query: URLQueryContainer) {
            let county = query[String.self, at: "county"].flatMap { $0.count == 5 && $0.allSatisfy(\.isNumber) ? $0 : nil }
            self.init(
                county: county,
                agency: query[String.self, at: "agency"].flatMap(UUID.init(uuidString:)),
                program: query[String.self, at: "program"].flatMap(UUID.init(uuidString:)),
                from: query[String.self, at: "from"].flatMap(Quarter.init(key:)),
                to: query[String.self, at: "to"].flatMap(Quarter.init(key:)))
        }

        var queryString: String {
            var parts: [String] = []
            if let county { parts.append("county=\(county)") }
            if let agency { parts.append("agency=\(EncounterService.key(agency))") }
            if let program { parts.append("program=\(EncounterService.key(program))") }
            if let from { parts.append("from=\(from.key)") }
            if let to { parts.append("to=\(to.key)") }
            return parts.joined(separator: "&")
        }
    }

    /// One dashboard: its numbers and how to read them.
    struct Model {
        var exact: Bool
        var dashboard: OutcomeDashboard
        var published: PublishedOutcomes?
        var demoCalls: Int
        var countyNames: [String: String]
        var selection: String
        var note: String?
        /// The public tables are still being made (a big state's first minute after a start).
        var preparing = false
    }

    static func model(_ req: Request, _ filter: Filter) async throws -> Model {
        let user = req.auth.get(User.self)
        let access = try await OutcomeScope.access(
            for: user, county: filter.county, agency: filter.agency, program: filter.program, on: req.db)
        let names = try await DirectoryQueries.countyNames(on: req.db)
        let countyList = names.keys.sorted()
        switch access {
        case .exactAll, .exactAgencies:
            var agencies: Set<UUID>? = nil
            if case .exactAgencies(let set) = access { agencies = set }
            let (sources, demo) = try await OutcomeSources.exact(agencies: agencies, on: req.db)
            let counties: Set<String>? = filter.county.map { [$0] }
            let dashboard = OutcomeDashboard(
                ExactOutcomes(sources: sources), counties: counties, from: filter.from, to: filter.to, countyList: countyList)
            try await req.audit.record(
                "outcomes.exact_view", entityType: "outcomes", entityID: nil,
                details: filter.queryString.isEmpty ? "every agency" : filter.queryString)
            return Model(
                exact: true, dashboard: dashboard, published: nil, demoCalls: demo, countyNames: names,
                selection: try await describe(filter, names: names, on: req.db), note: nil)
        case .publicView:
            let (made, _) = try await req.application.publishedOutcomes.current(req.application)
            guard let made else {
                let empty = PublishedOutcomes(sources: [], counties: countyList, quarters: [])
                return Model(
                    exact: false, dashboard: OutcomeDashboard(empty, counties: nil, from: nil, to: nil, countyList: countyList),
                    published: nil, demoCalls: 0, countyNames: names, selection: "", note: nil, preparing: true)
            }
            let (tables, demo) = (made.tables, made.demoCalls)
            var counties: Set<String>? = filter.county.map { [$0] }
            var note: String? = nil
            if let program = filter.program {
                let programCounties = Set(
                    try await ProgramCounty.query(on: req.db).filter(\.$program.$id == program).all().map(\.countyFIPS))
                counties = counties.map { $0.intersection(programCounties) } ?? programCounties
            }
            if filter.agency != nil {
                note =
                    "Numbers by agency are not public: an agency's own staff see them when signed in. These are the numbers for the rest of the selection."
            }
            let dashboard = OutcomeDashboard(tables, counties: counties, from: filter.from, to: filter.to, countyList: countyList)
            var selectionFilter = filter
            selectionFilter.agency = nil
            return Model(
                exact: false, dashboard: dashboard, published: tables, demoCalls: demo, countyNames: names,
                selection: try await describe(selectionFilter, names: names, on: req.db), note: note)
        }
    }

    static let preparingText =
        "The published numbers are being prepared: CIT Hub works them out again after it starts, which can take a minute for years of reports. Try again in a minute."

    static func count(_ n: Int?) -> String { n.map(String.init) ?? Suppression.label() }
    static func percent(_ share: Double?) -> String { share.map { String(format: "%.0f%%", $0 * 100) } ?? "—" }

    // MARK: the page and its CSV

    @Sendable static func dashboard(req: Request) async throws -> Response {
        let filter = Filter(query: req.query)
        let model = try await model(req, filter)
        if req.query[String.self, at: "format"] == "csv" {
            if model.preparing {
                let response = Response(status: .serviceUnavailable, body: .init(string: preparingText + "\n"))
                response.headers.contentType = .plainText
                response.headers.replaceOrAdd(name: .retryAfter, value: "30")
                response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
                return response
            }
            return csv(model, which: req.query[String.self, at: "view"] ?? "county-quarter")
        }
        let user = req.auth.get(User.self)
        let agencies = try await visibleAgencies(user, on: req.db)
        let programs = try await Program.query(on: req.db).filter(\.$mergedInto == nil).sort(\.$name).all()
        let counties = try await EncounterService.counties(on: req.db, stateCode: req.application.settings.stateCode)
        let quarters = model.exact ? model.dashboard.quarters : (model.published?.quarters ?? [])
        return htmlResponse(
            page(
                model, filter: filter, chrome: req.chrome(), counties: counties, agencies: agencies, programs: programs,
                quarters: model.exact ? try await availableQuarters(on: req.db) : quarters))
    }

    /// The agencies a person may pick: those whose numbers they see exactly.
    static func visibleAgencies(_ user: User?, on db: any Database) async throws -> [Organization] {
        let scope = try await OutcomeScope.exactAgencies(for: user, on: db)
        let all = try await EncounterService.agencies(on: db)
        switch scope {
        case .none: return []
        case .all: return all
        case .agencies(let mine): return all.filter { mine.contains($0.id!) }
        }
    }

    static func page(
        _ model: Model, filter: Filter, chrome: PageChrome, counties: [County], agencies: [Organization], programs: [Program],
        quarters: [Quarter]
    ) -> Page {
        let view = model.dashboard
        let csvBase = SiteURL.outcomes.path + "?" + (filter.queryString.isEmpty ? "" : filter.queryString + "&") + "format=csv&view="
        let trendLabels = view.trend.map { $0.quarter.label }
        let name = { (fips: String) in model.countyNames[fips] ?? fips }
        let publication = OutcomePublication.standard
        let allHidden = model.exact ? nil : SVGChart.allHiddenText()
        let th = { (text: String) -> Node<HTML.TableRowContext> in .th(.attribute(named: "scope", value: "col"), .text(text)) }
        return Page(
            title: "Crisis call outcomes", chrome: chrome,
            main: [
                .h1(.text("Crisis call outcomes")),
                .p(
                    .text(
                        "From de-identified CIT encounter reports that agencies file after mental-health crisis calls. \(model.selection)")),
                .if(
                    model.demoCalls > 0,
                    .p(
                        .class("demo-banner"), .strong(.text("Demo data: ")),
                        .text("\(model.demoCalls) of these reports are fictional, generated for testing. They are not real calls."))),
                .p(
                    .class("suppression-note"),
                    .text(
                        model.exact
                            ? "You are signed in with access to these agencies' reports: counts are exact and include the current quarter."
                            : "Public figures: each quarter is published \(publication.filingDays + publication.correctionDays + 1) days after it ends, from the reports filed within \(publication.filingDays) days of its end, and never changes afterwards. Counts from 1 to \(Suppression.defaultThreshold - 1), and counts that would let one be worked out from the other published numbers, are shown as “\(Suppression.label())”. Outcomes by county are published for whole years."
                    )),
                .unwrap(model.note) { .p(.class("suppression-note"), .text($0)) },
                .if(model.preparing, .p(.class("notice"), .attribute(named: "role", value: "status"), .text(preparingText))),
                filterForm(filter, counties: counties, agencies: agencies, programs: programs, quarters: quarters),
                .if(
                    view.quarters.isEmpty && !model.preparing,
                    .p(
                        .text(
                            model.exact
                                ? "No encounter reports match this selection yet." : "No quarter with reports has been published yet."))),
                .if(
                    !view.quarters.isEmpty,
                    .group(
                        .h2(.text("Summary")),
                        TableHTML.scrollRegion(
                            label: "Summary: calls and what happened",
                            .table(
                                .caption(.text("Calls and what happened, \(span(view.quarters))")),
                                .tr(th("Measure"), th("Calls"), th("Share of calls")),
                                .forEach(Array(view.summary.enumerated())) { index, row in
                                    .tr(
                                        .th(.attribute(named: "scope", value: "row"), .text(row.figure.measure.label)),
                                        .td(.text(count(row.figure.value))),
                                        .td(.text(index == 0 ? "" : percent(row.share))))
                                })),
                        .p(.a(.href(csvBase + "summary"), .text("Summary as CSV"))),
                        .h2(.text("Outcomes")),
                        .if(
                            view.dispositions.isEmpty,
                            .p(
                                .text(
                                    "Outcomes for a county or a program are published for whole years; choose a range that holds a whole published year, or the whole state."
                                ))),
                        .if(
                            !view.dispositions.isEmpty,
                            .group(
                                .raw(
                                    SVGChart.bars(
                                        title: "How crisis calls ended, \(span(view.categoryQuarters))",
                                        items: view.dispositions.map { ($0.measure.label, $0.value.map(Double.init)) },
                                        valueFormat: { String(Int($0)) }, idPrefix: "dispositions", allHiddenMessage: allHidden)),
                                TableHTML.scrollRegion(
                                    label: "Outcomes by disposition category",
                                    .table(
                                        .caption(.text("Outcome (disposition category), \(span(view.categoryQuarters))")),
                                        .tr(th("Outcome"), th("Calls")),
                                        .forEach(view.dispositions) { figure in
                                            .tr(
                                                .th(.attribute(named: "scope", value: "row"), .text(figure.measure.label)),
                                                .td(.text(count(figure.value))))
                                        })),
                                .p(.a(.href(csvBase + "dispositions"), .text("Outcomes as CSV"))))),
                        .h2(.text("Trend by quarter")),
                        .raw(
                            SVGChart.line(
                                title: "Crisis calls reported per quarter", labels: trendLabels,
                                series: [ChartSeries(name: "Calls", values: view.trend.map { $0.calls.value.map(Double.init) })],
                                valueFormat: { $0 == $0.rounded() ? String(Int($0)) : String(format: "%.1f", $0) }, idPrefix: "calls",
                                allHiddenMessage: allHidden)),
                        .raw(
                            SVGChart.line(
                                title: "Share of calls where a CIT officer was requested, dispatched and arrived", labels: trendLabels,
                                series: [
                                    ChartSeries(name: "Requested", values: view.trend.map(\.requested)),
                                    ChartSeries(name: "Dispatched", values: view.trend.map(\.dispatched)),
                                    ChartSeries(name: "Arrived", values: view.trend.map(\.arrived)),
                                ],
                                valueFormat: { String(format: "%.0f%%", $0 * 100) }, idPrefix: "shares",
                                allHiddenMessage: view.trend.allSatisfy({ $0.calls.value == 0 })
                                    ? "No crisis calls were reported for this selection, so there are no shares to show." : allHidden)),
                        TableHTML.scrollRegion(
                            label: "Trend by quarter",
                            .table(
                                .caption(.text("By quarter")),
                                .tr(th("Quarter"), th("Calls"), th("CIT requested"), th("CIT dispatched"), th("CIT arrived")),
                                .forEach(view.trend) { t in
                                    .tr(
                                        .th(.attribute(named: "scope", value: "row"), .text(t.quarter.label)),
                                        .td(.text(count(t.calls.value))),
                                        .td(.text(percent(t.requested))), .td(.text(percent(t.dispatched))), .td(.text(percent(t.arrived))))
                                })),
                        .p(.a(.href(csvBase + "trend"), .text("Trend as CSV"))),
                        .h2(.text("Calls by county and quarter")),
                        TableHTML.scrollRegion(
                            label: "Crisis calls by county and quarter",
                            .table(
                                .caption(.text("Crisis calls by county and quarter")),
                                .tr(th("County"), .forEach(view.quarters) { th($0.label) }, th("Total")),
                                .forEach(view.countyRows) { row in
                                    .tr(
                                        .th(.attribute(named: "scope", value: "row"), .text(name(row.county))),
                                        .forEach(row.cells) { .td(.text(count($0.value))) },
                                        .td(.text(count(row.total.value))))
                                },
                                .tr(
                                    .th(.attribute(named: "scope", value: "row"), .text("Total")),
                                    .forEach(view.totalRow) { .td(.text(count($0.value))) },
                                    .td(.text(count(view.total.value)))))),
                        .p(.a(.href(csvBase + "county-quarter"), .text("County by quarter as CSV"))),
                        .if(
                            !model.exact,
                            .p(
                                .a(
                                    .href(SiteURL.outcomes.path + "?format=csv&view=published"),
                                    .text("Every published table as one CSV (all quarters and years, every county)"))))
                    )),
            ], stylesheets: [OutcomeAssets.stylesheetPath])
    }

    /// "2025 Q1 to 2025 Q4".
    static func span(_ quarters: [Quarter]) -> String {
        guard let first = quarters.first, let last = quarters.last else { return "no quarter" }
        return first == last ? first.label : "\(first.label) to \(last.label)"
    }

    static func availableQuarters(on db: any Database) async throws -> [Quarter] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let rows = try await sql.select().distinct().column("quarter").from(EncounterRollup.schema).all()
        return rows.compactMap { try? $0.decode(column: "quarter", as: String.self) }.compactMap(Quarter.init(key:)).sorted()
    }

    static func describe(_ filter: Filter, names: [String: String], on db: any Database) async throws -> String {
        var parts: [String] = []
        if let county = filter.county { parts.append("\(names[county] ?? county) County") }
        if let agency = filter.agency { parts.append(try await Organization.find(agency, on: db)?.name ?? "one agency") }
        if let program = filter.program {
            parts.append("counties served by \(try await Program.find(program, on: db)?.name ?? "one program")")
        }
        if let from = filter.from { parts.append("from \(from.label)") }
        if let to = filter.to { parts.append("to \(to.label)") }
        return parts.isEmpty ? "Showing: the whole state, every quarter." : "Showing: " + parts.joined(separator: ", ") + "."
    }

    static func filterForm(_ filter: Filter, counties: [County], agencies: [Organization], programs: [Program], quarters: [Quarter])
        -> BodyNode
    {
        .element(
            named: "form",
            nodes: [
                .attribute(named: "method", value: "get"), .attribute(named: "action", value: SiteURL.outcomes.path), .class("filters"),
                FormHTML.select(
                    name: "county", label: "County", options: [("", "Every county")] + counties.map { ($0.id!, $0.name) },
                    selected: filter.county ?? ""),
                .if(
                    !agencies.isEmpty,
                    FormHTML.select(
                        name: "agency", label: "Agency",
                        options: [("", "Every agency")] + agencies.map { (EncounterService.key($0.id!), $0.name) },
                        selected: filter.agency.map(EncounterService.key) ?? "")),
                FormHTML.select(
                    name: "program", label: "Program",
                    options: [("", "Every program")] + programs.map { (EncounterService.key($0.id!), $0.name) },
                    selected: filter.program.map(EncounterService.key) ?? ""),
                FormHTML.select(
                    name: "from", label: "From quarter", options: [("", "Earliest")] + quarters.map { ($0.key, $0.label) },
                    selected: filter.from?.key ?? ""),
                FormHTML.select(
                    name: "to", label: "To quarter", options: [("", "Latest")] + quarters.map { ($0.key, $0.label) },
                    selected: filter.to?.key ?? ""),
                FormHTML.submit("Show", secondary: true),
            ])
    }

    static func csv(_ model: Model, which: String) -> Response {
        let view = model.dashboard
        let marker = Suppression.label()
        func cell(_ n: Int?) -> String { n.map(String.init) ?? marker }
        func share(_ s: Double?) -> String { s.map { String(format: "%.4f", $0) } ?? "" }
        let name = { (fips: String) in model.countyNames[fips] ?? fips }
        switch which {
        case "summary":
            return csvResponse(
                CSV.document(
                    header: ["measure", "calls", "share_of_calls"],
                    rows: view.summary.map { [$0.figure.measure.label, cell($0.figure.value), share($0.share)] }),
                filename: "cithub-outcomes-summary.csv")
        case "dispositions":
            return csvResponse(
                CSV.document(header: ["outcome", "calls"], rows: view.dispositions.map { [$0.measure.label, cell($0.value)] }),
                filename: "cithub-outcomes-dispositions.csv")
        case "trend":
            return csvResponse(
                CSV.document(
                    header: ["quarter", "calls", "cit_requested_share", "cit_dispatched_share", "cit_arrived_share"],
                    rows: view.trend.map {
                        [$0.quarter.key, cell($0.calls.value), share($0.requested), share($0.dispatched), share($0.arrived)]
                    }), filename: "cithub-outcomes-trend.csv")
        case "published" where model.published != nil:
            let rows = model.published!.cells.map { item -> [String] in
                let period: String
                switch item.cell.period {
                case .quarter(let q): period = q.key
                case .year(let y): period = String(y)
                }
                return [period, item.cell.county ?? "state", item.cell.county.map(name) ?? "", item.cell.measure.key, cell(item.value)]
            }
            return csvResponse(
                CSV.document(header: ["period", "county_fips", "county", "measure", "value"], rows: rows),
                filename: "cithub-outcomes-published.csv")
        default:
            var rows = view.countyRows.map { row in [name(row.county)] + row.cells.map { cell($0.value) } + [cell(row.total.value)] }
            rows.append(["Total"] + view.totalRow.map { cell($0.value) } + [cell(view.total.value)])
            return csvResponse(
                CSV.document(header: ["county"] + view.quarters.map(\.key) + ["total"], rows: rows),
                filename: "cithub-outcomes-county-quarter.csv")
        }
    }
}

enum OutcomeAssets {
    static let stylesheetPath = SiteURL.outcomesStylesheet.path

    static func register(on app: Application) {
        Assets.serve(
            stylesheet, at: .outcomesStylesheet, type: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"]),
            on: app)
    }

    static let stylesheet = AssetFiles.text("outcomes.css")
}
